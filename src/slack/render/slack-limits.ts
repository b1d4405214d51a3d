/**
 * Slack's documented Block Kit limits, and the few helpers that keep text inside them.
 * https://docs.slack.dev/reference/block-kit/blocks
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  /** chat.postMessage `text` (the notification fallback) is cut by Slack beyond 40,000. */
  messageText: 40000,
} as const;

/** Escapes the three characters mrkdwn gives meaning to (`&`, `<`, `>`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts `text` to at most `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** "...and 3 more findings" */
export function andMore(count: number, noun: string): string {
  return `...and ${count} more ${noun}${count === 1 ? '' : 's'}`;
}
