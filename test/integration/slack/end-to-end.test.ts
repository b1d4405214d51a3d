import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { singleClusterPool, type AdapterPool } from '../../../src/adapters/adapter-pool.js';
import { runDemo } from '../../../src/cli/commands/demo.js';
import { replacePod } from '../../../src/demo/replace-pod.js';
import { startBotWithDouble, type BotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { createClusterExecutor } from '../../../src/slack/command-executor.js';
import { runCommand } from '../../../src/steps/run-command.js';

const json = (x: unknown): string => JSON.stringify(x);

describe('end to end: /mesh through the Slack double, the real bot, the steps and the sandbox', () => {
  let sandbox: RunningSandbox;
  let env: BotWithDouble;
  let pool: AdapterPool;
  let executor: ReturnType<typeof createClusterExecutor>;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'emojivoto-stale', podReadyDelayMs: 0 });
    pool = singleClusterPool({ kubeconfig: sandbox.kubeconfig, destination: sandbox.destination });
    executor = createClusterExecutor({ pool, runCommand });
    env = await startBotWithDouble({ mode: 'http', execute: executor.execute });
  });
  afterAll(async () => {
    await env?.stop();
    await pool?.close();
    await sandbox?.stop();
  });

  it('passes while Kubernetes and the destination agree', async () => {
    const sent = await env.double.sendSlashCommand({ text: 'endpoints emoji-svc.emojivoto:8080' });
    const thread = await env.double.waitForThread(sent.triggerId, 30_000);
    expect(thread.parent.metadata?.event_payload.status).toBe('pass');
    for (const r of thread.replies) expect(r.thread_ts).toBe(thread.parent.ts);
  });

  it('names the stale address after the web pod is replaced under a frozen destination', async () => {
    const { oldIp, newIp } = await replacePod(sandbox.store, {
      namespace: 'emojivoto',
      service: 'web-svc',
      podSelector: 'app=web-svc',
    });
    const sent = await env.double.sendSlashCommand({ text: 'endpoints web-svc.emojivoto' });
    const thread = await env.double.waitForThread(sent.triggerId, 30_000);
    expect(thread.parent.metadata?.event_payload.status).toBe('fail');
    expect(json(thread.replies[0]!.blocks)).toContain(`${oldIp}:8080`);
    expect(json(thread.replies[0]!.blocks)).toMatch(/deleted pod/);
    expect(json(thread.replies[1]!.blocks)).toContain(newIp);
  });

  it('refuses a namespace the channel may not inspect, before asking the cluster', async () => {
    const local = await startBotWithDouble({
      mode: 'socket',
      execute: executor.execute,
      config: { authorization: { channels: [{ id: 'C0INCIDENT', namespaces: ['payments'] }] } },
    });
    try {
      const sent = await local.double.sendSlashCommand({ text: 'endpoints web-svc.emojivoto' });
      expect((await local.double.waitForEphemeral(sent.triggerId))[0]!.text).toMatch(/may not be inspected/);
    } finally {
      await local.stop();
    }
  });
});

describe('meshbot demo', () => {
  it('plays /mesh endpoints web-svc.emojivoto and prints the thread, with its Block Kit JSON beside it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'meshbot-demo-'));
    let text = '';
    const code = await runDemo({ out, stdout: { write: (t: string) => (text += t) } });
    expect(code).toBe(0);
    expect(text).toContain('alice types in #incidents: /mesh endpoints web-svc.emojivoto');
    expect(text).toMatch(/❌ Fail/);
    expect(text).toMatch(/deleted pod/);
    expect(text).toContain(join(out, 'thread.json'));
    const thread = JSON.parse(readFileSync(join(out, 'thread.json'), 'utf8')) as {
      parent: { ts: string };
      replies: { thread_ts: string; blocks: unknown[] }[];
    };
    expect(thread.replies.length).toBeGreaterThanOrEqual(2);
    for (const r of thread.replies) expect(r.thread_ts).toBe(thread.parent.ts);
    expect(readFileSync(join(out, 'audit.log'), 'utf8')).toMatch(/"audit":true.*"outcome":"ran"/);
  });
});
