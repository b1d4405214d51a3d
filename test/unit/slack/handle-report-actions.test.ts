import type { Logger } from 'pino';
import type { AuditEntry } from '../../../src/slack/audit-log.js';
import type { AuthorizationPolicy } from '../../../src/slack/authorize.js';
import { handleReportActions, type ReportActionArgs } from '../../../src/slack/handle-report-actions.js';
import { encodeReportButton, REPORT_RUN_ACTION } from '../../../src/slack/report-button-value.js';

const policy: AuthorizationPolicy = {
  channels: [{ id: 'C0OPS', answer: true, namespaces: ['emojivoto'] }],
  mutators: { users: [], userGroups: [] },
  reportScopes: { shop: ['emojivoto'], payments: ['payments'] },
};

const silentLogger = { warn: () => undefined } as unknown as Logger;

async function clickRunAgain(
  report: string,
  where: { policy: AuthorizationPolicy; channel: { id: string; name?: string }; realName?: string } = {
    policy,
    channel: { id: 'C0OPS' },
  },
) {
  const audit: AuditEntry[] = [];
  const ran: string[] = [];
  const answers: string[] = [];
  const handler = handleReportActions(
    {
      policy: where.policy,
      groups: { isMember: async () => false },
      audit: { record: (e) => void audit.push(e) },
      channels: { nameOf: async () => where.realName },
      logger: silentLogger,
    },
    { snooze: async () => undefined, runNow: async (r) => void ran.push(r) },
  );
  await handler({
    ack: async () => undefined,
    body: { channel: where.channel, user: { id: 'U1' }, message: { ts: '1.1' } },
    action: { action_id: REPORT_RUN_ACTION, value: encodeReportButton({ v: 1, kind: 'run', report }) },
    respond: async (m: { text?: string; blocks?: unknown[] }) => void answers.push(JSON.stringify(m)),
    client: {},
  } as unknown as ReportActionArgs);
  return { audit, ran, answers };
}

describe("a report finding's Run again", () => {
  it('runs a report whose scope the channel may read', async () => {
    const { ran, audit } = await clickRunAgain('shop');
    expect(ran).toEqual(['shop']);
    expect(audit[0]).toMatchObject({ command: 'report run shop', outcome: 'ran' });
  });

  it('is refused for a report reading namespaces the channel may not (regression: it checked the channel only)', async () => {
    const { ran, audit, answers } = await clickRunAgain('payments');
    expect(ran).toEqual([]);
    expect(audit[0]).toMatchObject({ outcome: 'refused', reason: 'namespace' });
    expect(answers[0]).toMatch(/namespace \\"payments\\" may not be inspected/);
  });

  it('judges a private channel by its real name, as commands are (regression: it judged the id alone)', async () => {
    const byName: AuthorizationPolicy = {
      channels: [{ name: 'ops-private', answer: true, namespaces: ['*'] }],
      mutators: { users: [], userGroups: [] },
      reportScopes: { shop: ['emojivoto'] },
    };
    const { ran, audit } = await clickRunAgain('shop', {
      policy: byName,
      channel: { id: 'G0PRIV', name: 'privategroup' },
      realName: 'ops-private',
    });
    expect(ran).toEqual(['shop']);
    expect(audit[0]).toMatchObject({ channel: 'G0PRIV', outcome: 'ran' });
  });
});
