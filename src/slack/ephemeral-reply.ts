import type { RespondFn } from '@slack/bolt';
import type { SlackMessageBody } from './render/slack-block.js';

/** An answer only the person sees (response_url), never replacing the message they clicked. */
export function ephemeralReply(respond: RespondFn): (m: SlackMessageBody) => Promise<unknown> {
  return (m) =>
    respond({ response_type: 'ephemeral', replace_original: false, text: m.text, blocks: m.blocks as never });
}
