/**
 * Clicks on a report finding's Snooze (1 h / 1 day) and Run again buttons. Snoozing silences
 * an alert, so only the people authorized to change the cluster (authorization.mutators) may;
 * every click is audited. Run again runs the report now on the replica that got the click.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describeError } from '../errors.js';
import { authorize, checkChannel, checkMutator } from './authorize.js';
import type { DispatchDeps } from './dispatch-run.js';
import { renderNotice } from './render/render-notice.js';
import { readClick } from './read-click.js';
import { decodeReportButton } from './report-button-value.js';

export type ReportActionArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** What the report service offers the buttons (src/drift/start-report-service.ts). */
export interface ReportActions {
  snooze(report: string, fingerprint: string, ms: number, by: string): Promise<void>;
  runNow(report: string): Promise<void>;
}

export function handleReportActions(
  deps: Pick<DispatchDeps, 'policy' | 'groups' | 'audit' | 'channels' | 'logger'>,
  reports: ReportActions,
) {
  return async ({ ack, body, action, respond, client }: ReportActionArgs): Promise<void> => {
    await ack();
    // The channel resolved as for commands: a private channel's payload name is not its name.
    const click = await readClick(body, action, respond, deps);
    const { channel: where, clicker, audit: base } = click;
    const channelId = where.id;
    const threadTs: string | undefined =
      body.message?.thread_ts ?? body.container?.thread_ts ?? body.message?.ts;
    const say = (emoji: string, text: string, hint?: string) => click.say(renderNotice(emoji, text, hint));
    let value;
    try {
      value = decodeReportButton(action.value);
    } catch (err) {
      const { message } = describeError(err);
      deps.audit.record({ ...base, command: '(invalid button)', outcome: 'usage-error', reason: message });
      await say(':warning:', message);
      return;
    }
    const command =
      value.kind === 'snooze'
        ? `report snooze ${value.report} ${value.fingerprint} ${value.hours === 1 ? '1h' : '1d'}`
        : `report run ${value.report}`;
    // Run again is `report run NAME` (the namespaces of the report's scope); a snooze silences
    // an alert, so it is for the people who may change the cluster.
    const channel = checkChannel(deps.policy, where);
    const decision = !channel.allowed
      ? channel
      : value.kind === 'snooze'
        ? await checkMutator(deps.policy, clicker, deps.groups)
        : await authorize(
            deps.policy,
            {
              userId: clicker,
              channel: where,
              command: { name: 'report', action: 'run', report: value.report },
            },
            deps.groups,
          );
    if (!decision.allowed) {
      deps.audit.record({ ...base, command, outcome: 'refused', reason: decision.code });
      await say(':no_entry:', `Refused: ${decision.reason}`);
      return;
    }
    try {
      if (value.kind === 'snooze') {
        await reports.snooze(value.report, value.fingerprint, value.hours * 3_600_000, clicker);
        await client.chat.postMessage({
          channel: channelId,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          text: `:zzz: Snoozed for ${value.hours === 1 ? '1 hour' : '1 day'} by <@${clicker}>: not posted or reminded until then.`,
        });
      } else {
        await reports.runNow(value.report);
      }
      deps.audit.record({ ...base, command, outcome: 'ran' });
    } catch (err) {
      const { message, hint } = describeError(err);
      deps.audit.record({ ...base, command, outcome: 'failed', reason: message });
      await say(':exclamation:', message, hint);
    }
  };
}
