/**
 * The scale test's own Slack messages: the parent while it waits for a confirmation, the
 * confirmation with its Confirm and Cancel buttons, the same once decided, and the progress
 * message that is updated as stages come. Results use the shared renderers.
 */
import { BlockCollection, Blocks, Bits, Elements, type BlockBuilder } from 'slack-block-builder';
import { limitText } from '../../steps/scale-test/judge-scale-test.js';
import type { ScaleTestPlan } from '../../steps/scale-test/scale-test-types.js';
import {
  encodeScaleTestButton,
  SCALE_TEST_CANCEL_ACTION,
  SCALE_TEST_CONFIRM_ACTION,
  type ScaleTestButtonValue,
} from '../scale-test-button-value.js';
import { asSlackBlocks, type SlackMessageBody } from './slack-block.js';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from './slack-limits.js';

export interface ScaleTestParentContext {
  commandText: string;
  requestedBy: string;
}

function section(text: string): BlockBuilder {
  return Blocks.Section({ text: truncate(text, SLACK_LIMITS.sectionText) });
}

function commandCode(commandText: string): string {
  return `\`/mesh ${escapeMrkdwn(truncate(commandText, 300))}\``;
}

/** The channel message a scale test's thread hangs from, before it runs (or instead of running). */
export function renderScaleTestParent(
  ctx: ScaleTestParentContext,
  state: 'awaiting' | 'cancelled' | 'running' | 'refused',
  detail?: string,
): SlackMessageBody {
  const word = {
    awaiting: ':raised_hand: Waiting for a confirmation',
    cancelled: ':no_entry_sign: Cancelled',
    running: ':hourglass_flowing_sand: Running',
    refused: ':no_entry: Refused',
  }[state];
  // `detail` is mrkdwn meshbot writes (e.g. `confirmed by <@U012>`), never user text.
  const extra = detail ? `\n${truncate(detail, 500)}` : '';
  return {
    text: `${word.replace(/^:[a-z_]+: /, '')}: /mesh ${truncate(ctx.commandText, 300)}, asked by <@${ctx.requestedBy}>`,
    blocks: asSlackBlocks(
      BlockCollection(
        section(`*${word}*  ${commandCode(ctx.commandText)}, asked by <@${ctx.requestedBy}>${extra}`),
        Blocks.Context().elements('This changes the cluster and puts it back; details in the thread.'),
      ),
    ),
  };
}

export function planLines(plan: ScaleTestPlan): string {
  return [
    `*What will change:* \`${escapeMrkdwn(plan.workloadText)}\` replicas *${plan.fromReplicas} → ${plan.toReplicas}*, then back to *${plan.fromReplicas}*`,
    `*Namespace:* \`${escapeMrkdwn(plan.workload.namespace)}\``,
    `*Watched:* ${plan.authorities.map((a) => `\`${escapeMrkdwn(a)}\``).join(', ')}`,
    `*Longest it may take:* ${limitText(plan.longestMs)} (${limitText(plan.stageTimeoutMs)} per stage); the replicas are put back in every outcome.`,
  ].join('\n');
}

/** The confirmation, in the thread: what will change and the two buttons. */
export function renderScaleTestConfirmation(
  plan: ScaleTestPlan,
  value: Omit<ScaleTestButtonValue, 'op'>,
): SlackMessageBody {
  const buttons = [
    Elements.Button({
      text: 'Confirm',
      actionId: SCALE_TEST_CONFIRM_ACTION,
      value: encodeScaleTestButton({ ...value, op: 'confirm' }),
    })
      .primary()
      .confirm(
        Bits.ConfirmationDialog({
          title: 'Change the cluster?',
          text: truncate(
            `${plan.workloadText}: ${plan.fromReplicas} -> ${plan.toReplicas} replicas, then back.`,
            300,
          ),
          confirm: 'Scale it',
          deny: 'Back',
        }),
      ),
    Elements.Button({
      text: 'Cancel',
      actionId: SCALE_TEST_CANCEL_ACTION,
      value: encodeScaleTestButton({ ...value, op: 'cancel' }),
    }).danger(),
  ];
  return {
    text: `Scale test of ${plan.workloadText}: replicas ${plan.fromReplicas} -> ${plan.toReplicas} and back, at most ${limitText(plan.longestMs)}. Confirm or cancel.`,
    blocks: asSlackBlocks(
      BlockCollection(
        section(`*Scale test, asked by <@${value.requestedBy}>*\n${planLines(plan)}`),
        Blocks.Actions().elements(...(buttons as never[])),
        Blocks.Context().elements('Only people allowed to change the cluster may confirm.'),
      ),
    ),
  };
}

/** The confirmation once someone decided: no buttons left. */
export function renderScaleTestDecided(
  plan: ScaleTestPlan | undefined,
  decision: 'confirmed' | 'cancelled',
  by: string,
): SlackMessageBody {
  const line =
    decision === 'confirmed'
      ? `:white_check_mark: Confirmed by <@${by}>: running.`
      : `:no_entry_sign: Cancelled by <@${by}>: nothing was changed.`;
  return {
    text: decision === 'confirmed' ? `Confirmed by ${by}` : `Cancelled by ${by}`,
    blocks: asSlackBlocks(BlockCollection(section(plan ? `${planLines(plan)}\n${line}` : line))),
  };
}

/** The live progress message: every stage line so far. */
export function renderScaleTestProgress(lines: readonly string[], finished: boolean): SlackMessageBody {
  const head = finished ? '*Scale test: finished*' : '*Scale test: running*';
  // Keep the newest lines when the text would pass a section's limit.
  let body = lines.map((l) => `• ${escapeMrkdwn(l)}`);
  while (body.length > 1 && `${head}\n${body.join('\n')}`.length > SLACK_LIMITS.sectionText)
    body = body.slice(1);
  return {
    text: `${finished ? 'Scale test finished' : 'Scale test running'}: ${lines[lines.length - 1] ?? ''}`,
    blocks: asSlackBlocks(BlockCollection(section(`${head}\n${body.join('\n') || '• starting'}`))),
  };
}
