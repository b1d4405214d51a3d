import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { StepResult } from '../domain/step-result.js';
import { describeError, MeshbotError } from '../errors.js';
import { buildCommand } from '../grammar/parse-command.js';
import type { ScaleTestPlan } from '../steps/scale-test/scale-test-types.js';
import type { AuditEntry } from './audit-log.js';
import { errorResult } from './command-executor.js';
import { authorizeOnCluster, passGates, type DispatchDeps } from './dispatch-run.js';
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
import { openThreadSession, type ThreadSession } from './thread-session.js';
import { readClick } from './read-click.js';

export type ScaleTestActionArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

type Deps = DispatchDeps & { scaleTests: ScaleTestRunner };

/** What every phase of one click needs. */
interface ClickContext {
  deps: Deps;
  channel: { id: string; name?: string };
  clicker: string;
  /** The confirmation message clicked, when Slack says. */
  messageTs: string | undefined;
  value: ScaleTestButtonValue;
  command: ScaleTestCommand;
  commandText: string;
  audit: Omit<AuditEntry, 'outcome'>;
  /** The test's thread: the parent and the confirmation live there. */
  session: ThreadSession;
  /** Ephemeral answer to the person who clicked. */
  say(m: SlackMessageBody): Promise<void>;
}

/**
 * A click on Confirm or Cancel of a scale test. Stateless: the button's value carries the
 * target, who asked, the replicas the confirmation showed and the thread; it is validated,
 * the target parsed again, and the person who clicked authorized again (they may not be the
 * one who asked). Cancel closes the confirmation. Confirm passes the gates of every run
 * (authorization, rate limit), plans again (refusing if anything changed), closes the
 * confirmation, runs the test with its progress in one message updated live, and puts the
 * verdict in the thread (with the full detail when cut) and on the parent.
 */
export function handleScaleTestActions(deps: Deps) {
  return async (args: ScaleTestActionArgs): Promise<void> => {
    await args.ack();
    const ctx = await readScaleTestClick(deps, args);
    if (!ctx) return;
    if (ctx.value.op === 'cancel') {
      await cancel(ctx);
      return;
    }
    if (
      !(await passGates(
        deps,
        { userId: ctx.clicker, channel: ctx.channel, command: ctx.command },
        ctx.audit,
        ctx.say,
      ))
    )
      return;
    const plan = await planAgain(ctx);
    if (plan) await runConfirmed(ctx, plan);
  };
}

/**
 * A confirmation's cluster. One written before clusters names none: it is taken as the only
 * cluster, and refused when meshbot serves several (it could scale the wrong one).
 */
function clusterOfOldButton(deps: Deps, command: ScaleTestCommand): ScaleTestCommand {
  if (command.cluster !== undefined || !deps.clusters) return command;
  const names = deps.clusters.names;
  if (names.length !== 1) {
    throw new MeshbotError(
      'usage',
      'this confirmation does not say which cluster it is for, and meshbot serves several',
      `Ask again with /mesh scale-test ... --cluster NAME (clusters: ${names.join(', ')}).`,
    );
  }
  return { ...command, cluster: names[0]! };
}

/** Phase 1: the click's channel (resolved as every command's), its value and its command; undefined when invalid. */
async function readScaleTestClick(
  deps: Deps,
  { body, action, respond, client }: ScaleTestActionArgs,
): Promise<ClickContext | undefined> {
  const { channelId, channel, clicker, audit: base, say } = await readClick(body, action, respond, deps);
  let value: ScaleTestButtonValue;
  let command: ScaleTestCommand;
  try {
    if (!channelId) throw new MeshbotError('usage', 'this button was not clicked in a channel');
    value = decodeScaleTestButton(action.value);
    const parsed = buildCommand('scale-test', [value.target], {
      ...(value.cluster !== undefined ? { cluster: value.cluster } : {}),
    });
    if (parsed.name !== 'scale-test') throw new MeshbotError('usage', 'this button carries no scale test');
    command = clusterOfOldButton(deps, parsed);
  } catch (err) {
    const { message, hint } = describeError(err);
    deps.audit.record({ ...base, command: '(invalid button)', outcome: 'usage-error', reason: message });
    await say(renderNotice(':warning:', message, hint));
    return undefined;
  }
  const commandText = `scale-test ${value.target}${
    deps.clusters?.configured && command.cluster !== undefined ? ` --cluster ${command.cluster}` : ''
  }`;
  const session = await openThreadSession(
    { client, logger: deps.logger },
    {
      channelId: channel.id,
      metadata: (status) => scaleTestMetadata(commandText, value.requestedBy, status, body.trigger_id),
      open: { threadTs: value.thread },
    },
  );
  return {
    deps,
    channel,
    clicker,
    messageTs: body.container?.message_ts ?? body.message?.ts,
    value,
    command,
    commandText,
    audit: { ...base, command: commandText },
    session,
    say,
  };
}

const parentContext = (ctx: ClickContext): { commandText: string; requestedBy: string } => ({
  commandText: ctx.commandText,
  requestedBy: ctx.value.requestedBy,
});

/** Cancel: authorized again; the confirmation loses its buttons and the parent says so. */
async function cancel(ctx: ClickContext): Promise<void> {
  const { deps, clicker, session } = ctx;
  const decision = await authorizeOnCluster(deps, {
    userId: clicker,
    channel: ctx.channel,
    command: ctx.command,
  });
  if (!decision.allowed) {
    deps.audit.record({ ...ctx.audit, outcome: 'refused', reason: decision.code });
    await ctx.say(renderNotice(':no_entry:', `Refused: ${decision.reason}`));
    return;
  }
  if (ctx.messageTs)
    await session.updateMessage(ctx.messageTs, renderScaleTestDecided(undefined, 'cancelled', clicker));
  await session.updateParent(
    renderScaleTestParent(parentContext(ctx), 'cancelled', `by <@${clicker}>`),
    'cancelled',
  );
  deps.audit.record({ ...ctx.audit, outcome: 'ran', status: 'cancelled', thread: session.threadTs });
}

/** Confirm, phase 2: plan again; anything that changed since the confirmation is a refusal. */
async function planAgain(ctx: ClickContext): Promise<ScaleTestPlan | undefined> {
  try {
    const plan = await ctx.deps.scaleTests.plan(ctx.command.target, ctx.command.cluster);
    if (plan.fromReplicas !== ctx.value.from) {
      throw new MeshbotError(
        'refused',
        `${plan.workloadText} has ${plan.fromReplicas} replicas now, not the ${ctx.value.from} the confirmation showed`,
        'Ask again with /mesh scale-test to see the current plan.',
      );
    }
    return plan;
  } catch (err) {
    const { message, hint } = describeError(err);
    const refused = err instanceof MeshbotError && err.kind === 'refused';
    ctx.deps.audit.record({ ...ctx.audit, outcome: refused ? 'refused' : 'failed', reason: message });
    await ctx.say(
      renderNotice(refused ? ':no_entry:' : ':exclamation:', refused ? `Refused: ${message}` : message, hint),
    );
    return undefined;
  }
}

/** Confirm, phase 3: run with live progress, then the verdict in the thread and on the parent. */
async function runConfirmed(ctx: ClickContext, plan: ScaleTestPlan): Promise<void> {
  const { deps, clicker, session, value } = ctx;
  const started = Date.now();
  if (ctx.messageTs)
    await session.updateMessage(ctx.messageTs, renderScaleTestDecided(plan, 'confirmed', clicker));
  await session.updateParent(
    renderScaleTestParent(parentContext(ctx), 'running', `confirmed by <@${clicker}>`),
    'running',
  );
  const progress = await session.startProgress(renderScaleTestProgress);

  let result: StepResult;
  let refusal: MeshbotError | undefined;
  try {
    result = await deps.scaleTests.run(ctx.command.target, {
      requestedBy:
        clicker === value.requestedBy ? value.requestedBy : `${value.requestedBy} (confirmed by ${clicker})`,
      onProgress: (text) => progress.push(text),
      ...(ctx.command.cluster !== undefined ? { cluster: ctx.command.cluster } : {}),
    });
  } catch (err) {
    if (err instanceof MeshbotError && err.kind === 'refused') refusal = err;
    result = errorResult(ctx.command, value.target, err, new Date(started));
  }
  await progress.finish(refusal ? `refused: ${refusal.message}` : undefined);

  try {
    await session.postResult(result, parentContext(ctx));
  } catch (err) {
    deps.logger.warn({ err: slackErrorCode(err) ?? String(err) }, 'could not post the scale test result');
  }
  await session.updateParent(
    renderFinishedParent({ ...parentContext(ctx), via: 'confirmed' }, result),
    result.status,
  );
  deps.audit.record({
    ...ctx.audit,
    outcome: refusal ? 'refused' : 'ran',
    status: result.status,
    summary: result.summary,
    thread: session.threadTs,
    durationMs: Date.now() - started,
    ...(refusal ? { reason: refusal.message } : {}),
  });
  if (refusal) await ctx.say(renderNotice(':no_entry:', `Refused: ${refusal.message}`, refusal.hint));
}
