/**
 * proxy-log-level's own Slack messages: the confirmation (the pods and their levels now, Confirm
 * and Cancel), the same once decided, the notice that the level is raised with its Stop
 * button (updated with the time left, log-level-countdown.ts), and that notice once it ended. The parent and the results use the scale test's and the shared renderers.
 */
import { BlockCollection, Blocks, Bits, Elements, type BlockBuilder } from 'slack-block-builder';
import type { StepResult } from '../../domain/step-result.js';
import type { ProxyLogLevelPlan } from '../../steps/proxy-log-level/plan-proxy-log-level.js';
import type { ProxyLogLevelData } from '../../steps/proxy-log-level/run-proxy-log-level.js';
import { formatDuration } from '../../grammar/duration.js';
import { asSlackBlocks, type SlackMessageBody } from '../render/slack-block.js';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from '../render/slack-limits.js';
import {
  encodeLogLevelButton,
  LOG_LEVEL_CANCEL_ACTION,
  LOG_LEVEL_CONFIRM_ACTION,
  LOG_LEVEL_STOP_ACTION,
  type LogLevelButtonValue,
} from './log-level-button-value.js';

function section(text: string): BlockBuilder {
  return Blocks.Section({ text: truncate(text, SLACK_LIMITS.sectionText) });
}

export function logLevelPlanLines(plan: ProxyLogLevelPlan): string {
  const pods = plan.pods
    .slice(0, 20)
    .map((p) => `• \`${escapeMrkdwn(p.pod)}\` now \`${escapeMrkdwn(p.current)}\``);
  if (plan.pods.length > 20) pods.push(`• and ${plan.pods.length - 20} more`);
  return [
    `*What will change:* the proxies of \`${escapeMrkdwn(plan.workloadText)}\` log at \`${escapeMrkdwn(plan.level)}\` for *${formatDuration(plan.forSeconds)}*, then each pod is put back`,
    `*Cluster:* \`${escapeMrkdwn(plan.cluster)}\``,
    `*Pods (${plan.pods.length}):*`,
    ...pods,
  ].join('\n');
}

export function renderLogLevelConfirmation(
  plan: ProxyLogLevelPlan,
  value: Omit<LogLevelButtonValue, 'op'>,
): SlackMessageBody {
  const buttons = [
    Elements.Button({
      text: 'Confirm',
      actionId: LOG_LEVEL_CONFIRM_ACTION,
      value: encodeLogLevelButton({ ...value, op: 'confirm' }),
    })
      .primary()
      .confirm(
        Bits.ConfirmationDialog({
          title: 'Change the log level?',
          text: truncate(
            `${plan.workloadText}: "${plan.level}" for ${formatDuration(plan.forSeconds)}, then back.`,
            300,
          ),
          confirm: 'Set it',
          deny: 'Back',
        }),
      ),
    Elements.Button({
      text: 'Cancel',
      actionId: LOG_LEVEL_CANCEL_ACTION,
      value: encodeLogLevelButton({ ...value, op: 'cancel' }),
    }).danger(),
  ];
  return {
    text: `Proxy log level of ${plan.workloadText}: "${plan.level}" for ${formatDuration(plan.forSeconds)} on ${plan.pods.length} pod(s). Confirm or cancel.`,
    blocks: asSlackBlocks(
      BlockCollection(
        section(`*Proxy log level, asked by <@${value.requestedBy}>*\n${logLevelPlanLines(plan)}`),
        Blocks.Actions().elements(...(buttons as never[])),
        Blocks.Context().elements('Only people allowed to change the cluster may confirm.'),
      ),
    ),
  };
}

export function renderLogLevelDecided(
  plan: ProxyLogLevelPlan | undefined,
  decision: 'confirmed' | 'cancelled',
  by: string,
): SlackMessageBody {
  const line =
    decision === 'confirmed'
      ? `:white_check_mark: Confirmed by <@${by}>.`
      : `:no_entry_sign: Cancelled by <@${by}>: nothing was changed.`;
  return {
    text: decision === 'confirmed' ? `Confirmed by ${by}` : `Cancelled by ${by}`,
    blocks: asSlackBlocks(BlockCollection(section(plan ? `${logLevelPlanLines(plan)}\n${line}` : line))),
  };
}

/** Once every pod is set: until when (and, with `now`, the time left), and the Stop button. */
export function renderLogLevelRaised(
  workload: string,
  level: string,
  expiresAt: string,
  stop: LogLevelButtonValue | undefined,
  stoppedBy?: string,
  now?: number,
): SlackMessageBody {
  const leftMs = now === undefined ? undefined : Date.parse(expiresAt) - now;
  const left =
    leftMs === undefined
      ? ''
      : leftMs > 0
        ? ` (*${formatDuration(Math.ceil(leftMs / 1000))} left*)`
        : ' (*time is up: putting every pod back*)';
  const head = stoppedBy
    ? `:octagonal_sign: Stopped by <@${stoppedBy}>: putting every pod of \`${escapeMrkdwn(workload)}\` back.`
    : `:mag: The proxies of \`${escapeMrkdwn(workload)}\` log at \`${escapeMrkdwn(level)}\` until ${escapeMrkdwn(expiresAt)}${left}; then every pod is put back.`;
  const blocks: BlockBuilder[] = [section(head)];
  if (stop && !stoppedBy && (leftMs === undefined || leftMs > 0)) {
    blocks.push(
      Blocks.Actions().elements(
        Elements.Button({
          text: 'Stop',
          actionId: LOG_LEVEL_STOP_ACTION,
          value: encodeLogLevelButton(stop),
        }).danger() as never,
      ),
    );
  }
  return {
    text: stoppedBy
      ? `Stopped by ${stoppedBy}`
      : `${workload} logs at ${level} until ${expiresAt}${leftMs !== undefined && leftMs > 0 ? ` (${formatDuration(Math.ceil(leftMs / 1000))} left)` : ''}`,
    blocks: asSlackBlocks(BlockCollection(...blocks)),
  };
}

const ENDED_BY: Record<ProxyLogLevelData['endedBy'], string> = {
  expired: 'its time was up',
  stopped: 'it was stopped',
  shutdown: 'meshbot shut down',
  elsewhere: 'another meshbot put it back',
};

/** The countdown message once the change has ended: no Stop button, what was put back and why. */
export function renderLogLevelEnded(workload: string, level: string, result: StepResult): SlackMessageBody {
  const data = result.data as ProxyLogLevelData | undefined;
  if (!data || !Array.isArray(data.pods)) {
    const line = `:exclamation: The log level change of \`${escapeMrkdwn(workload)}\` ended: ${escapeMrkdwn(result.summary)}`;
    return { text: `${workload}: ${result.summary}`, blocks: asSlackBlocks(BlockCollection(section(line))) };
  }
  const back = data.pods.filter((p) => p.outcome === 'restored' || p.outcome === 'gone').length;
  const failed = data.pods.filter((p) => p.outcome === 'failed').map((p) => p.pod);
  const why = ENDED_BY[data.endedBy];
  const line = failed.length
    ? `:x: \`${escapeMrkdwn(workload)}\` logged at \`${escapeMrkdwn(level)}\` until ${why}; ${failed.length} pod(s) could not be put back: ${failed.map((p) => `\`${escapeMrkdwn(p)}\``).join(', ')} (see the result below).`
    : `:white_check_mark: \`${escapeMrkdwn(workload)}\` logged at \`${escapeMrkdwn(level)}\` until ${why}; ${back} pod(s) put back.`;
  return {
    text: failed.length
      ? `${workload}: ended (${why}); ${failed.length} pod(s) not put back`
      : `${workload}: ended (${why}); ${back} pod(s) put back`,
    blocks: asSlackBlocks(BlockCollection(section(line))),
  };
}
