import {
  authorize,
  checkChannel,
  checkNamespace,
  isMutating,
  type AuthorizationPolicy,
} from '../../../src/slack/authorize.js';
import { parseCommand } from '../../../src/grammar/parse-command.js';
import { createUserGroupMembership } from '../../../src/slack/user-group-membership.js';

const groups = (members: Record<string, string[]>) => ({
  isMember: async (u: string, g: string) => (members[g] ?? []).includes(u),
});

const policy: AuthorizationPolicy = {
  channels: [
    { id: 'C0OPS', answer: true, namespaces: ['emojivoto'] },
    { name: 'sre', answer: true, namespaces: ['*'] },
    { id: '*', answer: false, namespaces: [] },
  ],
  mutators: { users: ['U0ADMIN'], userGroups: ['S0SRE'] },
};

describe('authorize', () => {
  it('allows read-only commands anywhere and refuses mutations when nothing is configured', async () => {
    const open: AuthorizationPolicy = { mutators: { users: [], userGroups: [] } };
    expect(
      await authorize(
        open,
        { userId: 'U1', channel: { id: 'C1' }, command: parseCommand('endpoints a.b') },
        groups({}),
      ),
    ).toEqual({ allowed: true });
    const d = await authorize(
      open,
      { userId: 'U1', channel: { id: 'C1' }, command: parseCommand('scale-test deploy/web.b') },
      groups({}),
    );
    expect(d).toEqual(expect.objectContaining({ allowed: false, code: 'mutating' }));
  });

  it('matches channels by id, then name, then *', () => {
    expect(checkChannel(policy, { id: 'C0OPS' }).allowed).toBe(true);
    expect(checkChannel(policy, { id: 'C0XYZ', name: 'sre' }).allowed).toBe(true);
    expect(checkChannel(policy, { id: 'C0XYZ', name: 'random' })).toEqual(
      expect.objectContaining({ allowed: false, code: 'channel' }),
    );
    expect(
      checkChannel(
        { ...policy, channels: [{ id: 'C0OPS', answer: true, namespaces: ['*'] }] },
        { id: 'C0XYZ' },
      ).allowed,
    ).toBe(false);
  });

  it('limits namespaces per channel; cluster-level reads have no namespace', () => {
    const some = (ns: string) => ({ kind: 'some' as const, namespaces: [ns] });
    expect(checkNamespace(policy, { id: 'C0OPS' }, some('emojivoto')).allowed).toBe(true);
    expect(checkNamespace(policy, { id: 'C0OPS' }, some('payments'))).toEqual(
      expect.objectContaining({ allowed: false, code: 'namespace' }),
    );
    expect(checkNamespace(policy, { id: 'C0SRE', name: 'sre' }, some('payments')).allowed).toBe(true);
    expect(checkNamespace(policy, { id: 'C0OPS' }, { kind: 'none' }).allowed).toBe(true);
  });

  it('refuses a command that reads every namespace in a channel not allowed `*`, and says so (regression)', async () => {
    const req = (text: string, channel: { id: string; name?: string }) => ({
      userId: 'U1',
      channel,
      command: parseCommand(text),
    });
    for (const text of ['check --proxy', 'check']) {
      const d = await authorize(policy, req(text, { id: 'C0OPS' }), groups({}));
      expect(d).toEqual(expect.objectContaining({ allowed: false, code: 'namespace' }));
      expect(d.allowed ? '' : d.reason).toContain('all namespaces (`*`)');
      expect((await authorize(policy, req(text, { id: 'C0SRE', name: 'sre' }), groups({}))).allowed).toBe(
        true,
      );
    }
    const one = await authorize(policy, req('check --namespace emojivoto', { id: 'C0OPS' }), groups({}));
    expect(one.allowed).toBe(true);
  });

  it("authorizes report run NAME for the namespaces of the report's scope; report list reads none", async () => {
    const withReports: AuthorizationPolicy = {
      ...policy,
      reportScopes: { shop: ['emojivoto'], payments: ['payments'], everything: [] },
    };
    const run = async (text: string, channel: { id: string; name?: string }) =>
      authorize(withReports, { userId: 'U1', channel, command: parseCommand(text) }, groups({}));
    expect((await run('report run shop', { id: 'C0OPS' })).allowed).toBe(true);
    expect(await run('report run payments', { id: 'C0OPS' })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('namespace "payments" may not be inspected') as unknown,
    });
    expect(await run('report run everything', { id: 'C0OPS' })).toMatchObject({
      allowed: false,
      code: 'namespace',
    });
    expect((await run('report run everything', { id: 'C0SRE', name: 'sre' })).allowed).toBe(true);
    expect((await run('report list', { id: 'C0OPS' })).allowed).toBe(true);
    // An unknown name reads nothing: it is answered with a did-you-mean, not refused.
    expect((await run('report run shp', { id: 'C0OPS' })).allowed).toBe(true);
  });

  it('lets listed users and user-group members mutate, no one else', async () => {
    const req = (userId: string) => ({
      userId,
      channel: { id: 'C0SRE', name: 'sre' },
      command: parseCommand('scale-test deploy/web.emojivoto'),
    });
    const g = groups({ S0SRE: ['U0CAROL'] });
    expect((await authorize(policy, req('U0ADMIN'), g)).allowed).toBe(true);
    expect((await authorize(policy, req('U0CAROL'), g)).allowed).toBe(true);
    expect(await authorize(policy, req('U0EVE'), g)).toEqual(
      expect.objectContaining({ allowed: false, code: 'mutating' }),
    );
  });

  it('checks the namespace before the person', async () => {
    const d = await authorize(
      policy,
      { userId: 'U0ADMIN', channel: { id: 'C0OPS' }, command: parseCommand('scale-test deploy/db.payments') },
      groups({}),
    );
    expect(d).toEqual(expect.objectContaining({ allowed: false, code: 'namespace' }));
  });

  it('knows which commands change the cluster', () => {
    expect(isMutating(parseCommand('scale-test web-svc.emojivoto'))).toBe(true);
    expect(isMutating(parseCommand('endpoints web-svc.emojivoto'))).toBe(false);
    expect(isMutating(parseCommand('check --proxy'))).toBe(false);
  });
});

describe('user-group membership', () => {
  it('caches usergroups.users.list per group and denies when the lookup fails', async () => {
    let calls = 0;
    const client = {
      usergroups: {
        users: {
          list: async ({ usergroup }: { usergroup: string }) => {
            calls++;
            if (usergroup === 'S0BROKEN') throw new Error('no_such_subteam');
            return { ok: true, users: ['U1'] };
          },
        },
      },
    };
    const m = createUserGroupMembership(client);
    expect(await m.isMember('U1', 'S0A')).toBe(true);
    expect(await m.isMember('U2', 'S0A')).toBe(false);
    expect(calls).toBe(1);
    expect(await m.isMember('U1', 'S0BROKEN')).toBe(false);
  });
});
