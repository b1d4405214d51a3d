import { BlockCollection, Blocks } from 'slack-block-builder';
import { COMMANDS, helpText, type CommandName } from '../../grammar/parse-command.js';
import { asSlackBlocks, type SlackMessageBody } from './slack-block.js';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from './slack-limits.js';

/** Ephemeral answers: help, usage errors, refusals, rate limits, "invite me". */

export function renderHelp(topic?: CommandName): SlackMessageBody {
  const specs = topic ? COMMANDS.filter((c) => c.name === topic) : COMMANDS;
  const lines = specs.map(
    (c) =>
      `\`/mesh ${escapeMrkdwn(c.usage)}\`\n${escapeMrkdwn(c.summary)}\n_Example:_ \`/mesh ${escapeMrkdwn(c.example)}\``,
  );
  return {
    text: helpText(topic),
    blocks: asSlackBlocks(
      BlockCollection(
        Blocks.Section({
          text: topic ? `*meshbot: ${topic}*` : '*meshbot runs Linkerd incident runbook steps.*',
        }),
        ...lines.map((l) => Blocks.Section({ text: truncate(l, SLACK_LIMITS.sectionText) })),
      ),
    ),
  };
}

export function renderUsageError(
  message: string,
  hint: string | undefined,
  withHelp: boolean,
): SlackMessageBody {
  const text = `:warning: ${escapeMrkdwn(message)}${hint ? `\n${escapeMrkdwn(hint)}` : ''}`;
  const help = withHelp ? renderHelp() : undefined;
  return {
    text: `${message}${hint ? `\n${hint}` : ''}`,
    blocks: [
      ...asSlackBlocks(BlockCollection(Blocks.Section({ text: truncate(text, SLACK_LIMITS.sectionText) }))),
      ...(help ? help.blocks : []),
    ],
  };
}

export function renderNotice(emoji: string, message: string, detail?: string): SlackMessageBody {
  const text = `${emoji} ${escapeMrkdwn(message)}${detail ? `\n${escapeMrkdwn(detail)}` : ''}`;
  return {
    text: `${message}${detail ? `\n${detail}` : ''}`,
    blocks: asSlackBlocks(
      BlockCollection(Blocks.Section({ text: truncate(text, SLACK_LIMITS.sectionText) })),
    ),
  };
}

export function renderNotInChannel(botUserId: string | undefined): SlackMessageBody {
  const mention = botUserId ? `<@${botUserId}>` : '@meshbot';
  return {
    text: 'meshbot is not in this channel. Invite it with /invite @meshbot, then run the command again.',
    blocks: asSlackBlocks(
      BlockCollection(
        Blocks.Section({
          text: `:wave: I am not in this channel, so I cannot post the results here.\nInvite me with \`/invite ${mention}\` (or \`/invite @meshbot\`), then run the command again.`,
        }),
      ),
    ),
  };
}
