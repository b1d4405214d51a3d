/**
 * The stale-endpoints runbook in a Slack thread, through the real Bolt app, the Slack double and
 * the sandbox (emojivoto-stale with the web pod replaced): the checklist parent, each step a
 * reply, decisions with buttons; an unauthorized Confirm refused and audited; a changed
 * runbook and an expired button refused; a double click on Confirm restarts once; the notes
 * uploaded as Markdown at the end.
 */
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { replacePod } from '../../../src/demo/replace-pod.js';
import { loadRunbooks } from '../../../src/runbooks/load-runbooks.js';
import type { AuditEntry } from '../../../src/slack/audit-log.js';
import { startBotWithDouble, type BotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import type { DoubleMessage } from '../../../src/sandbox/slack/slack-double-types.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { createClusterRunbooks } from '../../../src/slack/runbook/cluster-runbooks.js';
import { fakeExecutor } from '../slack/fake-executor.js';

const CHANNEL = 'C0OPS';

interface Button {
  action_id: string;
  value: string;
}

function buttonsOf(m: DoubleMessage): Button[] {
  return (m.blocks as Array<{ type: string; elements?: Button[] }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
}

describe('the stale-endpoints runbook in a Slack thread', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;
  let rig: BotWithDouble;
  let oldIp: string;
  const audit: AuditEntry[] = [];

  const parentOf = (): DoubleMessage | undefined =>
    rig.double.messages(CHANNEL).find((m) => m.metadata?.event_type === 'meshbot_runbook' && !m.thread_ts);
  const threadOf = () => {
    const parent = parentOf();
    return parent
      ? rig.double.thread(CHANNEL, parent.ts)
      : { parent: undefined, replies: [] as DoubleMessage[] };
  };
  const decision = (op: string): Promise<{ message: DoubleMessage; button: Button }> =>
    rig.double.waitFor(
      () => {
        const replies = threadOf().replies;
        for (const m of [...replies].reverse()) {
          const b = buttonsOf(m).find((x) => x.action_id === `meshbot_runbook_${op}`);
          if (b) return { message: m, button: b };
        }
        return undefined;
      },
      30_000,
      `a ${op} button`,
    );
  const click = (button: Button, message: DoubleMessage, userId: string, value = button.value) =>
    rig.double.sendBlockAction({
      actionId: button.action_id,
      value,
      userId,
      channelId: CHANNEL,
      channelName: 'ops',
      messageTs: message.ts,
    });
  const restarts = (): number =>
    sb.store
      .list({ apiVersion: 'apps/v1', kind: 'ReplicaSet' }, { namespace: 'linkerd' })
      .items.filter((rs) => rs.metadata.name?.startsWith('linkerd-destination-')).length;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: 'emojivoto-stale', podReadyDelayMs: 0 });
    oldIp = (
      await replacePod(sb.store, { namespace: 'emojivoto', service: 'web-svc', podSelector: 'app=web-svc' })
    ).oldIp;
    // No Prometheus here: the metrics step answers with an error verdict and the runbook goes on.
    adapters = await openAdapters({
      kubeconfig: sb.kubeconfig,
      destination: sb.destination,
      prometheusUrl: 'http://127.0.0.1:9',
      timeoutMs: 8000,
    });
    rig = await startBotWithDouble({
      mode: 'socket',
      execute: fakeExecutor(),
      config: { authorization: { mutators: { users: ['U0ADMIN'], userGroups: [] } } },
      audit: { record: (e) => void audit.push(e) },
      retryConfig: { retries: 0 },
      runbooks: createClusterRunbooks({
        catalog: loadRunbooks(),
        pool: { clusters: ['sandbox'], get: () => Promise.resolve(adapters) },
        buttonTtlMs: 3600_000,
        settings: { scaleTest: { stageTimeoutMs: 2000, overallTimeoutMs: 20_000 }, restartTimeoutMs: 20_000 },
      }),
    });
  }, 60_000);

  afterAll(async () => {
    await rig?.stop();
    await adapters?.close();
    await sb?.stop();
  });

  it('lists the runbooks', async () => {
    const sent = await rig.double.sendSlashCommand({
      text: 'runbook',
      userId: 'U0ADMIN',
      channelId: CHANNEL,
      channelName: 'ops',
    });
    const [answer] = await rig.double.waitForEphemeral(sent.triggerId);
    expect(answer!.text).toBe('Runbooks: destination-overload, restart, service-errors, stale-endpoints');
  });

  it('runs in a thread: read-only steps on, decisions with buttons, refusals, one restart, the notes', async () => {
    await rig.double.sendSlashCommand({
      text: 'runbook stale-endpoints web-svc.emojivoto',
      userId: 'U0ADMIN',
      channelId: CHANNEL,
      channelName: 'ops',
    });
    // check, endpoints (fail), metrics ran on; the scale test waits for a confirmation.
    const scale = await decision('confirm');
    expect(scale.message.text).toBe(
      'Next: Do new pods reach the destination now? (/mesh scale-test web-svc.emojivoto)',
    );
    const replies = JSON.stringify(threadOf().replies.map((m) => m.blocks));
    expect(replies).toContain(oldIp);
    const parent = parentOf()!;
    expect(parent.metadata?.event_payload).toMatchObject({
      status: 'waiting',
      path: expect.stringMatching(/^pf[pwfe]$/) as unknown,
    });
    expect(JSON.stringify(parent.blocks)).toContain(
      ':raised_hand: waiting for a decision  4. Do new pods reach the destination now?',
    );

    // Someone not allowed to change the cluster: refused and audited, nothing runs.
    const bad = await click(scale.button, scale.message, 'U0MALLORY');
    expect((await rig.double.waitForEphemeral(bad.triggerId))[0]!.text).toMatch(/^Refused: .*authorized/);
    expect(audit.find((e) => e.user === 'U0MALLORY')).toMatchObject({
      kind: 'click',
      outcome: 'refused',
      reason: 'mutating',
    });

    // A runbook changed since the run began, and an expired button: refused with a clear message.
    const v = JSON.parse(scale.button.value) as Record<string, unknown>;
    const changed = await click(
      scale.button,
      scale.message,
      'U0ADMIN',
      JSON.stringify({ ...v, h: '0123456789abcdef' }),
    );
    expect((await rig.double.waitForEphemeral(changed.triggerId))[0]!.text).toMatch(
      /the stale-endpoints runbook changed since this run began/,
    );
    const expired = await click(scale.button, scale.message, 'U0ADMIN', JSON.stringify({ ...v, exp: 1000 }));
    expect((await rig.double.waitForEphemeral(expired.triggerId))[0]!.text).toMatch(
      /these buttons expired at 1970/,
    );

    // Cancel the scale test: skipped; the next decision is the restart.
    const cancel = buttonsOf(scale.message).find((b) => b.action_id === 'meshbot_runbook_cancel')!;
    await click(cancel, scale.message, 'U0ADMIN');
    const restart = await rig.double.waitFor(
      () => {
        const m = threadOf().replies.find((r) =>
          r.text.startsWith('Next: Restart the destination controller'),
        );
        return m
          ? { message: m, button: buttonsOf(m).find((b) => b.action_id === 'meshbot_runbook_confirm')! }
          : undefined;
      },
      30_000,
      'the restart decision',
    );
    const before = restarts();
    // A double click on Confirm (as two replicas would get it): one restart.
    await Promise.all([
      click(restart.button, restart.message, 'U0ADMIN'),
      click(restart.button, restart.message, 'U0ADMIN'),
    ]);
    const notes = await rig.double.waitFor(
      () =>
        threadOf()
          .replies.flatMap((m) => m.files ?? [])
          .find((f) => f.name.endsWith('.md')),
      60_000,
      'the incident notes',
    );
    expect(restarts()).toBe(before + 1);
    expect(notes.content).toContain('# Incident notes: Stale endpoints on web-svc.emojivoto');
    expect(notes.content).toContain(oldIp);
    expect(notes.content).toMatch(/`scale-test web-svc\.emojivoto` \| SKIPPED \| cancelled by <@U0ADMIN>/);
    expect(notes.content).toMatch(
      /`restart deploy\/linkerd-destination\.linkerd`, confirmed by <@U0ADMIN>: PASS/,
    );
    expect(notes.content).toMatch(/## Verification\n\n- \S+ `endpoints web-svc\.emojivoto`: PASS/);
    const done = parentOf()!;
    expect(done.metadata?.event_payload.status).toBe('finished');
    expect(JSON.stringify(done.blocks)).toContain('Fixed: after the destination controller restarted');
  }, 120_000);

  it('/mesh restart asks for a confirmation, shows the rollout in one message, checks the new pods', async () => {
    const before = restarts();
    const sent = await rig.double.sendSlashCommand({
      text: 'restart deploy/linkerd-destination.linkerd',
      userId: 'U0ADMIN',
      channelId: CHANNEL,
      channelName: 'ops',
    });
    const restartParent = (): DoubleMessage | undefined =>
      rig.double
        .messages(CHANNEL)
        .find((m) => m.metadata?.event_payload.runbook === 'restart' && !m.thread_ts);
    const confirm = await rig.double.waitFor(
      () => {
        const p = restartParent();
        const m = p && rig.double.thread(CHANNEL, p.ts).replies.find((r) => buttonsOf(r).length > 0);
        return m
          ? { message: m, button: buttonsOf(m).find((b) => b.action_id === 'meshbot_runbook_confirm')! }
          : undefined;
      },
      30_000,
      'the restart confirmation',
    );
    expect(sent.delivery.acked).toBe(true);
    expect(restarts()).toBe(before);
    await click(confirm.button, confirm.message, 'U0ADMIN');
    await rig.double.waitFor(
      () =>
        rig.double
          .thread(CHANNEL, restartParent()!.ts)
          .replies.some((m) => m.files?.some((f) => f.name.endsWith('.md')))
          ? true
          : undefined,
      60_000,
      'the restart runbook to finish',
    );
    expect(restarts()).toBe(before + 1);
    const replies = rig.double.thread(CHANNEL, restartParent()!.ts).replies;
    const progress = replies.find((m) =>
      m.text.startsWith('/mesh restart deploy/linkerd-destination.linkerd: '),
    )!;
    expect(progress.text).toMatch(/: Done: Restarted deploy\/linkerd-destination\.linkerd/);
    expect(progress.updates).toBeGreaterThanOrEqual(1);
    expect(restartParent()?.metadata?.event_payload.status).toBe('finished');
  }, 90_000);
});
