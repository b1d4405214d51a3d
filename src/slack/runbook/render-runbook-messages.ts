/**
 * A runbook thread's own messages: the checklist parent (every step with its state and time),
 * the decision before a paused step or a step that changes the cluster (Continue, Skip, Stop;
 * Confirm, Cancel), that decision once taken, the closing summary, and the list of runbooks.
 * Step results themselves use the shared renderers (postStepResult).
 */
import { BlockCollection, Blocks, Bits, Elements } from 'slack-block-builder';
import type { Runbook, RunbookStep } from '../../runbooks/load-runbooks.js';
import type { StepOutcome } from '../../runbooks/runbook-runner.js';
import { asSlackBlocks, type SlackMessageBody } from '../render/slack-block.js';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from '../render/slack-limits.js';
import {
  encodeRunbookButton,
  RUNBOOK_ACTION_PREFIX,
  type RunbookButtonValue,
  type RunbookOp,
} from './runbook-button-value.js';

export type ChecklistState = StepOutcome | 'pending' | 'running' | 'waiting';

export interface ChecklistLine {
  step: RunbookStep;
  state: ChecklistState;
  /** When it ran or was decided, ms since the epoch. */
  at?: number;
}

const MARK: Record<ChecklistState, string> = {
  pending: ':white_circle: pending',
  running: ':hourglass_flowing_sand: running',
  waiting: ':raised_hand: waiting for a decision',
  pass: ':white_check_mark: pass',
  warn: ':warning: warn',
  fail: ':x: fail',
  error: ':exclamation: error',
  skipped: ':fast_forward: skipped',
  stopped: ':octagonal_sign: stopped',
};

const clock = (ms: number): string => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

export function renderChecklistParent(
  runbook: Runbook,
  ctx: { targetText: string; requestedBy: string; cluster: string },
  lines: ChecklistLine[],
  ending?: { conclusion: string },
): SlackMessageBody {
  const head = `*Runbook: ${escapeMrkdwn(runbook.title)}* on \`${escapeMrkdwn(ctx.targetText)}\`, asked by <@${ctx.requestedBy}> (cluster ${escapeMrkdwn(ctx.cluster)})`;
  const list = lines
    .map(
      (l, i) =>
        `${MARK[l.state]}  ${i + 1}. ${escapeMrkdwn(l.step.title)}${l.step.changesCluster ? ' _(changes the cluster)_' : ''}${l.at !== undefined ? `  ·  ${clock(l.at)}` : ''}`,
    )
    .join('\n');
  return {
    text: `Runbook ${runbook.id} on ${ctx.targetText}${ending ? ': finished' : ''}`,
    blocks: asSlackBlocks(
      BlockCollection(
        Blocks.Section({ text: truncate(head, SLACK_LIMITS.sectionText) }),
        Blocks.Section({ text: truncate(list, SLACK_LIMITS.sectionText) }),
        ...(ending
          ? [
              Blocks.Section({
                text: truncate(`*Conclusion:* ${escapeMrkdwn(ending.conclusion)}`, SLACK_LIMITS.sectionText),
              }),
            ]
          : []),
        Blocks.Context().elements(
          ending ? 'Finished; the incident notes are in the thread.' : 'Each step reports in the thread.',
        ),
      ),
    ),
  };
}

function button(text: string, op: RunbookOp, value: Omit<RunbookButtonValue, 'op'>) {
  return Elements.Button({
    text,
    actionId: `${RUNBOOK_ACTION_PREFIX}${op}`,
    value: encodeRunbookButton({ ...value, op }),
  });
}

/** The decision before a step: what it does and why, and the buttons. */
export function renderRunbookDecision(
  step: RunbookStep,
  command: string,
  value: Omit<RunbookButtonValue, 'op'>,
): SlackMessageBody {
  const intro = step.changesCluster
    ? `*Next: ${escapeMrkdwn(step.title)}*: this changes the cluster and waits for an authorized person's confirmation.`
    : `*Next: ${escapeMrkdwn(step.title)}*: the runbook pauses here.`;
  const buttons = step.changesCluster
    ? [
        button('Confirm', 'confirm', value)
          .primary()
          .confirm(
            Bits.ConfirmationDialog({
              title: 'Change the cluster?',
              text: truncate(`Run /mesh ${command}`, 300),
              confirm: 'Confirm',
              deny: 'Back',
            }),
          ),
        button('Cancel', 'cancel', value),
        button('Stop the runbook', 'stop', value).danger(),
      ]
    : [
        button('Continue', 'continue', value).primary(),
        button('Skip', 'skip', value),
        button('Stop', 'stop', value).danger(),
      ];
  return {
    text: `Next: ${step.title} (/mesh ${command})`,
    blocks: asSlackBlocks(
      BlockCollection(
        Blocks.Section({
          text: truncate(
            `${intro}\n\`/mesh ${escapeMrkdwn(command)}\`\n_Why:_ ${escapeMrkdwn(step.why)}`,
            SLACK_LIMITS.sectionText,
          ),
        }),
        Blocks.Actions().elements(...buttons),
        Blocks.Context().elements(`These buttons expire at ${new Date(value.exp).toISOString()}.`),
      ),
    ),
  };
}

/** The decision once taken: the same text, no buttons. */
export function renderRunbookDecided(step: RunbookStep, command: string, what: string): SlackMessageBody {
  return {
    text: `${step.title}: ${what}`,
    blocks: asSlackBlocks(
      BlockCollection(
        Blocks.Section({
          text: truncate(
            `*${escapeMrkdwn(step.title)}*  \`/mesh ${escapeMrkdwn(command)}\`\n${what}`,
            SLACK_LIMITS.sectionText,
          ),
        }),
      ),
    ),
  };
}

export function renderRunbookSummary(
  path: Array<{ title: string; outcome: StepOutcome; confirmedBy?: string }>,
  conclusion: string,
): SlackMessageBody {
  const lines = path.map(
    (p, i) =>
      `${MARK[p.outcome]}  ${i + 1}. ${escapeMrkdwn(p.title)}${p.confirmedBy ? ` (confirmed by <@${p.confirmedBy}>)` : ''}`,
  );
  return {
    text: `Runbook finished: ${conclusion}`,
    blocks: asSlackBlocks(
      BlockCollection(
        Blocks.Section({ text: truncate(`*The path taken*\n${lines.join('\n')}`, SLACK_LIMITS.sectionText) }),
        Blocks.Section({
          text: truncate(`*Conclusion:* ${escapeMrkdwn(conclusion)}`, SLACK_LIMITS.sectionText),
        }),
      ),
    ),
  };
}

export function renderRunbookList(runbooks: Runbook[]): SlackMessageBody {
  const lines = runbooks.map(
    (r) =>
      `*${escapeMrkdwn(r.id)}* \`${r.target === 'service' ? 'SERVICE.NAMESPACE' : 'deploy/NAME.NAMESPACE'}\`: ${escapeMrkdwn(truncate(r.summary, 400))}`,
  );
  return {
    text: `Runbooks: ${runbooks.map((r) => r.id).join(', ')}`,
    blocks: asSlackBlocks(
      BlockCollection(
        Blocks.Section({
          text: truncate(lines.join('\n\n') || 'No runbooks are loaded.', SLACK_LIMITS.sectionText),
        }),
        Blocks.Context().elements(
          'Start one: /mesh runbook NAME TARGET, e.g. /mesh runbook stale-endpoints web-svc.emojivoto',
        ),
      ),
    ),
  };
}
