import type { AuditEntry } from './audit-log.js';
import type { DispatchDeps, DispatchRequest } from './dispatch-run.js';
import type { SlackMessageBody } from './render/slack-block.js';
import { renderScaleTestConfirmation } from './render/render-scale-test.js';
import { openConfirmationThread } from './open-confirmation-thread.js';
import { CONFIRMATION_TTL_MS, newNonce } from './scale-test-button-value.js';
import type { ScaleTestRunner } from './scale-test-runner.js';
import { formatScaleTarget } from '../steps/scale-test/resolve-scale-target.js';
import type { RunnableCommand } from './command-executor.js';

export type ScaleTestCommand = Extract<RunnableCommand, { name: 'scale-test' }>;

/** Message metadata of a scale test's parent (the same event type as other runs). */
export function scaleTestMetadata(
  commandText: string,
  requestedBy: string,
  status: string,
  triggerId = '',
): { event_type: string; event_payload: Record<string, string> } {
  return {
    event_type: 'meshbot_run',
    event_payload: { command: commandText, requested_by: requestedBy, status, trigger_id: triggerId },
  };
}

/**
 * `/mesh scale-test ...` from an authorized person: nothing runs yet. meshbot plans the test
 * (read-only; a safety refusal is an ephemeral answer saying why), opens a thread whose parent
 * says a confirmation is awaited, and posts the confirmation in it: what will change, the
 * longest it may take, and Confirm / Cancel buttons whose values carry everything the click
 * needs. The click is handled by handle-scale-test-actions.ts.
 */
export async function askScaleTestConfirmation(
  deps: DispatchDeps & { scaleTests: ScaleTestRunner },
  req: DispatchRequest & { command: ScaleTestCommand },
  base: Omit<AuditEntry, 'outcome'>,
  reply: (m: SlackMessageBody) => Promise<void>,
): Promise<void> {
  await openConfirmationThread(deps, req, base, reply, {
    plan: () => deps.scaleTests.plan(req.command.target, req.command.cluster),
    confirmation: (plan, thread) =>
      renderScaleTestConfirmation(plan, {
        v: 1,
        kind: 'scale-test',
        target: formatScaleTarget(req.command.target),
        requestedBy: req.userId,
        from: plan.fromReplicas,
        thread,
        nonce: newNonce(),
        exp: Date.now() + CONFIRMATION_TTL_MS,
        ...(req.command.cluster !== undefined ? { cluster: req.command.cluster } : {}),
      }),
    summary: (plan) => `${plan.workloadText} ${plan.fromReplicas} -> ${plan.toReplicas}`,
  });
}
