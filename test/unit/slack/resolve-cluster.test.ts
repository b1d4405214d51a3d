import { parseCommand, type RunnableCommand } from '../../../src/grammar/parse-command.js';
import type { AuthorizationPolicy } from '../../../src/slack/authorize.js';
import { authorizeOnCluster } from '../../../src/slack/dispatch-run.js';
import { resolveCluster, type SlackClusters } from '../../../src/slack/resolve-cluster.js';

const run = (text: string): RunnableCommand => {
  const c = parseCommand(text);
  if (c.name === 'help') throw new Error('help');
  return c;
};

const policy: AuthorizationPolicy = {
  channels: [
    { id: 'C0OPS', answer: true, namespaces: ['*'] },
    { id: 'C0WEST', answer: true, namespaces: ['*'], defaultCluster: 'west' },
  ],
  mutators: { users: ['U0ADMIN'], userGroups: [] },
};

const clusters: SlackClusters = {
  names: ['east', 'west'],
  configured: true,
  // west is production: read-only for everyone, and only the ops channel may look at it.
  policies: {
    west: {
      channels: [{ id: 'C0OPS', answer: true, namespaces: ['*'] }],
      mutators: { users: [], userGroups: [] },
    },
  },
};

const ops = { id: 'C0OPS' };

describe('resolveCluster', () => {
  it('takes --cluster, and says so in the command text only once', () => {
    const r = resolveCluster(
      clusters,
      policy,
      ops,
      run('endpoints a.b --cluster west'),
      'endpoints a.b --cluster west',
    );
    expect(r).toEqual({
      kind: 'resolved',
      command: expect.objectContaining({ cluster: 'west' }),
      commandText: 'endpoints a.b --cluster west',
    });
  });

  it("takes the channel's default cluster, and names it in the command text", () => {
    const r = resolveCluster(clusters, policy, { id: 'C0WEST' }, run('endpoints a.b'), 'endpoints a.b');
    expect(r).toEqual({
      kind: 'resolved',
      command: expect.objectContaining({ cluster: 'west' }),
      commandText: 'endpoints a.b --cluster west',
    });
  });

  it('takes the only cluster', () => {
    const one: SlackClusters = { names: ['prod'], configured: true, policies: {} };
    const r = resolveCluster(one, policy, ops, run('check'), 'check');
    expect(r).toMatchObject({
      kind: 'resolved',
      command: { cluster: 'prod' },
      commandText: 'check --cluster prod',
    });
  });

  it('asks when several could run it and none is chosen; never guesses', () => {
    expect(resolveCluster(clusters, policy, ops, run('endpoints a.b'), 'endpoints a.b')).toEqual({
      kind: 'ask',
      clusters: ['east', 'west'],
    });
  });

  it('needs no cluster for commands that do not run against one', () => {
    for (const text of ['clusters', 'report list', 'runbook']) {
      expect(resolveCluster(clusters, policy, ops, run(text), text)).toMatchObject({
        kind: 'resolved',
        commandText: text,
      });
    }
  });

  it('answers an unknown name with a did-you-mean', () => {
    const r = resolveCluster(clusters, policy, ops, run('check --cluster wets'), 'check --cluster wets');
    expect(r.kind).toBe('unknown');
    expect(r.kind === 'unknown' && r.error.message).toBe('unknown cluster "wets"; did you mean "west"?');
  });

  it('leaves commands alone without clusters (one cluster, as before)', () => {
    expect(resolveCluster(undefined, policy, ops, run('endpoints a.b'), 'endpoints a.b')).toEqual({
      kind: 'resolved',
      command: run('endpoints a.b'),
      commandText: 'endpoints a.b',
    });
  });
});

describe('authorization per cluster', () => {
  const groups = { isMember: async () => false };
  const deps = { policy, groups, clusters };

  it('lets staging (top-level policy) run a scale test, and refuses it on read-only production, naming the cluster', async () => {
    const east = await authorizeOnCluster(deps, {
      userId: 'U0ADMIN',
      channel: ops,
      command: run('scale-test deploy/web.shop --cluster east'),
    });
    expect(east).toEqual({ allowed: true });
    const west = await authorizeOnCluster(deps, {
      userId: 'U0ADMIN',
      channel: ops,
      command: run('scale-test deploy/web.shop --cluster west'),
    });
    expect(west).toMatchObject({ allowed: false, code: 'mutating' });
    expect(!west.allowed && west.reason).toMatch(/^on cluster "west", this action changes the cluster/);
  });

  it("applies the cluster's channel rules: a channel production does not list may not read it", async () => {
    const d = await authorizeOnCluster(deps, {
      userId: 'U0ADMIN',
      channel: { id: 'C0WEST' },
      command: run('endpoints a.b --cluster west'),
    });
    expect(d).toMatchObject({ allowed: false, code: 'channel' });
  });
});
