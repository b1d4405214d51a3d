import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { describeError, UsageError } from '../errors.js';
import { parseCommand, tokenize, type MeshCommand } from '../grammar/parse-command.js';
import { printable } from '../grammar/targets.js';
import { checkChannel, needsChannelName } from './authorize.js';
import { resolveChannel } from './channel-directory.js';
import { dispatchRun, type DispatchDeps } from './dispatch-run.js';
import { ephemeralReply } from './ephemeral-reply.js';
import { renderHelp, renderNotice, renderUsageError } from './render/render-notice.js';

export type MeshCommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * `/mesh <text>`: ack at once (Slack allows 3 s), then parse with the shared grammar.
 * Usage errors and help are ephemeral answers; a runnable command goes through
 * `dispatchRun` (authorization, rate limit, the thread, the audit line).
 */
export function handleMeshCommand(deps: DispatchDeps) {
  return async ({ command, ack, respond, client, context }: MeshCommandArgs): Promise<void> => {
    await ack();
    const commandText = tokenize(command.text ?? '').join(' ');
    const channel = await resolveChannel(
      { id: command.channel_id, ...(command.channel_name ? { name: command.channel_name } : {}) },
      needsChannelName(deps.policy, command.channel_id),
      deps.channels,
    );
    const base = {
      kind: 'command' as const,
      user: command.user_id,
      userName: command.user_name,
      channel: channel.id,
      ...(channel.name ? { channelName: channel.name } : {}),
      team: command.team_id,
      command: commandText,
    };
    const say = ephemeralReply(respond);

    // The channel check comes first: in a channel meshbot does not serve, it says only that.
    const channelDecision = checkChannel(deps.policy, channel);
    if (!channelDecision.allowed) {
      deps.audit.record({ ...base, outcome: 'refused', reason: 'channel' });
      await say(renderNotice(':no_entry:', `Refused: ${channelDecision.reason}`)).catch(() => undefined);
      return;
    }

    let parsed: MeshCommand;
    try {
      parsed = parseCommand(command.text ?? '');
    } catch (err) {
      const { message, hint } = describeError(err);
      deps.audit.record({
        ...base,
        command: printable(commandText),
        outcome: 'usage-error',
        reason: message,
      });
      const unknown = err instanceof UsageError && message.startsWith('unknown command');
      await say(renderUsageError(message, hint, unknown)).catch(() => undefined);
      return;
    }
    if (parsed.name === 'help') {
      deps.audit.record({ ...base, outcome: 'help' });
      await say(renderHelp(parsed.topic)).catch(() => undefined);
      return;
    }
    await dispatchRun(deps, {
      kind: 'command',
      userId: command.user_id,
      userName: command.user_name,
      channel,
      team: command.team_id,
      commandText,
      command: parsed,
      triggerId: command.trigger_id,
      ...(context.botUserId ? { botUserId: context.botUserId } : {}),
      client,
      respond: say,
    });
  };
}
