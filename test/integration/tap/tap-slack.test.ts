/**
 * `/mesh tap` through the real Bolt app, the Slack double and the sandbox's aggregated tap
 * API, over the same executor `serve` builds (the pool's adapters, the config's tap caps): the
 * summary in a thread naming the failing path, the full request list uploaded as a file in that
 * thread, the raw events beside it; a namespace tap --to a DaemonSet; a namespace the channel may
 * not inspect (the target's or --to's) refused before anything runs, a misspelt kind answered
 * with a suggestion; a duration above the configured cap refused in the thread.
 */
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { startBotWithDouble, type BotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { createClusterExecutor } from '../../../src/slack/command-executor.js';
import { runCommand } from '../../../src/steps/run-command.js';
import { AGENT_PATH, FAILING_PATH, tapScenario } from './tap-sandbox.js';

const CHANNEL = 'C0OPS';
const TAP_CAPS = { maxDurationSeconds: 5, maxRequests: 500 };

describe('/mesh tap in a Slack thread', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;
  let rig: BotWithDouble;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: tapScenario() });
    adapters = await openAdapters({ kubeconfig: sb.kubeconfig, timeoutMs: 8000 }, 'sandbox');
    const executor = createClusterExecutor({
      pool: { get: () => Promise.resolve(adapters) },
      runCommand: (command, a, ctx) =>
        runCommand(command, a, { ...ctx, readingSettings: { tap: rig.config.tap } }),
    });
    rig = await startBotWithDouble({
      mode: 'socket',
      execute: executor.execute,
      config: {
        authorization: { channels: [{ id: CHANNEL, namespaces: ['emojivoto'] }] },
        tap: TAP_CAPS,
        progressAfterSeconds: 1,
      },
      retryConfig: { retries: 0 },
    });
  }, 60_000);

  /** `/mesh TEXT` from the on-call engineer in the ops channel. */
  const slash = (text: string) =>
    rig.double.sendSlashCommand({ text, userId: 'U0ONCALL', channelId: CHANNEL, channelName: 'ops' });

  afterAll(async () => {
    await rig?.stop();
    await adapters?.close();
    await sb?.stop();
  });

  it('summarizes in a thread, names the failing path, and uploads every request and every raw event as files', async () => {
    const sent = await slash('tap deploy/web.emojivoto --duration 3s --max 500');
    const thread = await rig.double.waitForThread(sent.triggerId, 20_000);
    expect(thread.parent.metadata?.event_payload.status).toBe('fail');
    const text = JSON.stringify([thread.parent.blocks, ...thread.replies.map((r) => r.blocks)]);
    expect(text).toContain(FAILING_PATH);
    expect(text).toContain('deploy/voting');
    const file = thread.replies.flatMap((r) => r.files ?? []).find((f) => f.name.startsWith('tap-'));
    expect(file?.name).toBe('tap-deploy-web.emojivoto.json');
    const body = JSON.parse(file!.content) as {
      cluster: string;
      requests: Array<{ path: string }>;
      ended: string;
    };
    expect(body.ended).toBe('duration');
    expect(body.cluster).toBe('sandbox');
    expect(body.requests.some((r) => r.path === FAILING_PATH)).toBe(true);
    // The raw events beside it, one JSON object per line, as linkerd viz tap -o json prints them.
    const raw = thread.replies.flatMap((r) => r.files ?? []).find((f) => f.name.endsWith('.events.jsonl'));
    expect(raw?.name).toBe('tap-deploy-web.emojivoto.events.jsonl');
    const lines = raw!.content.trimEnd().split('\n');
    const events = lines.map(
      (l) => JSON.parse(l) as { proxyDirection: string; requestInitEvent?: { path: string } },
    );
    expect(events.length).toBeLessThanOrEqual(3 * 500);
    expect(events.filter((e) => e.requestInitEvent).length).toBe(body.requests.length);
    expect(events.some((e) => e.requestInitEvent?.path === FAILING_PATH)).toBe(true);
    expect(new Set(events.map((e) => e.proxyDirection))).toEqual(new Set(['INBOUND', 'OUTBOUND']));
    expect(thread.replies.find((r) => r.files?.length)?.thread_ts).toBe(thread.parent.ts);
  }, 30_000);

  it('refuses a namespace the channel may not inspect, the target’s or --to’s, before anything runs', async () => {
    for (const text of ['tap deploy/api.payments', 'tap deploy/web.emojivoto --to svc/api.payments']) {
      const sent = await slash(text);
      const [answer] = await rig.double.waitForEphemeral(sent.triggerId);
      expect(answer!.text).toMatch(/namespace "payments" may not be inspected from this channel/);
    }
  });

  it('taps a namespace --to a DaemonSet in a thread, with both files', async () => {
    const sent = await slash('tap ns/emojivoto --to ds/node-agent.emojivoto --duration 2s');
    const thread = await rig.double.waitForThread(sent.triggerId, 20_000);
    expect(thread.parent.metadata?.event_payload.status).toBe('pass');
    const text = JSON.stringify([thread.parent.blocks, ...thread.replies.map((r) => r.blocks)]);
    expect(text).toContain('ns/emojivoto');
    expect(text).toContain(AGENT_PATH);
    expect(thread.replies.flatMap((r) => r.files ?? []).map((f) => f.name)).toEqual([
      'tap-ns-emojivoto.json',
      'tap-ns-emojivoto.events.jsonl',
    ]);
  }, 30_000);

  it('refuses a namespace tap the channel may not inspect, and suggests a misspelt kind', async () => {
    for (const [text, expected] of [
      ['tap ns/payments', /namespace "payments" may not be inspected from this channel/],
      ['tap ds/node-agent.emojivoto --to ns/payments', /namespace "payments" may not be inspected/],
      ['tap deamonset/node-agent.emojivoto', /did you mean "daemonset"/],
    ] as const) {
      const sent = await slash(text);
      const [answer] = await rig.double.waitForEphemeral(sent.triggerId);
      expect(answer!.text).toMatch(expected);
    }
  });

  it('refuses a duration above the configured cap, saying which setting', async () => {
    const sent = await slash('tap deploy/web.emojivoto --duration 30s');
    const thread = await rig.double.waitForThread(sent.triggerId, 20_000);
    const text = JSON.stringify([thread.parent.blocks, ...thread.replies.map((r) => r.blocks)]);
    expect(text).toContain('--duration 30s is above the cap of 5s');
    expect(text).toContain('tap.maxDurationSeconds');
    expect(thread.replies.flatMap((r) => r.files ?? [])).toEqual([]);
  }, 30_000);
});
