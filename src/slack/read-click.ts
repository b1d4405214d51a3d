import type { BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { AuditEntry } from './audit-log.js';
import { needsChannelName } from './authorize.js';
import { resolveChannel } from './channel-directory.js';
import type { DispatchDeps } from './dispatch-run.js';
import { ephemeralReply } from './ephemeral-reply.js';
import type { SlackMessageBody } from './render/slack-block.js';
import { slackErrorCode } from './slack-error.js';

/** What every button click starts from, whatever the button. */
export interface Click {
  /** The channel the button was clicked in; undefined when it was not clicked in one. */
  channelId: string | undefined;
  /**
   * The channel as authorization judges it: a private channel's payload name is not its name,
   * so the name is resolved as for commands when a name rule could decide.
   */
  channel: { id: string; name?: string };
  clicker: string;
  /** The audit entry's fields every outcome of this click shares. */
  audit: Omit<AuditEntry, 'outcome' | 'command'>;
  /** An answer only the clicker sees; a failure to send it is logged, never thrown. */
  say(m: SlackMessageBody): Promise<void>;
}

/** Reads who clicked where, for the handlers of every kind of button. */
export async function readClick(
  body: BlockAction<ButtonAction>,
  action: ButtonAction,
  respond: RespondFn,
  deps: Pick<DispatchDeps, 'policy' | 'channels' | 'logger'>,
): Promise<Click> {
  const channelId = body.channel?.id ?? body.container?.channel_id;
  const channel = await resolveChannel(
    { id: channelId ?? '', ...(body.channel?.name ? { name: body.channel.name } : {}) },
    channelId !== undefined && needsChannelName(deps.policy, channelId),
    deps.channels,
  );
  const clicker = body.user.id;
  const audit: Click['audit'] = {
    kind: 'click',
    user: clicker,
    channel: channel.id,
    action: action.action_id,
    ...(body.user.name ? { userName: body.user.name } : {}),
    ...(body.team?.id ? { team: body.team.id } : {}),
  };
  const reply = ephemeralReply(respond);
  const say = (m: SlackMessageBody): Promise<void> =>
    reply(m).then(
      () => undefined,
      (err: unknown) =>
        deps.logger.warn({ err: slackErrorCode(err) ?? String(err) }, 'could not send an ephemeral answer'),
    );
  return { channelId, channel, clicker, audit, say };
}
