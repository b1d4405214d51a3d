/** The `error` field of a Slack Web API failure as WebClient reports it, if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const data = (err as { data?: unknown }).data;
  if (typeof data === 'object' && data !== null && typeof (data as { error?: unknown }).error === 'string') {
    return (data as { error: string }).error;
  }
  return undefined;
}

/** Errors that mean "the bot cannot post in this channel". */
export const NOT_IN_CHANNEL_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);
