/**
 * The one way meshbot talks into a Slack thread: open a thread (a new parent) or reuse one
 * (reply into an existing thread), show progress in one message updated live, post results
 * (with the full-detail file when something was cut to fit), and finish the parent. The
 * generic run (run-in-thread.ts) and the scale test (handle-scale-test-actions.ts) use it; a
 * runbook runs many steps into one thread through it.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { StepResult } from '../domain/step-result.js';
import { renderStepResult } from './render/render-step-result.js';
import type { SlackMessageBody } from './render/slack-block.js';
import { slackErrorCode } from './slack-error.js';

type WebClient = webApi.WebClient;

/** Message metadata on a parent, so other tools (and the Slack double) can follow a run. */
export type ParentMetadata = (status: string) => {
  event_type: string;
  event_payload: Record<string, string>;
};

/** Progress updates of a live message: at most one a second (chat.update is rate limited). */
const UPDATE_EVERY_MS = 1000;

export interface LiveProgress {
  /** Adds a line; the message shows it within a second. */
  push(line: string): void;
  /** Shows every line and the finished state; resolves once the last update was sent. */
  finish(extra?: string): Promise<void>;
}

export interface ThreadSession {
  readonly channelId: string;
  /** The parent message's ts: the thread. */
  readonly threadTs: string;
  /** Replaces the parent (updates are serialized: the last one wins); failures are logged. */
  updateParent(body: SlackMessageBody, status: string): Promise<void>;
  /** Updates another message of the thread (a confirmation); failures are logged. */
  updateMessage(ts: string, body: SlackMessageBody): Promise<void>;
  /** One progress message in the thread, rendered from its lines and updated live. */
  startProgress(
    render: (lines: readonly string[], finished: boolean) => SlackMessageBody,
  ): Promise<LiveProgress>;
  /** Posts a result: its messages, its files, and the full detail as a file when cut. Throws when a post fails. */
  postResult(result: StepResult, ctx: { commandText: string; requestedBy: string }): Promise<void>;
}

export interface ThreadSessionDeps {
  client: WebClient;
  logger: Logger;
}

/**
 * A session on a thread: `open: { parent }` posts a new parent (throws the Web API's error,
 * e.g. not_in_channel), `open: { threadTs }` reuses an existing thread.
 */
export async function openThreadSession(
  deps: ThreadSessionDeps,
  req: {
    channelId: string;
    metadata: ParentMetadata;
    open: { parent: SlackMessageBody; status: string } | { threadTs: string };
  },
): Promise<ThreadSession> {
  const { client, logger } = deps;
  const { channelId } = req;
  let threadTs: string;
  if ('parent' in req.open) {
    const posted = await client.chat.postMessage({
      channel: channelId,
      ...req.open.parent,
      metadata: req.metadata(req.open.status),
    });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    threadTs = posted.ts;
  } else {
    threadTs = req.open.threadTs;
  }

  const warn = (err: unknown, what: string, ts: string): void =>
    logger.warn({ err: slackErrorCode(err) ?? String(err), ts, thread: threadTs }, what);

  let parentUpdates: Promise<void> = Promise.resolve();
  const updateParent = (body: SlackMessageBody, status: string): Promise<void> => {
    parentUpdates = parentUpdates
      .then(async () => {
        await client.chat.update({
          channel: channelId,
          ts: threadTs,
          ...body,
          metadata: req.metadata(status),
        });
      })
      .catch((err: unknown) => warn(err, 'could not update the parent message', threadTs));
    return parentUpdates;
  };
  const updateMessage = (ts: string, body: SlackMessageBody): Promise<void> =>
    client.chat.update({ channel: channelId, ts, ...body }).then(
      () => undefined,
      (err: unknown) => warn(err, 'could not update a message', ts),
    );

  return {
    channelId,
    threadTs,
    updateParent,
    updateMessage,
    async startProgress(render) {
      const posted = await client.chat
        .postMessage({ channel: channelId, thread_ts: threadTs, ...render([], false) })
        .catch((err: unknown) => {
          warn(err, 'could not post the progress message', threadTs);
          return undefined;
        });
      const progressTs = posted?.ts;
      // One message, updated live: serialized, at most one update a second, the last one wins.
      const lines: string[] = [];
      let chain: Promise<void> = Promise.resolve();
      let lastSent = 0;
      let pending: NodeJS.Timeout | undefined;
      const flush = (finished: boolean): Promise<void> => {
        if (!progressTs) return Promise.resolve();
        lastSent = Date.now();
        const snapshot = [...lines];
        chain = chain.then(() => updateMessage(progressTs, render(snapshot, finished)));
        return chain;
      };
      return {
        push(line) {
          lines.push(line);
          if (pending) return;
          const wait = Math.max(0, lastSent + UPDATE_EVERY_MS - Date.now());
          pending = setTimeout(() => {
            pending = undefined;
            void flush(false);
          }, wait);
        },
        finish(extra) {
          if (pending) clearTimeout(pending);
          pending = undefined;
          if (extra) lines.push(extra);
          return flush(true);
        },
      };
    },
    async postResult(result, ctx) {
      const rendered = renderStepResult(result, ctx);
      for (const message of rendered.messages) {
        await client.chat.postMessage({ channel: channelId, thread_ts: threadTs, ...message });
      }
      for (const att of result.attachments ?? []) {
        await client.filesUploadV2({
          channel_id: channelId,
          thread_ts: threadTs,
          filename: att.filename,
          title: att.title ?? att.filename,
          file: Buffer.from(att.data),
        });
      }
      if (rendered.truncated) {
        await client.filesUploadV2({
          channel_id: channelId,
          thread_ts: threadTs,
          filename: rendered.fullDetail.filename,
          title: rendered.fullDetail.title,
          content: rendered.fullDetail.content,
          initial_comment: 'Not everything fits in a message: here is the full detail.',
        });
      }
    },
  };
}
