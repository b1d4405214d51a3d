/**
 * A runbook thread continued by a second meshbot process against the same Slack double: the
 * first process starts the run and stops at a decision; a second one (its own catalog, its own
 * adapters) serves the click from the button alone. And a runbook file changed mid-run: the
 * second process, which loaded the new file, refuses to continue on a different definition.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { configSchema } from '../../../src/config/config-schema.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { loadRunbooks } from '../../../src/runbooks/load-runbooks.js';
import type { DoubleMessage } from '../../../src/sandbox/slack/slack-double-types.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { createSlackApp, type SlackApp } from '../../../src/slack/create-app.js';
import { createClusterRunbooks } from '../../../src/slack/runbook/cluster-runbooks.js';
import { fakeExecutor } from '../slack/fake-executor.js';

const CHANNEL = 'C0OPS';

const TINY = (why: string): string => `id: tiny
title: Tiny
summary: Endpoints, a pause, endpoints again.
target: service
steps:
  - id: first
    title: First look
    why: ${why}
    run: endpoints {{service}}.{{namespace}}
    pause: true
  - id: second
    title: Second look
    why: Again.
    run: endpoints {{service}}.{{namespace}}
    on:
      pass: { stop: { conclusion: Consistent. } }
      warn: { stop: { conclusion: Almost. } }
      fail: { stop: { conclusion: Stale. } }
      error: { stop: { conclusion: Could not ask. } }
`;

interface Button {
  action_id: string;
  value: string;
}

const buttonsOf = (m: DoubleMessage): Button[] =>
  (m.blocks as Array<{ type: string; elements?: Button[] }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);

describe('a runbook thread served by a second meshbot process', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;
  let double: SlackDouble;
  let dir: string;
  const bots: SlackApp[] = [];
  const audits: object[] = [];

  async function startBot(): Promise<SlackApp> {
    const id = bots.length + 1;
    const catalog = loadRunbooks({ extraDir: dir });
    const config = configSchema.parse({
      port: 0,
      slack: { botToken: double.botToken, apiUrl: double.apiUrl, appToken: double.appToken },
    });
    const bot = createSlackApp({
      config,
      execute: fakeExecutor(),
      logger: createLogger({ level: 'silent' }),
      retryConfig: { retries: 0 },
      audit: { record: (e) => void audits.push({ ...e, bot: id, hash: catalog.get('tiny')?.hash }) },
      runbooks: createClusterRunbooks({
        catalog,
        pool: { clusters: ['sandbox'], get: () => Promise.resolve(adapters) },
        buttonTtlMs: 3600_000,
      }),
    });
    await bot.start();
    await double.socketConnected();
    bots.push(bot);
    return bot;
  }

  const parents = (): DoubleMessage[] =>
    double.messages(CHANNEL).filter((m) => m.metadata?.event_type === 'meshbot_runbook' && !m.thread_ts);
  const waitForButton = (parent: () => DoubleMessage | undefined, op: string) =>
    double.waitFor(
      () => {
        const p = parent();
        if (!p) return undefined;
        for (const m of double.thread(CHANNEL, p.ts).replies) {
          const b = buttonsOf(m).find((x) => x.action_id === `meshbot_runbook_${op}`);
          if (b) return { message: m, button: b };
        }
        return undefined;
      },
      30_000,
      `a ${op} button`,
    );

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'runbooks-'));
    writeFileSync(path.join(dir, 'tiny.yaml'), TINY('The first comparison.'));
    sb = await startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0 });
    adapters = await openAdapters({
      kubeconfig: sb.kubeconfig,
      destination: sb.destination,
      timeoutMs: 8000,
    });
    double = await startSlackDouble();
  }, 60_000);

  afterAll(async () => {
    for (const b of bots) await b.stop();
    await double?.close();
    await adapters?.close();
    await sb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('continues from the button alone in a new process, and refuses a runbook changed since', async () => {
    const first = await startBot();
    await double.sendSlashCommand({
      text: 'runbook tiny web-svc.emojivoto',
      userId: 'U0ALICE',
      channelId: CHANNEL,
    });
    await double.sendSlashCommand({
      text: 'runbook tiny emoji-svc.emojivoto',
      userId: 'U0ALICE',
      channelId: CHANNEL,
    });
    const web = () => parents().find((p) => p.text.includes('web-svc'));
    const emoji = () => parents().find((p) => p.text.includes('emoji-svc'));
    const webContinue = await waitForButton(web, 'continue');
    const emojiContinue = await waitForButton(emoji, 'continue');
    await first.stop();

    // A second process, same file: it continues the web-svc run.
    const second = await startBot();
    await double.sendBlockAction({
      actionId: webContinue.button.action_id,
      value: webContinue.button.value,
      userId: 'U0BOB',
      channelId: CHANNEL,
      messageTs: webContinue.message.ts,
    });
    await double.waitFor(
      () => (web()?.metadata?.event_payload.status === 'finished' ? true : undefined),
      30_000,
      'the web-svc run to finish',
    );
    expect(web()!.metadata?.event_payload.path).toBe('pp');
    expect(JSON.stringify(web()!.blocks)).toContain('Consistent.');
    await second.stop();

    // The file changes; a third process loads it and refuses the emoji-svc run's button.
    writeFileSync(path.join(dir, 'tiny.yaml'), TINY('The first comparison, reworded.'));
    await startBot();
    const click = await double.sendBlockAction({
      actionId: emojiContinue.button.action_id,
      value: emojiContinue.button.value,
      userId: 'U0BOB',
      channelId: CHANNEL,
      messageTs: emojiContinue.message.ts,
    });
    const [answer] = await double.waitForEphemeral(click.triggerId);
    expect(answer!.text).toMatch(
      /^the tiny runbook changed since this run began \(content [0-9a-f]{16}, now [0-9a-f]{16}\)/,
    );
    expect(emoji()!.metadata?.event_payload.status).toBe('waiting');
    expect(audits.at(-1)).toMatchObject({ kind: 'click', outcome: 'refused', bot: 3 });
  }, 90_000);
});
