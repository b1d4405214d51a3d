/** The one Web API call this needs; Bolt's WebClient satisfies it. */
export interface ConversationsClient {
  conversations: {
    info(args: { channel: string }): Promise<{ ok?: boolean; channel?: { name?: string } }>;
  };
}

export interface ChannelDirectory {
  /** The channel's real name, or undefined when Slack does not say. */
  nameOf(channelId: string): Promise<string | undefined>;
}

/**
 * Channel names from `conversations.info` (scopes channels:read, groups:read), cached for
 * `ttlMs`. Slash commands from private channels carry `channel_name: privategroup`, so rules
 * written by name need the real one.
 */
export function createChannelDirectory(
  client: ConversationsClient,
  ttlMs = 300_000,
  now = Date.now,
): ChannelDirectory {
  const cache = new Map<string, { at: number; name: Promise<string | undefined> }>();
  return {
    async nameOf(channelId) {
      const hit = cache.get(channelId);
      if (hit && now() - hit.at < ttlMs) return hit.name;
      const name = client.conversations.info({ channel: channelId }).then(
        (r) => r.channel?.name,
        () => {
          cache.delete(channelId);
          return undefined;
        },
      );
      cache.set(channelId, { at: now(), name });
      return name;
    },
  };
}

/** Payload channel names that are not names. */
const NOT_A_NAME = new Set(['privategroup', 'directmessage', 'mpdm']);

/**
 * The channel as authorization needs it: its id, and its name when name rules exist and the
 * id alone does not decide.
 */
export async function resolveChannel(
  channel: { id: string; name?: string },
  needName: boolean,
  directory: ChannelDirectory,
): Promise<{ id: string; name?: string }> {
  const payloadName = channel.name && !NOT_A_NAME.has(channel.name) ? channel.name : undefined;
  if (!needName || payloadName)
    return payloadName ? { id: channel.id, name: payloadName } : { id: channel.id };
  const name = await directory.nameOf(channel.id);
  return name ? { id: channel.id, name } : { id: channel.id };
}
