/**
 * Drives one runbook run from start to end over the runner (runbook-runner.ts): asks the
 * runner what comes next, runs read-only steps on, asks `decide` before a paused step or a
 * step that changes the cluster, and records each step with its times, who confirmed it and
 * its result. The CLI drives a whole run with it; it knows nothing of Slack or terminals.
 */
import type { StepResult, StepStatus } from '../domain/step-result.js';
import { stepErrorResult, worstStatus } from '../domain/step-result.js';
import { parseCommand, type MeshCommand } from '../grammar/parse-command.js';
import type { Runbook, RunbookStep } from './load-runbooks.js';
import {
  nextAction,
  recordOutcome,
  type NextAction,
  type RunState,
  type StepOutcome,
} from './runbook-runner.js';
import { formatRunbookTarget } from './runbook-target.js';

export interface RunbookEntry {
  stepId: string;
  title: string;
  why: string;
  /** The command as run, target filled in. */
  command: string;
  changesCluster: boolean;
  outcome: StepOutcome;
  /** Absent when the step was skipped or the run stopped before it. */
  result?: StepResult;
  startedAt: string;
  finishedAt: string;
  /** Who confirmed a step that changes the cluster (or a paused step). */
  confirmedBy?: string;
  /** Why it was skipped or stopped, when it was. */
  note?: string;
  /** Without `result` (a run continued from Slack buttons): its summary and key evidence. */
  summary?: string;
  keyEvidence?: string[];
}

/** What a whole run did: the input of the renderers (text, JSON, incident notes). */
export interface RunbookReport {
  runbook: { id: string; title: string; hash: string; source: string };
  target: string;
  cluster: string;
  requestedBy: string;
  startedAt: string;
  finishedAt: string;
  entries: RunbookEntry[];
  stop: { reason: Extract<NextAction, { type: 'stop' }>['reason']; conclusion: string };
  /** The worst verdict of the steps that ran ('pass' when none ran). */
  worst: StepStatus;
}

export type Decision =
  | { choice: 'run'; by: string }
  | { choice: 'skip'; note: string }
  | { choice: 'stop'; by: string; note?: string };

export interface RunbookDriver {
  /** Runs one step's command; `confirmedBy` is set for a confirmed step that changes the cluster. */
  execute(
    command: MeshCommand,
    ctx: { step: RunbookStep; requestedBy: string; confirmedBy?: string },
  ): Promise<StepResult>;
  /** Before a paused step or a step that changes the cluster. */
  decide(action: Extract<NextAction, { type: 'pause' | 'confirm' }>): Promise<Decision>;
  /** Called as a step begins and when it is recorded (progress for a terminal). */
  onStepStart?(step: RunbookStep, command: string): void;
  onEntry?(entry: RunbookEntry): void;
  now?(): Date;
}

export async function driveRunbook(
  runbook: Runbook,
  start: Omit<RunState, 'runbookId' | 'hash' | 'history'>,
  driver: RunbookDriver,
): Promise<RunbookReport> {
  const now = driver.now ?? (() => new Date());
  const startedAt = now();
  let state: RunState = { ...start, runbookId: runbook.id, hash: runbook.hash, history: [] };
  const entries: RunbookEntry[] = [];
  const record = (entry: RunbookEntry): void => {
    entries.push(entry);
    state = recordOutcome(state, entry.stepId, entry.outcome);
    driver.onEntry?.(entry);
  };
  for (;;) {
    const action = nextAction(runbook, state);
    if (action.type === 'stop') {
      const ran = entries.flatMap((e) => (e.result ? [e.result.status] : []));
      return {
        runbook: { id: runbook.id, title: runbook.title, hash: runbook.hash, source: runbook.source },
        target: formatRunbookTarget(state.target),
        cluster: state.cluster,
        requestedBy: state.requestedBy,
        startedAt: startedAt.toISOString(),
        finishedAt: now().toISOString(),
        entries,
        stop: { reason: action.reason, conclusion: action.conclusion },
        worst: worstStatus(...ran),
      };
    }
    const { step, command } = action;
    const base = {
      stepId: step.id,
      title: step.title,
      why: step.why,
      command,
      changesCluster: step.changesCluster,
    };
    let confirmedBy: string | undefined;
    if (action.type !== 'run') {
      const asked = now().toISOString();
      const decision = await driver.decide(action);
      if (decision.choice === 'skip' || decision.choice === 'stop') {
        const note =
          decision.choice === 'skip' ? decision.note : (decision.note ?? `stopped by ${decision.by}`);
        record({
          ...base,
          outcome: decision.choice === 'skip' ? 'skipped' : 'stopped',
          startedAt: asked,
          finishedAt: now().toISOString(),
          note,
        });
        continue;
      }
      confirmedBy = decision.by;
    }
    driver.onStepStart?.(step, command);
    const began = now();
    let result: StepResult;
    try {
      result = await driver.execute(parseCommand(command), {
        step,
        requestedBy: state.requestedBy,
        ...(confirmedBy !== undefined ? { confirmedBy } : {}),
      });
    } catch (err) {
      result = stepErrorResult(step.command, command, err, began);
    }
    record({
      ...base,
      outcome: result.status,
      result,
      startedAt: began.toISOString(),
      finishedAt: now().toISOString(),
      ...(confirmedBy !== undefined ? { confirmedBy } : {}),
    });
  }
}
