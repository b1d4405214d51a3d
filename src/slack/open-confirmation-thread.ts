import { describeError, MeshbotError } from '../errors.js';
import type { AuditEntry } from './audit-log.js';
import type { DispatchDeps, DispatchRequest } from './dispatch-run.js';
import { renderNotice, renderNotInChannel } from './render/render-notice.js';
import { renderScaleTestParent } from './render/render-scale-test.js';
import type { SlackMessageBody } from './render/slack-block.js';
import { scaleTestMetadata } from './scale-test-confirmation.js';
import { NOT_IN_CHANNEL_ERRORS, slackErrorCode } from './slack-error.js';

/**
 * The first half of every change of the cluster asked in Slack (the scale test,
 * proxy-log-level): plan (read-only; a refusal is an ephemeral answer saying why), open a
 * thread whose parent says a confirmation is awaited, post the confirmation in it, and audit
 * the outcome. Nothing changes here; the buttons' clicks do the rest.
 */
export async function openConfirmationThread<Plan>(
  deps: Pick<DispatchDeps, 'audit'>,
  req: DispatchRequest,
  base: Omit<AuditEntry, 'outcome'>,
  reply: (m: SlackMessageBody) => Promise<void>,
  change: {
    plan(): Promise<Plan>;
    /** The confirmation message, with its buttons, for the thread `thread`. */
    confirmation(plan: Plan, thread: string): SlackMessageBody;
    /** One line for the audit. */
    summary(plan: Plan): string;
  },
): Promise<void> {
  const started = Date.now();
  let plan: Plan;
  try {
    plan = await change.plan();
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
      ...change.confirmation(plan, thread),
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
    summary: change.summary(plan),
    thread,
    durationMs: Date.now() - started,
  });
}
