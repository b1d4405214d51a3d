import { describeError, MeshbotError } from '../errors.js';
import type { AuditEntry } from './audit-log.js';
import type { DispatchDeps, DispatchRequest } from './dispatch-run.js';
import { renderNotice, renderNotInChannel } from './render/render-notice.js';
import type { SlackMessageBody } from './render/slack-block.js';
import { renderScaleTestConfirmation, renderScaleTestParent } from './render/render-scale-test.js';
import { CONFIRMATION_TTL_MS, newNonce } from './scale-test-button-value.js';
import type { ScaleTestRunner } from './scale-test-runner.js';
import { NOT_IN_CHANNEL_ERRORS, slackErrorCode } from './slack-error.js';
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
  const started = Date.now();
  let plan;
  try {
    plan = await deps.scaleTests.plan(req.command.target, req.command.cluster);
  } catch (err) {
    const { message, hint } = describeError(err);
    const refused = err instanceof MeshbotError && err.kind === 'refused';
    deps.audit.record({
      ...base,
      outcome: refused ? 'refused' : 'failed',
      reason: message,
      durationMs: Date.now() - started,
    });
    await reply(
      renderNotice(refused ? ':no_entry:' : ':exclamation:', refused ? `Refused: ${message}` : message, hint),
    );
    return;
  }
  const ctx = { commandText: req.commandText, requestedBy: req.userId };
  let thread: string;
  try {
    const parent = await req.client.chat.postMessage({
      channel: req.channel.id,
      ...renderScaleTestParent(ctx, 'awaiting'),
      metadata: scaleTestMetadata(req.commandText, req.userId, 'awaiting-confirmation', req.triggerId),
    });
    if (!parent.ts) throw new Error('chat.postMessage returned no ts');
    thread = parent.ts;
    await req.client.chat.postMessage({
      channel: req.channel.id,
      thread_ts: thread,
      ...renderScaleTestConfirmation(plan, {
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
    });
  } catch (err) {
    const code = slackErrorCode(err);
    if (code && NOT_IN_CHANNEL_ERRORS.has(code)) {
      deps.audit.record({ ...base, outcome: 'not-in-channel' });
      await reply(renderNotInChannel(req.botUserId));
      return;
    }
    deps.audit.record({ ...base, outcome: 'failed', reason: code ?? String(err) });
    await reply(
      renderNotice(
        ':exclamation:',
        `meshbot could not post the confirmation in this channel (${code ?? 'error'}).`,
      ),
    );
    return;
  }
  deps.audit.record({
    ...base,
    outcome: 'ran',
    status: 'awaiting-confirmation',
    summary: `${plan.workloadText} ${plan.fromReplicas} -> ${plan.toReplicas}`,
    thread,
    durationMs: Date.now() - started,
  });
}
