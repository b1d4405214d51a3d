import type { SlackBlockDto } from 'slack-block-builder';

/** A Block Kit block as sent to Slack (what slack-block-builder's `buildToObject` yields). */
export interface SlackBlock {
  type: string;
  [key: string]: unknown;
}

/** A message body: the notification fallback `text` and its blocks. */
export interface SlackMessageBody {
  text: string;
  blocks: SlackBlock[];
}

export function asSlackBlocks(blocks: readonly Readonly<SlackBlockDto>[]): SlackBlock[] {
  return blocks as unknown as SlackBlock[];
}
