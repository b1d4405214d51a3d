/**
 * The runbook runner: a pure state machine. Given a runbook and what happened so far (each
 * step's verdict, or skipped, or stopped), it says what comes next: run a read-only step, wait
 * before one (`pause: true`), wait for a confirmation before a step that changes the cluster,
 * or stop with a conclusion. It never runs anything itself and knows nothing of Slack or
 * terminals: the CLI (drive-runbook.ts) and the Slack thread feed it verdicts and act on its
 * answer, so a run can continue in another process from its state alone.
 *
 * Loops: a `goto` may point back (e.g. to check again after a fix), but one run visits a
 * step at most MAX_VISITS times; the next visit stops the run with a conclusion that says so.
 */
import { MeshbotError } from '../errors.js';
import type { Runbook, RunbookStep } from './load-runbooks.js';
import type { Verdict } from './runbook-schema.js';
import { fillCommand, formatRunbookTarget, type RunbookTarget } from './runbook-target.js';

export const MAX_VISITS = 3;

/** What became of one step: its verdict, skipped by a person (or by the CLI without --yes), or the run stopped there. */
export type StepOutcome = Verdict | 'skipped' | 'stopped';

export interface StepRecord {
  stepId: string;
  outcome: StepOutcome;
}

/** Everything the runner needs to continue a run; small enough to travel in a Slack button. */
export interface RunState {
  runbookId: string;
  /** The runbook's content hash when the run began: a changed runbook is refused. */
  hash: string;
  target: RunbookTarget;
  /** The cluster the run started on; every step runs there. */
  cluster: string;
  requestedBy: string;
  history: StepRecord[];
}

export type NextAction =
  | { type: 'run'; step: RunbookStep; command: string }
  | { type: 'pause'; step: RunbookStep; command: string }
  | { type: 'confirm'; step: RunbookStep; command: string }
  | { type: 'stop'; reason: 'conclusion' | 'end' | 'stopped' | 'loop'; conclusion: string; stepId?: string };

type Position = { index: number } | Extract<NextAction, { type: 'stop' }>;

/** Where a step's outcome leads. */
function follow(runbook: Runbook, index: number, outcome: StepOutcome): Position {
  const step = runbook.steps[index]!;
  if (outcome === 'stopped') {
    return {
      type: 'stop',
      reason: 'stopped',
      stepId: step.id,
      conclusion: `Stopped by a person at "${step.title}".`,
    };
  }
  const o = outcome === 'skipped' ? 'next' : (step.on[outcome] ?? 'next');
  if (o === 'next') {
    if (index + 1 < runbook.steps.length) return { index: index + 1 };
    return {
      type: 'stop',
      reason: 'end',
      stepId: step.id,
      conclusion: `The runbook ended after "${step.title}" (${outcome}) without a conclusion of its own.`,
    };
  }
  if ('goto' in o) return { index: runbook.steps.findIndex((s) => s.id === o.goto) };
  return { type: 'stop', reason: 'conclusion', stepId: step.id, conclusion: o.stop.conclusion };
}

/** Checks that a state belongs to this runbook as it is now. */
export function checkRunState(runbook: Runbook, state: RunState): void {
  if (state.runbookId !== runbook.id) {
    throw new MeshbotError('internal', `this run is of runbook ${state.runbookId}, not ${runbook.id}`);
  }
  if (state.hash !== runbook.hash) {
    throw new MeshbotError(
      'refused',
      `the ${runbook.id} runbook changed since this run began (content ${state.hash}, now ${runbook.hash}); it is not continued on a different definition`,
      `Start it again: runbook ${runbook.id} ${formatRunbookTarget(state.target)}`,
    );
  }
}

/** What comes next for a run in this state. Throws when the history does not fit the runbook. */
export function nextAction(runbook: Runbook, state: RunState): NextAction {
  checkRunState(runbook, state);
  const visits = new Map<number, number>();
  const enter = (index: number): Position => {
    const n = (visits.get(index) ?? 0) + 1;
    visits.set(index, n);
    if (n > MAX_VISITS) {
      const step = runbook.steps[index]!;
      return {
        type: 'stop',
        reason: 'loop',
        stepId: step.id,
        conclusion: `Stopped: "${step.title}" would run a ${n}th time (at most ${MAX_VISITS} per run); the runbook goes round in circles here.`,
      };
    }
    return { index };
  };
  let pos: Position = enter(0);
  for (const [i, rec] of state.history.entries()) {
    if (!('index' in pos)) {
      throw new MeshbotError(
        'internal',
        `run history has a step (#${i + 1}, ${rec.stepId}) after the run stopped`,
      );
    }
    const expected = runbook.steps[pos.index]!;
    if (rec.stepId !== expected.id) {
      throw new MeshbotError(
        'internal',
        `run history step #${i + 1} is "${rec.stepId}", but the runbook is at "${expected.id}"`,
      );
    }
    const to = follow(runbook, pos.index, rec.outcome);
    pos = 'index' in to ? enter(to.index) : to;
  }
  if (!('index' in pos)) return pos;
  const step = runbook.steps[pos.index]!;
  const command = fillCommand(step.run, state.target);
  if (step.changesCluster) return { type: 'confirm', step, command };
  if (step.pause) return { type: 'pause', step, command };
  return { type: 'run', step, command };
}

/** A new state with one more outcome. */
export function recordOutcome(state: RunState, stepId: string, outcome: StepOutcome): RunState {
  return { ...state, history: [...state.history, { stepId, outcome }] };
}
