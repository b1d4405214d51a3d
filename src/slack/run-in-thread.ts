import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { StepResult } from '../domain/step-result.js';
import { errorResult, targetOf, type CommandExecutor, type RunnableCommand } from './command-executor.js';
import {
  renderFinishedParent,
  renderRunningParent,
  type RunParentContext,
} from './render/render-run-parent.js';
import { NOT_IN_CHANNEL_ERRORS, slackErrorCode } from './slack-error.js';
import { openThreadSession, type ThreadSession } from './thread-session.js';

type WebClient = webApi.WebClient;

export interface ThreadRunDeps {
  client: WebClient;
  execute: CommandExecutor;
  logger: Logger;
  /** After this long without a result, the parent shows the elapsed time (and any progress). */
  progressAfterMs: number;
}

export interface ThreadRunRequest {
  channelId: string;
  userId: string;
  commandText: string;
  command: RunnableCommand;
  via?: string;
  /** Slack's trigger id of the command or click; goes into the parent's metadata. */
  triggerId?: string;
}

export type ThreadRunOutcome =
  | { outcome: 'ran'; result: StepResult; thread: string }
  | { outcome: 'not-in-channel' }
  | { outcome: 'failed'; error: unknown; thread?: string; result?: StepResult };

/** Message metadata on the parent: lets other tools (and the Slack double) follow a run. */
function metadata(
  req: ThreadRunRequest,
  status: string,
): { event_type: string; event_payload: Record<string, string> } {
  return {
    event_type: 'meshbot_run',
    event_payload: {
      command: req.commandText,
      requested_by: req.userId,
      status,
      trigger_id: req.triggerId ?? '',
    },
  };
}

/**
 * One run, told in a thread: a parent message says what runs and who asked; the results go
 * into its thread; the parent then shows the final status and summary. Slow runs update the
 * parent with their progress. Updates of the parent are serialized so the last one wins.
 */
export async function runInThread(deps: ThreadRunDeps, req: ThreadRunRequest): Promise<ThreadRunOutcome> {
  const { client, logger } = deps;
  const ctx: RunParentContext = {
    commandText: req.commandText,
    requestedBy: req.userId,
    ...(req.via ? { via: req.via } : {}),
  };
  let session: ThreadSession;
  try {
    session = await openThreadSession(
      { client, logger },
      {
        channelId: req.channelId,
        metadata: (status) => metadata(req, status),
        open: { parent: renderRunningParent(ctx), status: 'running' },
      },
    );
  } catch (err) {
    const code = slackErrorCode(err);
    if (code && NOT_IN_CHANNEL_ERRORS.has(code)) return { outcome: 'not-in-channel' };
    return { outcome: 'failed', error: err };
  }
  const parentTs = session.threadTs;
  const updateParent = (body: ReturnType<typeof renderRunningParent>, status: string): Promise<void> =>
    session.updateParent(body, status);

  const started = Date.now();
  let lastProgress: string | undefined;
  let finished = false;
  const showProgress = (): void => {
    if (finished) return;
    const elapsed = Math.round((Date.now() - started) / 1000);
    void updateParent(
      renderRunningParent(ctx, `${lastProgress ? `${lastProgress} · ` : ''}${elapsed} s so far`),
      'running',
    );
  };
  let timer: NodeJS.Timeout | undefined = setTimeout(function tick() {
    showProgress();
    timer = setTimeout(tick, Math.max(deps.progressAfterMs, 1000));
  }, deps.progressAfterMs);
  let lastShown = 0;

  let result: StepResult;
  try {
    result = await deps.execute(req.command, {
      onProgress(text) {
        lastProgress = text;
        // At most one update a second: chat.update is rate limited too.
        if (Date.now() - started >= deps.progressAfterMs && Date.now() - lastShown >= 1000) {
          lastShown = Date.now();
          showProgress();
        }
      },
    });
  } catch (err) {
    result = errorResult(req.command, targetOf(req.command), err, new Date(started));
  } finally {
    finished = true;
    if (timer) clearTimeout(timer);
  }

  try {
    await session.postResult(result, { commandText: req.commandText, requestedBy: req.userId });
  } catch (err) {
    await updateParent(
      renderFinishedParent(ctx, {
        ...result,
        summary: `${result.summary} (the details could not be posted: ${slackErrorCode(err) ?? 'error'})`,
      }),
      result.status,
    );
    return { outcome: 'failed', error: err, thread: parentTs, result };
  }
  await updateParent(renderFinishedParent(ctx, result), result.status);
  return { outcome: 'ran', result, thread: parentTs };
}
