/**
 * `/mesh proxy-log-level` and `/mesh proxy-logs` through the real Bolt app, the Slack double and
 * the sandbox: refusals for people and channels not allowed, a confirmation listing the pods and
 * their levels, Confirm, the Stop button once every pod is set (its message counting the time
 * left down, then final), every pod put back, the result in the thread; proxy-logs' full text
 * as a file in the thread.
 */
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { configSchema } from '../../../src/config/config-schema.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';
import type { DoubleMessage } from '../../../src/sandbox/slack/slack-double-types.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { createClusterExecutor } from '../../../src/slack/command-executor.js';
import { createSlackApp, type SlackApp } from '../../../src/slack/create-app.js';
import { createLogLevelRunner } from '../../../src/slack/proxy-log-level/log-level-runner.js';
import { runCommand } from '../../../src/steps/run-command.js';
import { NS, proxyLogsScenario, runningPods } from './proxy-logs-sandbox.js';

const CHANNEL = 'C0OPS';
const DEFAULT = 'linkerd=info,hickory=error,warn';

interface Button {
  action_id: string;
  value: string;
}

function buttonsOf(m: DoubleMessage): Button[] {
  return ((m.blocks ?? []) as Array<{ type: string; elements?: Button[] }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
}

describe('proxy-log-level and proxy-logs through Slack', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;
  let double: SlackDouble;
  let bot: SlackApp;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: proxyLogsScenario() });
    adapters = await openAdapters(
      { kubeconfig: sb.kubeconfig, destination: sb.destination, timeoutMs: 8000 },
      'east',
    );
    const pool = { clusters: ['east'], get: async () => adapters };
    double = await startSlackDouble();
    const config = configSchema.parse({
      port: 0,
      progressAfterSeconds: 0.1,
      authorization: {
        channels: [{ id: CHANNEL }, { id: 'C0OTHER', namespaces: ['shop'] }],
        mutators: { users: ['U0ADMIN'] },
      },
      slack: { botToken: double.botToken, apiUrl: double.apiUrl, appToken: double.appToken },
    });
    bot = createSlackApp({
      config,
      execute: createClusterExecutor({ pool, runCommand }).execute,
      logger: createLogger({ level: 'silent' }),
      logLevels: createLogLevelRunner({ pool, settings: { heartbeatMs: 200 }, countdownMs: 2000 }),
      logLevelCluster: 'east',
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

  const levels = async (): Promise<string[]> =>
    Promise.all(runningPods(sb.store, 'web-svc').map((p) => adapters.proxyAdmin.getLogLevel(NS, p)));

  async function refusal(text: string, userId: string, channelId = CHANNEL): Promise<string> {
    const sent = await double.sendSlashCommand({ text, userId, channelId, channelName: 'ops' });
    const [answer] = await double.waitForEphemeral(sent.triggerId);
    return answer!.text;
  }

  /** Asks for `text` in the channel: its thread's replies and the confirmation. */
  async function ask(text: string) {
    const sent = await double.sendSlashCommand({
      text,
      userId: 'U0ADMIN',
      channelId: CHANNEL,
      channelName: 'ops',
    });
    const thread = await double.waitForThread(sent.triggerId);
    const replies = (): DoubleMessage[] => double.thread(CHANNEL, thread.parent.ts).replies;
    const confirmation = await double.waitFor(
      () => replies().find((m) => buttonsOf(m).length === 2),
      10_000,
      'the confirmation',
    );
    return { replies, confirmation, confirm: buttonsOf(confirmation)[0]! };
  }

  /** Clicks `button` of `message` as `userId`. */
  const click = (button: Button, message: DoubleMessage, userId = 'U0ADMIN') =>
    double.sendBlockAction({
      actionId: button.action_id,
      value: button.value,
      userId,
      channelId: CHANNEL,
      channelName: 'ops',
      messageTs: message.ts,
    });

  /** The message with the Stop button, once every pod is set. */
  const raisedIn = (replies: () => DoubleMessage[]): Promise<DoubleMessage> =>
    double.waitFor(
      () => replies().find((m) => buttonsOf(m).some((b) => b.action_id === 'meshbot_log_level_stop')),
      20_000,
      'the Stop button',
    );

  it('refuses people not allowed to change the cluster, channels not allowed the namespace, and bad input', async () => {
    expect(await refusal('proxy-log-level deploy/web.emojivoto debug', 'U0MALLORY')).toMatch(
      /Refused: .*not among the people authorized/,
    );
    expect(await refusal('proxy-log-level deploy/web.emojivoto debug', 'U0ADMIN', 'C0OTHER')).toMatch(
      /Refused: .*emojivoto/,
    );
    expect(await refusal('proxy-log-level deploy/web.emojivoto loud', 'U0ADMIN')).toMatch(
      /"loud" is not a log level/,
    );
    expect(await refusal('proxy-log-level deploy/web.emojivoto debug --for 2h', 'U0ADMIN')).toMatch(
      /Refused: --for 2h is longer than the 1h allowed/,
    );
    expect(await levels()).toEqual([DEFAULT, DEFAULT]);
  });

  it('confirms, raises every pod, offers Stop, and puts every pod back on Stop', async () => {
    const { replies, confirmation, confirm } = await ask(
      'proxy-log-level deploy/web.emojivoto debug --for 10m',
    );
    expect(confirmation.text).toMatch(/deploy\/web\.emojivoto: "debug" for 10m on 2 pod\(s\)/);
    expect(JSON.stringify(confirmation.blocks)).toContain(DEFAULT);
    expect(JSON.parse(confirm.value)).toMatchObject({
      kind: 'proxy-log-level',
      op: 'confirm',
      cluster: 'east',
      requestedBy: 'U0ADMIN',
    });

    // Someone who may not change the cluster cannot confirm it.
    const bad = await click(confirm, confirmation, 'U0MALLORY');
    expect((await double.waitForEphemeral(bad.triggerId))[0]!.text).toMatch(/Refused/);
    expect(await levels()).toEqual([DEFAULT, DEFAULT]);

    await click(confirm, confirmation);
    const raised = await raisedIn(replies);
    expect(raised.text).toMatch(/deploy\/web\.emojivoto logs at debug until/);
    expect(await levels()).toEqual(['debug', 'debug']);

    await click(
      buttonsOf(raised).find((b) => b.action_id === 'meshbot_log_level_stop')!,
      raised,
    );
    const result = await double.waitFor(
      () => replies().find((m) => /put back \(it was stopped\)/.test(m.text ?? '')),
      20_000,
      'the result',
    );
    expect(result.text).toMatch(/"debug" on 2 pod\(s\) of deploy\/web\.emojivoto/);
    // The Stop message is final before the result is posted: why it ended, no button.
    const final = replies().find((m) => m.ts === raised.ts)!;
    expect(final.text).toMatch(/ended \(it was stopped\); 2 pod\(s\) put back/);
    expect(buttonsOf(final)).toEqual([]);
    expect(await levels()).toEqual([DEFAULT, DEFAULT]);
  });

  it('counts the time left down in the Stop message, at a bounded rate, and finalizes it when the time is up', async () => {
    const { replies, confirmation, confirm } = await ask(
      'proxy-log-level deploy/web.emojivoto debug --for 10s',
    );
    await click(confirm, confirmation);
    const raised = await raisedIn(replies);
    expect(raised.text).toMatch(/logs at debug until .* \((\d+)s left\)/);
    const message = (): DoubleMessage => replies().find((m) => m.ts === raised.ts)!;
    // A tick (every 2 s here, every minute in serve) updates the time left, Stop kept.
    const ticked = await double.waitFor(
      () => (message().updates > 0 && /left\)/.test(message().text) ? { ...message() } : undefined),
      10_000,
      'a countdown update',
    );
    expect(buttonsOf(ticked).map((b) => b.action_id)).toEqual(['meshbot_log_level_stop']);
    // When the time is up and every pod is back: its final state, without Stop.
    const ended = await double.waitFor(
      () => (/put back/.test(message().text) ? message() : undefined),
      20_000,
      'the final countdown message',
    );
    expect(ended.text).toMatch(/deploy\/web\.emojivoto: ended \(its time was up\); 2 pod\(s\) put back/);
    expect(buttonsOf(ended)).toEqual([]);
    // Bounded: at most one update every 2 s over the 10 s, and the final one.
    expect(ended.updates).toBeLessThanOrEqual(6);
    expect(await levels()).toEqual([DEFAULT, DEFAULT]);
  });

  it('answers proxy-logs with the counts in the thread and the full log as a file', async () => {
    const sent = await double.sendSlashCommand({
      text: 'proxy-logs deploy/voting.emojivoto',
      userId: 'U0BOB',
      channelId: CHANNEL,
      channelName: 'ops',
    });
    const thread = await double.waitForThread(sent.triggerId);
    const file = await double.waitFor(
      () =>
        double
          .thread(CHANNEL, thread.parent.ts)
          .replies.flatMap((m) => m.files ?? [])
          .find((f) => f.name === 'proxy-logs-deploy_voting.emojivoto.log'),
      20_000,
      'the log file',
    );
    expect(file.content).toMatch(/==> emojivoto\/voting-.* \(linkerd-proxy\) <==\n\[ *\d+\.\d+s\]/);
    const text = JSON.stringify(double.thread(CHANNEL, thread.parent.ts).replies.map((m) => m.blocks));
    expect(text).toMatch(/debug/);
    expect(text).toMatch(/Most frequent messages/);
  });
});
