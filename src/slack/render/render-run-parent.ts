import { BlockCollection, Blocks } from 'slack-block-builder';
import type { StepResult } from '../../domain/step-result.js';
import { asSlackBlocks, type SlackMessageBody } from './slack-block.js';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from './slack-limits.js';
import { statusLabel } from './status-label.js';

export interface RunParentContext {
  commandText: string;
  requestedBy: string;
  /** e.g. "re-run" when a button started it. */
  via?: string;
}

function commandCode(commandText: string): string {
  return `\`/mesh ${escapeMrkdwn(truncate(commandText, 300))}\``;
}

function askedBy(ctx: RunParentContext): string {
  return `asked by <@${ctx.requestedBy}>${ctx.via ? ` (${escapeMrkdwn(ctx.via)})` : ''}`;
}

/** The channel message that opens a run's thread: what runs, who asked, and its progress. */
export function renderRunningParent(ctx: RunParentContext, progress?: string): SlackMessageBody {
  const progressLine = progress ? `\n${escapeMrkdwn(truncate(progress, 500))}` : '';
  return {
    text: `Running /mesh ${truncate(ctx.commandText, 300)}, ${askedBy(ctx)}`,
    blocks: asSlackBlocks(
      BlockCollection(
        Blocks.Section({
          text: truncate(
            `*${statusLabel('running')}*  ${commandCode(ctx.commandText)}, ${askedBy(ctx)}${progressLine}`,
            SLACK_LIMITS.sectionText,
          ),
        }),
        Blocks.Context().elements('The results will appear in this thread.'),
      ),
    ),
  };
}

/** The parent once the run is over: final status and the one-line summary. */
export function renderFinishedParent(ctx: RunParentContext, result: StepResult): SlackMessageBody {
  return {
    text: `${result.status}: ${truncate(result.summary, 2000)} (/mesh ${truncate(ctx.commandText, 300)})`,
    blocks: asSlackBlocks(
      BlockCollection(
        Blocks.Section({
          text: truncate(
            `*${statusLabel(result.status)}*  ${commandCode(ctx.commandText)}\n${escapeMrkdwn(result.summary)}`,
            SLACK_LIMITS.sectionText,
          ),
        }),
        Blocks.Context().elements(`${askedBy(ctx)} · ${result.durationMs} ms · details in the thread`),
      ),
    ),
  };
}
