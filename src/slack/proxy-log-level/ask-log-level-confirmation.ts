import { describeError, MeshbotError } from '../../errors.js';
import { formatCommand } from '../../grammar/format-command.js';
import type { ProxyLogLevelCommand } from '../../steps/proxy-log-level/plan-proxy-log-level.js';
import type { AuditEntry } from '../audit-log.js';
import type { DispatchDeps, DispatchRequest } from '../dispatch-run.js';
import { renderNotice, renderNotInChannel } from '../render/render-notice.js';
import { renderScaleTestParent } from '../render/render-scale-test.js';
import type { SlackMessageBody } from '../render/slack-block.js';
import { CONFIRMATION_TTL_MS, newNonce } from '../scale-test-button-value.js';
import { scaleTestMetadata } from '../scale-test-confirmation.js';
import { NOT_IN_CHANNEL_ERRORS, slackErrorCode } from '../slack-error.js';
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
  const started = Date.now();
  let plan;
  try {
    plan = await deps.logLevels.plan(req.command, deps.cluster);
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
      ...renderLogLevelConfirmation(plan, {
        v: 1,
        kind: 'proxy-log-level',
        command: formatCommand(req.command),
        cluster: plan.cluster,
        requestedBy: req.userId,
        thread,
        nonce: newNonce(),
        exp: Date.now() + CONFIRMATION_TTL_MS,
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
    summary: `${plan.workloadText} ${plan.pods.length} pod(s) -> ${plan.level}`,
    thread,
    durationMs: Date.now() - started,
  });
}
