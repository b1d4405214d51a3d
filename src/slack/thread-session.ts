import type { webApi } from '@slack/bolt';
import type { StepResult } from '../domain/step-result.js';
import { renderStepResult } from './render/render-step-result.js';

type WebClient = webApi.WebClient;

/**
 * Posts a result into a thread as every run does: the rendered messages, the result's files
 * (the metrics chart), and, when something was cut to fit Slack, the full detail as a file.
 * Throws the Web API's error when a post fails.
 */
export async function postStepResult(
  client: WebClient,
  where: { channelId: string; threadTs: string },
  result: StepResult,
  ctx: { commandText: string; requestedBy: string },
): Promise<void> {
  const { channelId, threadTs } = where;
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
}
