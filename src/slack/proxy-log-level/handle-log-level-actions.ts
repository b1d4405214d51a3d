import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { StepResult } from '../../domain/step-result.js';
import { describeError, MeshbotError } from '../../errors.js';
import { parseCommand } from '../../grammar/parse-command.js';
import { formatWorkloadTarget } from '../../grammar/targets.js';
import type { ProxyLogLevelCommand } from '../../steps/proxy-log-level/plan-proxy-log-level.js';
import { errorResult } from '../command-executor.js';
import { authorizeOnCluster, passGates, type DispatchDeps } from '../dispatch-run.js';
import { readClick } from '../read-click.js';
import { renderNotice } from '../render/render-notice.js';
import { renderFinishedParent } from '../render/render-run-parent.js';
import { renderScaleTestParent, renderScaleTestProgress } from '../render/render-scale-test.js';
import { scaleTestMetadata } from '../scale-test-confirmation.js';
import { newNonce } from '../scale-test-button-value.js';
import { slackErrorCode } from '../slack-error.js';
import { openThreadSession } from '../thread-session.js';
import { decodeLogLevelButton, type LogLevelButtonValue } from './log-level-button-value.js';
import type { LogLevelRunner } from './log-level-runner.js';
import { startLogLevelCountdown, type LogLevelCountdown } from './log-level-countdown.js';
import { renderLogLevelDecided, renderLogLevelEnded, renderLogLevelRaised } from './render-log-level.js';

export type LogLevelActionArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

type Deps = DispatchDeps & { logLevels: LogLevelRunner };

/**
 * A click on Confirm, Cancel or Stop of a proxy-log-level thread. Stateless: the button carries
 * the command, who asked, the cluster and the thread (and, for Stop, the change's record id);
 * it is validated, the command parsed again, and the person who clicked authorized again for
 * it (a change of the cluster). Confirm plans again, runs the change with its progress live and
 * a Stop button once every pod is set (its message counting down the time left, updated every
 * minute, and finalized when the change ends), and posts the result when every pod is back. Stop puts
 * the pods back at once, whichever replica holds the change.
 */
export function handleLogLevelActions(deps: Deps) {
  return async (args: LogLevelActionArgs): Promise<void> => {
    await args.ack();
    const { body, action, respond, client } = args;
    const { channelId, channel, clicker, audit: base, say } = await readClick(body, action, respond, deps);
    let value: LogLevelButtonValue;
    let command: ProxyLogLevelCommand;
    try {
      if (!channelId) throw new MeshbotError('usage', 'this button was not clicked in a channel');
      value = decodeLogLevelButton(action.value);
      const parsed = parseCommand(value.command);
      if (parsed.name !== 'proxy-log-level')
        throw new MeshbotError('usage', 'this button carries no proxy-log-level command');
      // Authorized (and run) on the cluster the button names, whose own authorization applies.
      command = deps.clusters?.configured ? { ...parsed, cluster: value.cluster } : parsed;
    } catch (err) {
      const { message, hint } = describeError(err);
      deps.audit.record({ ...base, command: '(invalid button)', outcome: 'usage-error', reason: message });
      await say(renderNotice(':warning:', message, hint));
      return;
    }
    const audit = { ...base, command: value.command };
    const decision = await authorizeOnCluster(deps, { userId: clicker, channel, command });
    if (!decision.allowed) {
      deps.audit.record({ ...audit, outcome: 'refused', reason: decision.code });
      await say(renderNotice(':no_entry:', `Refused: ${decision.reason}`));
      return;
    }
    const session = await openThreadSession(
      { client, logger: deps.logger },
      {
        channelId: channel.id,
        metadata: (status) => scaleTestMetadata(value.command, value.requestedBy, status, body.trigger_id),
        open: { threadTs: value.thread },
      },
    );
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    const parentCtx = { commandText: value.command, requestedBy: value.requestedBy };

    if (value.op === 'cancel') {
      if (messageTs)
        await session.updateMessage(messageTs, renderLogLevelDecided(undefined, 'cancelled', clicker));
      await session.updateParent(
        renderScaleTestParent(parentCtx, 'cancelled', `by <@${clicker}>`),
        'cancelled',
      );
      deps.audit.record({ ...audit, outcome: 'ran', status: 'cancelled', thread: session.threadTs });
      return;
    }

    if (value.op === 'stop') {
      try {
        const stopped = await deps.logLevels.stop(command, value.cluster, value.id ?? '');
        if (messageTs)
          await session.updateMessage(
            messageTs,
            renderLogLevelRaised(formatWorkloadTarget(command.target), command.level, '', undefined, clicker),
          );
        if (stopped.state === 'gone')
          await say(renderNotice(':information_source:', 'This change has already ended.'));
        if (stopped.state === 'restored') {
          const back = stopped.outcome.pods.filter((p) => p.outcome === 'restored').length;
          await session.updateParent(
            renderScaleTestParent(
              parentCtx,
              'cancelled',
              `stopped by <@${clicker}>: ${back} pod(s) put back`,
            ),
            'stopped',
          );
        }
        deps.audit.record({
          ...audit,
          outcome: 'ran',
          status: `stopped-${stopped.state}`,
          thread: session.threadTs,
        });
      } catch (err) {
        const { message, hint } = describeError(err);
        deps.audit.record({ ...audit, outcome: 'failed', reason: message });
        await say(renderNotice(':exclamation:', message, hint));
      }
      return;
    }

    // Confirm: the gates of every run (authorization again, the rate limit), then plan again.
    if (!(await passGates(deps, { userId: clicker, channel, command }, audit, say))) return;
    let plan;
    try {
      plan = await deps.logLevels.plan(command, value.cluster);
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
    if (messageTs) await session.updateMessage(messageTs, renderLogLevelDecided(plan, 'confirmed', clicker));
    await session.updateParent(
      renderScaleTestParent(parentCtx, 'running', `confirmed by <@${clicker}>`),
      'running',
    );
    const progress = await session.startProgress(renderScaleTestProgress);
    // The "logs at LEVEL until TIME" message, counting down until the change ends.
    let countdown: Promise<LogLevelCountdown | undefined> = Promise.resolve(undefined);
    let result: StepResult;
    try {
      result = await deps.logLevels.run(command, value.cluster, {
        requestedBy:
          clicker === value.requestedBy
            ? value.requestedBy
            : `${value.requestedBy} (confirmed by ${clicker})`,
        onProgress: (text) => progress.push(text),
        onRaised: (record) => {
          const stop: LogLevelButtonValue = {
            ...value,
            op: 'stop',
            id: record.id,
            nonce: newNonce(),
            exp: Date.parse(record.expiresAt),
          };
          const render = (now: number) =>
            renderLogLevelRaised(plan.workloadText, record.level, record.expiresAt, stop, undefined, now);
          countdown = client.chat
            .postMessage({ channel: channel.id, thread_ts: session.threadTs, ...render(Date.now()) })
            .then((posted) =>
              posted.ts
                ? startLogLevelCountdown({
                    client,
                    channel: channel.id,
                    ts: posted.ts,
                    everyMs: deps.logLevels.countdownMs,
                    render,
                    until: Date.parse(record.expiresAt),
                    logger: deps.logger,
                  })
                : undefined,
            )
            .catch((err: unknown) => {
              deps.logger.warn({ err: slackErrorCode(err) ?? String(err) }, 'could not post the Stop button');
              return undefined;
            });
        },
      });
    } catch (err) {
      result = errorResult(command, plan.workloadText, err, new Date(started));
    }
    await progress.finish();
    await (await countdown)?.finish(renderLogLevelEnded(plan.workloadText, command.level, result));
    try {
      await session.postResult(result, parentCtx);
    } catch (err) {
      deps.logger.warn(
        { err: slackErrorCode(err) ?? String(err) },
        'could not post the proxy-log-level result',
      );
    }
    await session.updateParent(
      renderFinishedParent({ ...parentCtx, via: 'confirmed' }, result),
      result.status,
    );
    deps.audit.record({
      ...audit,
      outcome: 'ran',
      status: result.status,
      summary: result.summary,
      thread: session.threadTs,
      durationMs: Date.now() - started,
    });
  };
}
