import { formatCommand } from '../../grammar/format-command.js';
import type { ProxyLogLevelCommand } from '../../steps/proxy-log-level/plan-proxy-log-level.js';
import type { AuditEntry } from '../audit-log.js';
import type { DispatchDeps, DispatchRequest } from '../dispatch-run.js';
import { openConfirmationThread } from '../open-confirmation-thread.js';
import type { SlackMessageBody } from '../render/slack-block.js';
import { CONFIRMATION_TTL_MS, newNonce } from '../scale-test-button-value.js';
import type { LogLevelRunner } from './log-level-runner.js';
import { renderLogLevelConfirmation } from './render-log-level.js';

/**
 * `/mesh proxy-log-level ...` from an authorized person: nothing changes yet. meshbot plans
 * (reads every pod's level; a refusal is an ephemeral answer saying why), opens a thread whose
 * parent awaits a confirmation, and posts the confirmation with Confirm / Cancel. The click
 * is handled by handle-log-level-actions.ts.
 */
export async function askLogLevelConfirmation(
  deps: DispatchDeps & { logLevels: LogLevelRunner; cluster: string },
  req: DispatchRequest & { command: ProxyLogLevelCommand },
  base: Omit<AuditEntry, 'outcome'>,
  reply: (m: SlackMessageBody) => Promise<void>,
): Promise<void> {
  await openConfirmationThread(deps, req, base, reply, {
    plan: () => deps.logLevels.plan(req.command, deps.cluster),
    confirmation: (plan, thread) =>
      renderLogLevelConfirmation(plan, {
        v: 1,
        kind: 'proxy-log-level',
        command: formatCommand(req.command),
        cluster: plan.cluster,
        requestedBy: req.userId,
        thread,
        nonce: newNonce(),
        exp: Date.now() + CONFIRMATION_TTL_MS,
      }),
    summary: (plan) => `${plan.workloadText} ${plan.pods.length} pod(s) -> ${plan.level}`,
  });
}
