import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { StepResult } from '../domain/step-result.js';
import { describeError, MeshbotError } from '../errors.js';
import { parseCommand } from '../grammar/parse-command.js';
import type { ScaleTestPlan } from '../steps/scale-test/scale-test-types.js';
import type { AuditEntry } from './audit-log.js';
import { authorize, needsChannelName } from './authorize.js';
import { resolveChannel } from './channel-directory.js';
import { errorResult } from './command-executor.js';
import { passGates, type DispatchDeps } from './dispatch-run.js';
import { renderNotice } from './render/render-notice.js';
import { renderFinishedParent } from './render/render-run-parent.js';
import {
  renderScaleTestDecided,
  renderScaleTestParent,
  renderScaleTestProgress,
} from './render/render-scale-test.js';
import type { SlackMessageBody } from './render/slack-block.js';
import { decodeScaleTestButton, type ScaleTestButtonValue } from './scale-test-button-value.js';
import { scaleTestMetadata, type ScaleTestCommand } from './scale-test-confirmation.js';
import type { ScaleTestRunner } from './scale-test-runner.js';
import { slackErrorCode } from './slack-error.js';
import { postStepResult } from './thread-session.js';

export type ScaleTestActionArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Progress updates of the live message, at most one a second (chat.update is rate limited). */
const UPDATE_EVERY_MS = 1000;

/**
 * A click on Confirm or Cancel of a scale test. Stateless: the button's value carries the
 * target, who asked, the replicas the confirmation showed and the thread; it is validated,
 * the target parsed again, and the person who clicked authorized again (they may not be the
 * one who asked). Cancel closes the confirmation. Confirm plans again (refusing if anything
 * changed), closes the confirmation, runs the test with its progress in one message updated
 * live, and puts the verdict in the thread and on the parent.
 */
export function handleScaleTestActions(deps: DispatchDeps & { scaleTests: ScaleTestRunner }) {
  return async ({ ack, body, action, respond, client }: ScaleTestActionArgs): Promise<void> => {
    await ack();
    const channelId = body.channel?.id ?? body.container?.channel_id;
    // Resolved as every command's channel: a private channel's payload name is not its name.
    const channel = await resolveChannel(
      { id: channelId ?? '', ...(body.channel?.name ? { name: body.channel.name } : {}) },
      channelId !== undefined && needsChannelName(deps.policy, channelId),
      deps.channels,
    );
    const messageTs: string | undefined = body.container?.message_ts ?? body.message?.ts;
    const clicker = body.user.id;
    const base: Omit<AuditEntry, 'outcome' | 'command'> = {
      kind: 'click',
      user: clicker,
      channel: channel.id,
      action: action.action_id,
      ...(body.user.name ? { userName: body.user.name } : {}),
      ...(body.team?.id ? { team: body.team.id } : {}),
    };
    const say = (m: SlackMessageBody): Promise<void> =>
      respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: m.text,
        blocks: m.blocks as never,
      }).then(
        () => undefined,
        (err: unknown) =>
          deps.logger.warn({ err: slackErrorCode(err) ?? String(err) }, 'could not send an ephemeral answer'),
      );

    let value: ScaleTestButtonValue;
    let command: ScaleTestCommand;
    try {
      if (!channelId) throw new MeshbotError('usage', 'this button was not clicked in a channel');
      value = decodeScaleTestButton(action.value);
      const parsed = parseCommand(`scale-test ${value.target}`);
      if (parsed.name !== 'scale-test') throw new MeshbotError('usage', 'this button carries no scale test');
      command = parsed;
    } catch (err) {
      const { message, hint } = describeError(err);
      deps.audit.record({ ...base, command: '(invalid button)', outcome: 'usage-error', reason: message });
      await say(renderNotice(':warning:', message, hint));
      return;
    }
    const commandText = `scale-test ${value.target}`;
    const audit = { ...base, command: commandText };

    const ctx = { commandText, requestedBy: value.requestedBy };
    const update = (ts: string, m: SlackMessageBody, status?: string): Promise<void> =>
      client.chat
        .update({
          channel: channel.id,
          ts,
          ...m,
          ...(status
            ? { metadata: scaleTestMetadata(commandText, value.requestedBy, status, body.trigger_id) }
            : {}),
        })
        .then(
          () => undefined,
          (err: unknown) =>
            deps.logger.warn({ err: slackErrorCode(err) ?? String(err), ts }, 'could not update a message'),
        );

    // Authorized again, on every click, for the person who clicked; Confirm runs something, so
    // the rate limit applies to it as to every run.
    if (value.op === 'cancel') {
      const decision = await authorize(deps.policy, { userId: clicker, channel, command }, deps.groups);
      if (!decision.allowed) {
        deps.audit.record({ ...audit, outcome: 'refused', reason: decision.code });
        await say(renderNotice(':no_entry:', `Refused: ${decision.reason}`));
        return;
      }
      if (messageTs) await update(messageTs, renderScaleTestDecided(undefined, 'cancelled', clicker));
      await update(value.thread, renderScaleTestParent(ctx, 'cancelled', `by <@${clicker}>`), 'cancelled');
      deps.audit.record({ ...audit, outcome: 'ran', status: 'cancelled', thread: value.thread });
      return;
    }

    if (!(await passGates(deps, { userId: clicker, channel, command }, audit, say))) return;

    // Confirm: plan again; anything that changed since the confirmation is a refusal.
    let plan: ScaleTestPlan;
    try {
      plan = await deps.scaleTests.plan(command.target);
      if (plan.fromReplicas !== value.from) {
        throw new MeshbotError(
          'refused',
          `${plan.workloadText} has ${plan.fromReplicas} replicas now, not the ${value.from} the confirmation showed`,
          'Ask again with /mesh scale-test to see the current plan.',
        );
      }
    } catch (err) {
      const { message, hint } = describeError(err);
      const refused = err instanceof MeshbotError && err.kind === 'refused';
      deps.audit.record({ ...audit, outcome: refused ? 'refused' : 'failed', reason: message });
      await say(
        renderNotice(
          refused ? ':no_entry:' : ':exclamation:',
          refused ? `Refused: ${message}` : message,
          hint,
        ),
      );
      return;
    }

    const started = Date.now();
    if (messageTs) await update(messageTs, renderScaleTestDecided(plan, 'confirmed', clicker));
    await update(
      value.thread,
      renderScaleTestParent(ctx, 'running', `confirmed by <@${clicker}>`),
      'running',
    );
    const progress = await client.chat
      .postMessage({ channel: channel.id, thread_ts: value.thread, ...renderScaleTestProgress([], false) })
      .catch((err: unknown) => {
        deps.logger.warn({ err: slackErrorCode(err) ?? String(err) }, 'could not post the progress message');
        return undefined;
      });
    const progressTs = progress?.ts;

    // One message, updated live: serialized, at most one update a second, the last one wins.
    const lines: string[] = [];
    let chain: Promise<void> = Promise.resolve();
    let lastSent = 0;
    let pending: NodeJS.Timeout | undefined;
    const flush = (finished: boolean): Promise<void> => {
      if (!progressTs) return Promise.resolve();
      lastSent = Date.now();
      const snapshot = [...lines];
      chain = chain.then(() => update(progressTs, renderScaleTestProgress(snapshot, finished)));
      return chain;
    };
    const onProgress = (text: string): void => {
      lines.push(text);
      if (pending) return;
      const wait = Math.max(0, lastSent + UPDATE_EVERY_MS - Date.now());
      pending = setTimeout(() => {
        pending = undefined;
        void flush(false);
      }, wait);
    };

    let result: StepResult;
    let refusal: MeshbotError | undefined;
    try {
      result = await deps.scaleTests.run(command.target, {
        requestedBy:
          clicker === value.requestedBy
            ? value.requestedBy
            : `${value.requestedBy} (confirmed by ${clicker})`,
        onProgress,
      });
    } catch (err) {
      if (err instanceof MeshbotError && err.kind === 'refused') refusal = err;
      result = errorResult(command, value.target, err, new Date(started));
    } finally {
      if (pending) clearTimeout(pending);
      pending = undefined;
    }
    if (refusal) lines.push(`refused: ${refusal.message}`);
    await flush(true);

    try {
      await postStepResult(client, { channelId: channel.id, threadTs: value.thread }, result, {
        commandText,
        requestedBy: value.requestedBy,
      });
    } catch (err) {
      deps.logger.warn({ err: slackErrorCode(err) ?? String(err) }, 'could not post the scale test result');
    }
    await update(value.thread, renderFinishedParent({ ...ctx, via: 'confirmed' }, result), result.status);
    deps.audit.record({
      ...audit,
      outcome: refusal ? 'refused' : 'ran',
      status: result.status,
      summary: result.summary,
      thread: value.thread,
      durationMs: Date.now() - started,
      ...(refusal ? { reason: refusal.message } : {}),
    });
    if (refusal) await say(renderNotice(':no_entry:', `Refused: ${refusal.message}`, refusal.hint));
  };
}
