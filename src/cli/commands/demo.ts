import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeError } from '../../errors.js';
import type { BotWithDouble } from '../../sandbox/slack/start-bot-with-double.js';

export interface DemoOptions {
  /** Where the raw Block Kit JSON and the audit log go; default `.demo-out`. */
  out?: string;
  /** The text after `/mesh`. */
  text?: string;
  /** Replace the web pod first, so the frozen destination serves a stale address (default true). */
  incident?: boolean;
  mode?: 'socket' | 'http';
  /** Play the stale-endpoints runbook end to end instead of one command. */
  runbook?: boolean;
  stdout?: { write(text: string): unknown };
}

/**
 * `meshbot demo`: the `emojivoto-stale` sandbox cluster, the Slack double and the real bot in
 * one process, no token. A user types `/mesh endpoints web-svc.emojivoto`; the thread that
 * results is printed as text and its raw Block Kit JSON written beside it. Exit 0 when the
 * thread completed with a verdict, 1 otherwise.
 */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const out = resolve(options.out ?? '.demo-out');
  const text = options.text ?? 'endpoints web-svc.emojivoto';
  const stdout = options.stdout ?? process.stdout;
  // Loaded when the command runs, so `meshbot --help` and other commands do not pay for them;
  // one at a time (jest's ESM loader fails concurrent imports that share a dependency).
  // pino is CommonJS: its default export (module.exports) is the one a bundled import() keeps.
  const { default: pino } = await import('pino');
  const { singleClusterPool } = await import('../../adapters/adapter-pool.js');
  const { createLogger } = await import('../../logging/create-logger.js');
  const { formatThread } = await import('../../sandbox/slack/format-thread.js');
  const { startBotWithDouble } = await import('../../sandbox/slack/start-bot-with-double.js');
  const { startSandbox } = await import('../../sandbox/start-sandbox.js');
  const { replacePod } = await import('../../demo/replace-pod.js');
  const { createClusterExecutor } = await import('../../slack/command-executor.js');
  const { runCommand } = await import('../../steps/run-command.js');
  await mkdir(out, { recursive: true });
  const auditPath = resolve(out, 'audit.log');
  const logger = createLogger({
    level: 'info',
    destination: pino.destination({ dest: auditPath, sync: true, append: false }),
  });

  stdout.write('Starting the emojivoto-stale sandbox cluster, the Slack double and meshbot...\n');
  const sandbox = await startSandbox({ scenario: 'emojivoto-stale', podReadyDelayMs: 0 });
  if (options.incident !== false) {
    // The incident: the destination's view of web-svc is frozen (the scenario's fault), and
    // the web pod gets replaced, as a rollout would do. Kubernetes moves on; the destination does not.
    try {
      const r = await replacePod(sandbox.store, {
        namespace: 'emojivoto',
        service: 'web-svc',
        podSelector: 'app=web-svc',
      });
      stdout.write(
        `The incident: pod ${r.pod} (${r.oldIp}) was replaced by one at ${r.newIp}; the destination controller's view of web-svc is frozen.\n`,
      );
    } catch (err) {
      await sandbox.stop();
      throw err;
    }
  }
  if (options.runbook) {
    const { playRunbookDemo } = await import('../../demo/play-runbook-demo.js');
    try {
      const played = await playRunbookDemo(sandbox, { mode: options.mode ?? 'socket', logger, stdout });
      if (played.notes !== undefined) {
        const notesPath = resolve(out, 'incident-notes.md');
        await writeFile(notesPath, played.notes);
        stdout.write(`\nIncident notes (uploaded to the thread): ${notesPath}\nAudit log: ${auditPath}\n`);
      }
      return played.ok ? 0 : 1;
    } finally {
      await sandbox.stop();
      logger.flush();
    }
  }
  const pool = singleClusterPool({ kubeconfig: sandbox.kubeconfig, destination: sandbox.destination });
  const executor = createClusterExecutor({ pool, runCommand });
  let env: BotWithDouble | undefined;
  try {
    env = await startBotWithDouble({ mode: options.mode ?? 'socket', execute: executor.execute, logger });
    stdout.write(
      `meshbot is connected to the Slack double (${env.bot.mode === 'socket' ? 'Socket Mode' : 'HTTP mode'}).\n\n`,
    );
    stdout.write(`alice types in #incidents: /mesh ${text}\n`);
    const sent = await env.double.sendSlashCommand({
      text,
      userId: 'U0ALICE',
      userName: 'alice',
      channelId: 'C0INCIDENT',
      channelName: 'incidents',
    });
    stdout.write(`(meshbot acked in ${sent.delivery.ackMs} ms)\n\n`);
    const thread = await env.double.waitForThread(sent.triggerId, 60_000);
    const userName = (id: string): string | undefined => env?.double.userName(id);
    stdout.write(formatThread(thread, { channelName: 'incidents', userName }));

    const jsonPath = resolve(out, 'thread.json');
    const plain = (m: (typeof thread.replies)[number]) => ({
      ts: m.ts,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      text: m.text,
      blocks: m.blocks,
      ...(m.metadata ? { metadata: m.metadata } : {}),
      ...(m.files
        ? { files: m.files.map((f) => ({ id: f.id, name: f.name, title: f.title, bytes: f.content.length })) }
        : {}),
    });
    await writeFile(
      jsonPath,
      `${JSON.stringify({ channel: thread.channel, command: `/mesh ${text}`, parent: plain(thread.parent), replies: thread.replies.map(plain) }, null, 2)}\n`,
    );
    stdout.write(`\nRaw Block Kit JSON: ${jsonPath}\nAudit log: ${auditPath}\n`);
    const status = thread.parent.metadata?.event_payload.status;
    return status === 'pass' || status === 'warn' || status === 'fail' ? 0 : 1;
  } finally {
    await env?.stop();
    await pool.close();
    await sandbox.stop();
    logger.flush();
  }
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'Play /mesh endpoints web-svc.emojivoto against the embedded sandbox and a Slack double; print the thread',
    )
    .option('--out <dir>', 'where thread.json and audit.log go', '.demo-out')
    .option('--http', 'use HTTP mode (signed requests) instead of Socket Mode')
    .option('--runbook', 'play the stale-endpoints runbook end to end (confirmations, restart, notes)')
    .action(async (flags: { out: string; http?: boolean; runbook?: boolean }) => {
      try {
        process.exitCode = await runDemo({
          out: flags.out,
          mode: flags.http ? 'http' : 'socket',
          ...(flags.runbook ? { runbook: true } : {}),
        });
      } catch (err) {
        const { message, hint } = describeError(err);
        process.stderr.write(`Error: demo failed: ${message}\n${hint ? `Hint: ${hint}\n` : ''}`);
        process.exitCode = 1;
      }
    });
}
