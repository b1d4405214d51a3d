/**
 * A click on a runbook thread's buttons: Continue, Skip, Stop before a paused step; Confirm,
 * Cancel (and Stop) before a step that changes the cluster. Stateless: the button carries the
 * run (runbook-button-value.ts); a changed runbook, a stale decision or an expired button is
 * refused with a clear message. The clicker is authorized again for the step (Confirm needs a
 * person allowed to change the cluster); every click is audited. A restart runs once per
 * confirmation even when two replicas get the same click (its claim on the Deployment).
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describeError, MeshbotError } from '../../errors.js';
import { parseCommand } from '../../grammar/parse-command.js';
import { nextAction } from '../../runbooks/runbook-runner.js';
import { authorizeOnCluster, passGates, type DispatchDeps } from '../dispatch-run.js';
import { renderNotice } from '../render/render-notice.js';
import type { SlackMessageBody } from '../render/slack-block.js';
import { slackErrorCode } from '../slack-error.js';
import { readClick } from '../read-click.js';
import { decodeRunbookButton, type RunbookButtonValue } from './runbook-button-value.js';
import { renderRunbookDecided } from './render-runbook-messages.js';
import {
  advanceRunbook,
  replayRun,
  runFromButton,
  runStep,
  threadDeps,
  type SlackRunbooks,
} from './runbook-thread.js';

export type RunbookActionArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export function handleRunbookActions(deps: DispatchDeps & { runbooks: SlackRunbooks }) {
  // Decisions taken in this process: a second click on the same buttons here is answered
  // "already taken". Across replicas the restart's claim on the Deployment keeps it to one.
  const taken = new Set<string>();
  return async ({ ack, body, action, respond, client }: RunbookActionArgs): Promise<void> => {
    await ack();
    const { channel, clicker, audit: base, say } = await readClick(body, action, respond, deps);
    const messageTs: string | undefined = body.container?.message_ts ?? body.message?.ts;

    let value: RunbookButtonValue;
    let run: ReturnType<typeof runFromButton>;
    let next: ReturnType<typeof nextAction>;
    try {
      value = decodeRunbookButton(action.value, deps.runbooks.now?.() ?? Date.now());
      run = runFromButton(deps.runbooks.catalog, value, channel.id);
      next = nextAction(run.runbook, replayRun(run).state);
      if ((next.type !== 'pause' && next.type !== 'confirm') || next.step.id !== value.s) {
        throw new MeshbotError('usage', 'this decision was already taken; the run has moved on');
      }
      const fits =
        value.op === 'stop' ||
        (next.type === 'confirm'
          ? value.op === 'confirm' || value.op === 'cancel'
          : value.op === 'continue' || value.op === 'skip');
      if (!fits) throw new MeshbotError('usage', `"${value.op}" does not apply to this step`);
      if (taken.has(value.n))
        throw new MeshbotError('usage', 'this decision was already taken; the run has moved on');
    } catch (err) {
      const { message, hint } = describeError(err);
      const kind = err instanceof MeshbotError && err.kind === 'refused' ? 'refused' : 'usage-error';
      deps.audit.record({ ...base, command: '(runbook button)', outcome: kind, reason: message });
      await say(renderNotice(kind === 'refused' ? ':no_entry:' : ':warning:', message, hint));
      return;
    }
    const step = next.step;
    const commandText = next.command;
    const claim = (): boolean => {
      if (taken.has(value.n)) return false;
      taken.add(value.n);
      if (taken.size > 10_000) taken.delete(taken.values().next().value!);
      return true;
    };
    const parsed = parseCommand(commandText);
    if (parsed.name === 'help') return;
    // The step runs, and is authorized, on the cluster the run started on.
    const command = deps.clusters ? { ...parsed, cluster: run.cluster } : parsed;
    const audit = { ...base, command: `runbook ${run.runbook.id} ${value.t}: ${commandText}` };
    const started = deps.runbooks.now?.() ?? Date.now();
    const update = (m: SlackMessageBody): Promise<void> =>
      messageTs
        ? client.chat.update({ channel: channel.id, ts: messageTs, ...m }).then(
            () => undefined,
            (err: unknown) =>
              deps.logger.warn({ err: slackErrorCode(err) ?? String(err) }, 'could not update a decision'),
          )
        : Promise.resolve();

    if (value.op === 'skip' || value.op === 'cancel' || value.op === 'stop') {
      const decision = await authorizeOnCluster(deps, { userId: clicker, channel, command });
      // Skipping or cancelling a change needs no right to change the cluster; reading the namespace, yes.
      if (!decision.allowed && decision.code !== 'mutating') {
        deps.audit.record({ ...audit, outcome: 'refused', reason: decision.code });
        await say(renderNotice(':no_entry:', `Refused: ${decision.reason}`));
        return;
      }
      if (!claim()) return;
      const word = value.op === 'stop' ? 'Stopped' : value.op === 'cancel' ? 'Cancelled' : 'Skipped';
      await update(renderRunbookDecided(step, commandText, `${word} by <@${clicker}>`));
      run.entries.push({
        o: value.op === 'stop' ? 'x' : 's',
        a: started,
        d: 0,
        k: `${word.toLowerCase()} by <@${clicker}>`,
      });
      deps.audit.record({ ...audit, outcome: 'ran', status: value.op, thread: run.thread });
      await advanceRunbook(threadDeps(deps, client, channel, run.cluster), run);
      return;
    }

    // Continue or Confirm: the clicker runs the step, so the clicker is authorized for it
    // (Confirm of a step that changes the cluster needs a person allowed to change it).
    if (!(await passGates(deps, { userId: clicker, channel, command }, audit, say))) return;
    if (!claim()) {
      await say(renderNotice(':warning:', 'this decision was already taken; the run has moved on'));
      return;
    }
    await update(
      renderRunbookDecided(
        step,
        commandText,
        `${value.op === 'confirm' ? 'Confirmed' : 'Continued'} by <@${clicker}>`,
      ),
    );
    const { entry, result } = await runStep(
      threadDeps(deps, client, channel, run.cluster),
      run,
      commandText,
      clicker,
      clicker,
      value.n,
      { showProgress: step.changesCluster },
    );
    run.entries.push(entry);
    deps.audit.record({
      ...audit,
      outcome: 'ran',
      status: result.status,
      summary: result.summary,
      thread: run.thread,
      durationMs: entry.d,
    });
    await advanceRunbook(threadDeps(deps, client, channel, run.cluster), run);
  };
}
