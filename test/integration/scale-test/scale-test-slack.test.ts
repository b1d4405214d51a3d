/**
 * `/mesh scale-test` through the real Bolt app, the Slack double and the sandbox: a
 * confirmation in a thread, clicks re-authorized (an unauthorized click is refused), Cancel,
 * and a confirmed run whose progress updates one message and whose verdict reaches the thread
 * and the parent.
 */
import type { Adapters } from '../../../src/adapters/open-adapters.js';
import { configSchema } from '../../../src/config/config-schema.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';
import type { DoubleMessage } from '../../../src/sandbox/slack/slack-double-types.js';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/sandbox-types.js';
import { createSlackApp, type SlackApp } from '../../../src/slack/create-app.js';
import { createMeshbotMetrics } from '../../../src/metrics/meshbot-metrics.js';
import { startScaleTestRecovery } from '../../../src/slack/recover-scale-tests-at-start.js';
import { createClusterScaleTestRunner, type ScaleTestRunner } from '../../../src/slack/scale-test-runner.js';
import { fakeExecutor } from '../slack/fake-executor.js';
import {
  annotationOf,
  FAST,
  leaveCrashedTest,
  openSandboxAdapters,
  replicasOf,
  scaleTestScenario,
  waitForSettled,
} from './scale-test-sandbox.js';

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

describe('/mesh scale-test through Slack', () => {
  let sb: Sandbox;
  let adapters: Adapters;
  let double: SlackDouble;
  let bot: SlackApp;
  let runner: ScaleTestRunner;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: scaleTestScenario() });
    adapters = await openSandboxAdapters(sb);
    await waitForSettled(sb.store, 'slack', 1);
    runner = createClusterScaleTestRunner({ pool: { get: async () => adapters }, settings: FAST });
    double = await startSlackDouble();
    double.setUserGroup('S0SRE', ['U0CAROL']);
    const config = configSchema.parse({
      port: 0,
      progressAfterSeconds: 0.1,
      authorization: { mutators: { users: ['U0ADMIN'], userGroups: ['S0SRE'] } },
      slack: { botToken: double.botToken, apiUrl: double.apiUrl, appToken: double.appToken },
    });
    bot = createSlackApp({
      config,
      execute: fakeExecutor(),
      logger: createLogger({ level: 'silent' }),
      scaleTests: runner,
      retryConfig: { retries: 0 },
    });
    await bot.start();
    await double.socketConnected();
  });
  afterAll(async () => {
    await bot?.stop();
    await double?.close();
    await adapters?.close();
    await sb?.stop();
  });

  /** Asks for a test and returns the thread's parent and the confirmation with its buttons. */
  async function ask(
    text: string,
    userId = 'U0ADMIN',
  ): Promise<{ parent: DoubleMessage; confirmation: DoubleMessage; confirm: Button; cancel: Button }> {
    const sent = await double.sendSlashCommand({ text, userId, channelId: CHANNEL, channelName: 'ops' });
    const thread = await double.waitForThread(sent.triggerId);
    expect(thread.parent.metadata?.event_payload.status).toBe('awaiting-confirmation');
    const confirmation = await double.waitFor(
      () => double.thread(CHANNEL, thread.parent.ts).replies.find((m) => buttonsOf(m).length === 2),
      10_000,
      'the confirmation',
    );
    const [confirm, cancel] = buttonsOf(confirmation) as [Button, Button];
    return { parent: thread.parent, confirmation, confirm, cancel };
  }

  it('answers with a confirmation in the thread: what changes, the longest it may take, two buttons', async () => {
    const { confirmation, confirm, cancel } = await ask('scale-test deploy/slack.shop');
    expect(confirmation.text).toMatch(/deploy\/slack\.shop: replicas 1 -> 2 and back, at most 30 s/);
    expect(JSON.stringify(confirmation.blocks)).toMatch(/Namespace:\*/);
    expect(confirm.action_id).toBe('meshbot_scale_test_confirm');
    expect(cancel.action_id).toBe('meshbot_scale_test_cancel');
    expect(confirm.value.length).toBeLessThan(2000);
    expect(JSON.parse(confirm.value)).toMatchObject({
      kind: 'scale-test',
      op: 'confirm',
      target: 'deploy/slack.shop',
      requestedBy: 'U0ADMIN',
      from: 1,
    });
    expect(replicasOf(sb.store, 'slack')).toBe(1);
  });

  it('refuses a click by someone not authorized to change the cluster, and changes nothing', async () => {
    const { confirmation, confirm } = await ask('scale-test deploy/slack.shop');
    const click = await double.sendBlockAction({
      actionId: confirm.action_id,
      value: confirm.value,
      userId: 'U0MALLORY',
      channelId: CHANNEL,
      channelName: 'ops',
      messageTs: confirmation.ts,
    });
    const [answer] = await double.waitForEphemeral(click.triggerId);
    expect(answer!.text).toMatch(/Refused: .*not among the people authorized/);
    expect(replicasOf(sb.store, 'slack')).toBe(1);
    expect(annotationOf(sb.store, 'slack')).toBeUndefined();
    expect(
      buttonsOf(
        double.thread(CHANNEL, confirmation.thread_ts!).replies.find((m) => m.ts === confirmation.ts)!,
      ),
    ).toHaveLength(2);
  });

  it('refuses a tampered button and a test the safety rules forbid', async () => {
    const { confirmation, confirm } = await ask('scale-test deploy/slack.shop');
    const forged = JSON.stringify({ ...JSON.parse(confirm.value), target: 'deploy/web.shop; rm -rf' });
    const click = await double.sendBlockAction({
      actionId: confirm.action_id,
      value: forged,
      userId: 'U0ADMIN',
      channelId: CHANNEL,
      messageTs: confirmation.ts,
    });
    expect((await double.waitForEphemeral(click.triggerId))[0]!.text).toMatch(
      /no valid scale-test confirmation/,
    );
    // A well-formed value for another workload: planned again, its replicas differ from the shown ones.
    const other = JSON.stringify({ ...JSON.parse(confirm.value), target: 'deploy/web.shop' });
    const click2 = await double.sendBlockAction({
      actionId: confirm.action_id,
      value: other,
      userId: 'U0ADMIN',
      channelId: CHANNEL,
      messageTs: confirmation.ts,
    });
    expect((await double.waitForEphemeral(click2.triggerId))[0]!.text).toMatch(
      /Refused: deploy\/web\.shop has 2 replicas now, not the 1 the confirmation showed/,
    );
    expect(replicasOf(sb.store, 'web')).toBe(2);
    const hpa = await double.sendSlashCommand({
      text: 'scale-test deploy/auto.shop',
      userId: 'U0ADMIN',
      channelId: CHANNEL,
      channelName: 'ops',
    });
    expect((await double.waitForEphemeral(hpa.triggerId))[0]!.text).toMatch(
      /Refused: HorizontalPodAutoscaler auto/,
    );
  });

  it('cancels: the confirmation loses its buttons, the parent says so, nothing changes', async () => {
    const { parent, confirmation, cancel } = await ask('scale-test deploy/slack.shop');
    await double.sendBlockAction({
      actionId: cancel.action_id,
      value: cancel.value,
      userId: 'U0ADMIN',
      channelId: CHANNEL,
      messageTs: confirmation.ts,
    });
    await double.waitFor(
      () =>
        double.thread(CHANNEL, parent.ts).parent.metadata?.event_payload.status === 'cancelled'
          ? true
          : undefined,
      10_000,
      'the cancelled parent',
    );
    const after = double.thread(CHANNEL, parent.ts).replies.find((m) => m.ts === confirmation.ts)!;
    expect(buttonsOf(after)).toHaveLength(0);
    expect(after.text).toMatch(/Cancelled by U0ADMIN/);
    expect(replicasOf(sb.store, 'slack')).toBe(1);
  });

  it('runs when another authorized person confirms: live progress in one message, verdict in the thread and on the parent', async () => {
    const { parent, confirmation, confirm } = await ask('scale-test slack-svc.shop');
    await double.sendBlockAction({
      actionId: confirm.action_id,
      value: confirm.value,
      userId: 'U0CAROL',
      channelId: CHANNEL,
      channelName: 'ops',
      messageTs: confirmation.ts,
    });
    const finished = await double.waitFor(
      () => {
        const p = double.thread(CHANNEL, parent.ts).parent;
        const s = p.metadata?.event_payload.status;
        return s === 'pass' || s === 'fail' || s === 'error' ? p : undefined;
      },
      30_000,
      'the finished parent',
    );
    expect(finished.metadata?.event_payload.status).toBe('pass');
    expect(finished.text).toMatch(/deploy\/slack\.shop 1 -> 2 -> 1: the destination followed both changes/);
    const replies = double.thread(CHANNEL, parent.ts).replies;
    expect(buttonsOf(replies.find((m) => m.ts === confirmation.ts)!)).toHaveLength(0);
    const progress = replies.find((m) => /Scale test (running|finished)/.test(m.text))!;
    expect(progress.updates).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(progress.blocks)).toMatch(/address in the destination's remove/);
    expect(JSON.stringify(progress.blocks)).toMatch(/Scale test: finished/);
    expect(replies.some((m) => /scale-test slack-svc\.shop: pass/.test(m.text))).toBe(true);
    expect(replicasOf(sb.store, 'slack')).toBe(1);
    expect(annotationOf(sb.store, 'slack')).toBeUndefined();
  });

  it('at start, puts back what a crashed test left and says so in the configured channel', async () => {
    const metrics = createMeshbotMetrics({ processMetrics: false });
    leaveCrashedTest(sb.store, 'killed', {
      originalReplicas: 2,
      testReplicas: 3,
      startedAt: new Date(Date.now() - 600_000).toISOString(),
    });
    const recovery = startScaleTestRecovery({
      runner,
      client: bot.app.client,
      channel: 'C0ALERTS',
      logger: createLogger({ level: 'silent' }),
      onRestored: (r) => metrics.observeScaleTestRecovery(r),
    });
    const report = await recovery.firstSweep;
    await recovery.stop();
    expect(await metrics.registry.metrics()).toMatch(
      /meshbot_scale_tests_restored_total\{outcome="restored"\} 1\n/,
    );
    expect(report?.restored.map((r) => r.workload)).toEqual(['deploy/killed.shop']);
    const [posted] = double.messages('C0ALERTS');
    expect(posted!.text).toMatch(
      /deploy\/killed\.shop: scale test crashed1 .* replicas put back from 3 to 2/,
    );
    expect(replicasOf(sb.store, 'killed')).toBe(2);
    expect(annotationOf(sb.store, 'killed')).toBeUndefined();
  });
});
