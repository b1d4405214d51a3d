import { BlockCollection, Blocks, Elements } from 'slack-block-builder';
import { encodeButtonValue, RUN_ACTION_ID } from '../button-value.js';
import { asSlackBlocks, type SlackMessageBody } from './slack-block.js';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from './slack-limits.js';

/** At most this many cluster buttons (Slack allows 25 elements in an actions block). */
const MAX_BUTTONS = 25;

/**
 * The answer to a command that could run on several clusters with none chosen: a button per
 * cluster. Stateless: each button is a run button carrying the command text and its cluster;
 * the click is parsed and authorized again like any command.
 */
export function renderClusterPicker(
  commandText: string,
  clusters: readonly string[],
  requestedBy: string,
): SlackMessageBody {
  const buttons = clusters.slice(0, MAX_BUTTONS).map((cluster, i) =>
    Elements.Button({
      text: truncate(cluster, SLACK_LIMITS.buttonText),
      actionId: `${RUN_ACTION_ID}:cluster-${i}`,
      value: encodeButtonValue({
        v: 1,
        kind: 'run',
        command: commandText,
        requestedBy,
        origin: 'pick-cluster',
        cluster,
      }),
    }),
  );
  const more =
    clusters.length > MAX_BUTTONS ? ` (${clusters.length - MAX_BUTTONS} more: add --cluster NAME)` : '';
  const question = `Which cluster should \`/mesh ${escapeMrkdwn(truncate(commandText, 300))}\` run on?${more}`;
  return {
    text: `Which cluster? ${clusters.join(', ')} (or add --cluster NAME)`,
    blocks: asSlackBlocks(
      BlockCollection(
        Blocks.Section({ text: truncate(question, SLACK_LIMITS.sectionText) }),
        Blocks.Actions().elements(...buttons),
        Blocks.Context().elements(
          'This channel has no default cluster; add --cluster NAME to skip this question.',
        ),
      ),
    ),
  };
}
