/**
 * `meshbot demo --runbook`: the stale-endpoints runbook played end to end in the sandbox. The
 * web pod of emojivoto-stale is replaced (the destination's view is frozen, so it goes stale);
 * alice types `/mesh runbook stale-endpoints web-svc.emojivoto` and confirms each step that
 * changes the cluster (the scale test, the restart of the destination controller); the thread,
 * with its checklist parent and the incident notes, is printed. Waits are on the double's
 * messages, never timers.
 */
import type { Logger } from 'pino';
import { openAdapters } from '../adapters/open-adapters.js';
import { loadRunbooks } from '../runbooks/load-runbooks.js';
import type { DoubleMessage } from '../sandbox/slack/slack-double-types.js';
import { formatThread } from '../sandbox/slack/format-thread.js';
import { startBotWithDouble } from '../sandbox/slack/start-bot-with-double.js';
import type { RunningSandbox } from '../sandbox/start-sandbox.js';
import { createClusterExecutor } from '../slack/command-executor.js';
import { createClusterRunbooks } from '../slack/runbook/cluster-runbooks.js';
import { runCommand } from '../steps/run-command.js';

const CHANNEL = 'C0INCIDENT';

function confirmButton(m: DoubleMessage): { action_id: string; value: string } | undefined {
  return (m.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === 'meshbot_runbook_confirm');
}

/** The file's text: the double keeps an upload's body as sent, a multipart form with one part. */
export function uploadedText(body: string): string {
  const m = /^(--[^\r\n]+)\r?\n[\s\S]*?\r?\n\r?\n([\s\S]*?)\r?\n\1--/.exec(body);
  return m ? m[2]! : body;
}

export async function playRunbookDemo(
  sandbox: RunningSandbox,
  options: { mode: 'socket' | 'http'; logger: Logger; stdout: { write(text: string): unknown } },
): Promise<{ ok: boolean; notes?: string; thread?: string }> {
  const { stdout } = options;
  const adapters = await openAdapters({
    kubeconfig: sandbox.kubeconfig,
    destination: sandbox.destination,
    // The demo runs no Prometheus: the metrics step says it could not ask, and the runbook goes on.
    prometheusUrl: 'http://127.0.0.1:9',
  });
  const pool = { clusters: ['sandbox'], get: () => Promise.resolve(adapters) };
  const executor = createClusterExecutor({ pool, runCommand });
  const runbooks = createClusterRunbooks({
    catalog: loadRunbooks(),
    pool,
    buttonTtlMs: 12 * 3600_000,
    settings: { scaleTest: { stageTimeoutMs: 3000, overallTimeoutMs: 30_000 }, restartTimeoutMs: 60_000 },
  });
  const env = await startBotWithDouble({
    mode: options.mode,
    execute: executor.execute,
    logger: options.logger,
    config: { authorization: { mutators: { users: ['U0ALICE'], userGroups: [] } } },
    runbooks,
  });
  try {
    const text = 'runbook stale-endpoints web-svc.emojivoto';
    stdout.write(`alice types in #incidents: /mesh ${text}\n`);
    await env.double.sendSlashCommand({
      text,
      userId: 'U0ALICE',
      userName: 'alice',
      channelId: CHANNEL,
      channelName: 'incidents',
    });
    const parent = (): DoubleMessage | undefined =>
      env.double.messages(CHANNEL).find((m) => m.metadata?.event_type === 'meshbot_runbook' && !m.thread_ts);
    const replies = (): DoubleMessage[] => {
      const p = parent();
      return p ? env.double.thread(CHANNEL, p.ts).replies : [];
    };
    const confirmed = new Set<string>();
    for (;;) {
      const next = await env.double.waitFor(
        () => {
          if (
            parent()?.metadata?.event_payload.status === 'finished' &&
            replies().some((m) => m.files?.length)
          ) {
            return { done: true as const };
          }
          const m = replies().find((r) => !confirmed.has(r.ts) && confirmButton(r));
          return m ? { done: false as const, message: m } : undefined;
        },
        120_000,
        'the next decision or the end of the runbook',
      );
      if (next.done) break;
      confirmed.add(next.message.ts);
      const button = confirmButton(next.message)!;
      stdout.write(`alice clicks Confirm: ${next.message.text}\n`);
      await env.double.sendBlockAction({
        actionId: button.action_id,
        value: button.value,
        userId: 'U0ALICE',
        userName: 'alice',
        channelId: CHANNEL,
        channelName: 'incidents',
        messageTs: next.message.ts,
      });
    }
    const thread = env.double.thread(CHANNEL, parent()!.ts);
    const userName = (id: string): string | undefined => env.double.userName(id);
    const shown = formatThread(thread, { channelName: 'incidents', userName });
    stdout.write(`\n${shown}`);
    const notesFile = thread.replies.flatMap((m) => m.files ?? []).find((f) => f.name.endsWith('.md'));
    return {
      ok: notesFile !== undefined,
      thread: shown,
      ...(notesFile ? { notes: uploadedText(notesFile.content) } : {}),
    };
  } finally {
    await env.stop();
    await adapters.close();
  }
}
