/**
 * `/mesh runbook` (the list, as an ephemeral answer) and `/mesh runbook NAME TARGET` (a run in
 * a new thread), after the gates every command passes (dispatch-run.ts). Audited.
 */
import { describeError } from '../../errors.js';
import { formatWorkloadTarget, type WorkloadTarget } from '../../grammar/targets.js';
import type { AuditEntry } from '../audit-log.js';
import type { DispatchDeps, DispatchRequest } from '../dispatch-run.js';
import { renderNotice, renderNotInChannel } from '../render/render-notice.js';
import type { SlackMessageBody } from '../render/slack-block.js';
import { NOT_IN_CHANNEL_ERRORS, slackErrorCode } from '../slack-error.js';
import { renderRunbookList } from './render-runbook-messages.js';
import { startRunbookThread, threadDeps, type SlackRunbooks } from './runbook-thread.js';

export async function dispatchRunbook(
  deps: DispatchDeps & { runbooks: SlackRunbooks },
  req: DispatchRequest & {
    command:
      { name: 'runbook'; runbook?: string; target?: string } | { name: 'restart'; target: WorkloadTarget };
  },
  base: Omit<AuditEntry, 'outcome'>,
  reply: (m: SlackMessageBody) => Promise<void>,
): Promise<void> {
  // `/mesh restart deploy/NAME.NS` is the built-in `restart` runbook: Confirm, progress, notes.
  const { runbook, target } =
    req.command.name === 'restart'
      ? { runbook: 'restart', target: formatWorkloadTarget(req.command.target) }
      : req.command;
  if (runbook === undefined || target === undefined) {
    deps.audit.record({ ...base, outcome: 'help' });
    await reply(renderRunbookList(deps.runbooks.catalog.list()));
    return;
  }
  const started = Date.now();
  try {
    const cluster = req.command.cluster;
    const { thread } = await startRunbookThread(threadDeps(deps, req.client, req.channel, cluster), {
      channelId: req.channel.id,
      userId: req.userId,
      runbookId: runbook,
      targetText: target,
      ...(cluster !== undefined ? { cluster } : {}),
    });
    deps.audit.record({
      ...base,
      outcome: 'ran',
      status: 'started',
      thread,
      durationMs: Date.now() - started,
    });
  } catch (err) {
    const code = slackErrorCode(err);
    if (code && NOT_IN_CHANNEL_ERRORS.has(code)) {
      deps.audit.record({ ...base, outcome: 'not-in-channel' });
      await reply(renderNotInChannel(req.botUserId));
      return;
    }
    const { message, hint } = describeError(err);
    deps.audit.record({ ...base, outcome: code ? 'failed' : 'usage-error', reason: code ?? message });
    await reply(renderNotice(':warning:', message, hint));
  }
}
