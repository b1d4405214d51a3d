import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describeError, UsageError } from '../errors.js';
import { parseCommand, type MeshCommand } from '../grammar/parse-command.js';
import { decodeButtonValue, type ButtonValue } from './button-value.js';
import { dispatchRun, type DispatchDeps } from './dispatch-run.js';
import { readClick } from './read-click.js';
import { renderNotice } from './render/render-notice.js';

export type RunButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * A click on a "Run again" or next-step button. Stateless: the button's value carries the
 * command, validated with zod and parsed again by the grammar; authorization is checked for
 * the person who clicked, who may not be the one who asked.
 */
export function handleRunButton(deps: DispatchDeps) {
  return async ({ ack, body, action, respond, client, context }: RunButtonArgs): Promise<void> => {
    await ack();
    const { channelId, channel, audit: base, say } = await readClick(body, action, respond, deps);

    let value: ButtonValue;
    let command: MeshCommand;
    try {
      if (!channelId) throw new Error('this button was not clicked in a channel');
      value = decodeButtonValue(action.value);
      command = parseCommand(value.command);
      // The button's cluster (where its result came from, or the one picked) wins over none.
      if (value.cluster !== undefined && command.name !== 'help') {
        if (command.cluster !== undefined && command.cluster !== value.cluster) {
          throw new UsageError(
            'this button names two different clusters',
            'Run the command again with /mesh.',
          );
        }
        command = { ...command, cluster: value.cluster };
      }
    } catch (err) {
      const { message, hint } = describeError(err);
      deps.audit.record({ ...base, command: '(invalid button)', outcome: 'usage-error', reason: message });
      await say(renderNotice(':warning:', message, hint));
      return;
    }
    if (command.name === 'help') {
      deps.audit.record({ ...base, command: value.command, outcome: 'help' });
      return;
    }
    await dispatchRun(deps, {
      kind: 'click',
      action: action.action_id,
      userId: body.user.id,
      ...(body.user.name ? { userName: body.user.name } : {}),
      channel,
      ...(body.team?.id ? { team: body.team.id } : {}),
      commandText: value.command,
      command,
      via:
        value.origin === 'rerun'
          ? 'run again'
          : value.origin === 'pick-cluster'
            ? 'cluster picked'
            : 'next step',
      triggerId: body.trigger_id,
      ...(context.botUserId ? { botUserId: context.botUserId } : {}),
      client,
      respond: say,
    });
  };
}
