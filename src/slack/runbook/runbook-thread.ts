/**
 * A runbook run told in one Slack thread. The parent is a checklist updated as the run goes;
 * each step's result is a reply (the command's own rendering); before a paused step or a step
 * that changes the cluster, a reply carries the decision's buttons and the run rests. The
 * buttons carry the whole run so far (runbook-button-value.ts), so any replica continues it:
 * the runner (src/runbooks) says what comes next from that state alone. At the end: a summary
 * reply and the incident notes uploaded as a Markdown file.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { StepResult } from '../../domain/step-result.js';
import { MeshbotError } from '../../errors.js';
import { parseCommand, type MeshCommand } from '../../grammar/parse-command.js';
import { renderIncidentNotes } from '../../render/markdown/render-incident-notes.js';
import type { RunbookEntry, RunbookReport } from '../../runbooks/drive-runbook.js';
import type { StepExecution } from '../../runbooks/execute-runbook-step.js';
import type { Runbook, RunbookCatalog } from '../../runbooks/load-runbooks.js';
import {
  checkRunState,
  nextAction,
  recordOutcome,
  type NextAction,
  type RunState,
  type StepOutcome,
} from '../../runbooks/runbook-runner.js';
import {
  fillCommand,
  formatRunbookTarget,
  parseRunbookTarget,
  type RunbookTarget,
} from '../../runbooks/runbook-target.js';
import { stepErrorResult, worstStatus } from '../../domain/step-result.js';
import {
  authorize,
  type AuthorizationPolicy,
  type Decision,
  type UserGroupMembership,
} from '../authorize.js';
import { policyForCluster, type SlackClusters } from '../resolve-cluster.js';
import type { RunnableCommand } from '../command-executor.js';
import { openThreadSession, type ThreadSession } from '../thread-session.js';
import { slackErrorCode } from '../slack-error.js';
import {
  newDecisionNonce,
  outcomeLetter,
  outcomeOfLetter,
  type RunbookButtonValue,
  type RunEntry,
} from './runbook-button-value.js';
import {
  renderChecklistParent,
  renderRunbookDecision,
  renderRunbookSummary,
  type ChecklistLine,
} from './render-runbook-messages.js';

type WebClient = webApi.WebClient;

/** What `serve` gives the Slack app for runbooks. */
export interface SlackRunbooks {
  catalog: RunbookCatalog;
  /** The cluster runs start on (recorded in every button). */
  cluster: string;
  buttonTtlMs: number;
  /** Runs one step on the cluster its run started on. */
  executeStep(
    cmd: MeshCommand,
    exec: StepExecution,
    onProgress: (text: string) => void,
    cluster: string,
  ): Promise<StepResult>;
  /** The clock (tests); default Date.now. */
  now?: () => number;
}

export interface RunbookThreadDeps {
  client: WebClient;
  logger: Logger;
  runbooks: SlackRunbooks;
  /** Authorization of a person for one step's command (channel, namespaces, mutators). */
  authorizeStep(userId: string, command: RunnableCommand): Promise<Decision>;
  now?: () => number;
}

/** One run in its thread: everything the next action needs. */
export interface ThreadRun {
  channelId: string;
  thread: string;
  runbook: Runbook;
  target: RunbookTarget;
  cluster: string;
  requestedBy: string;
  startedAt: number;
  entries: RunEntry[];
}

/** Replays the run's outcomes through the runner: the state and the step id of each entry. */
export function replayRun(
  run: Omit<ThreadRun, 'channelId' | 'thread'>,
  hash = run.runbook.hash,
): { state: RunState; stepIds: string[] } {
  let state: RunState = {
    runbookId: run.runbook.id,
    hash,
    target: run.target,
    cluster: run.cluster,
    requestedBy: run.requestedBy,
    history: [],
  };
  const stepIds: string[] = [];
  for (const e of run.entries) {
    const a = nextAction(run.runbook, state);
    if (a.type === 'stop') throw new MeshbotError('usage', 'this run has already ended');
    stepIds.push(a.step.id);
    state = recordOutcome(state, a.step.id, outcomeOfLetter(e.o));
  }
  return { state, stepIds };
}

function keyEvidence(result: StepResult): string {
  const finding = result.findings.find((f) => f.severity !== 'info');
  return `${result.summary}${finding && finding.message !== result.summary ? `\n${finding.message}` : ''}`.slice(
    0,
    400,
  );
}

function checklist(
  run: ThreadRun,
  stepIds: string[],
  current?: { id: string; state: 'running' | 'waiting' },
): ChecklistLine[] {
  const last = new Map<string, { outcome: StepOutcome; at: number }>();
  run.entries.forEach((e, i) => last.set(stepIds[i]!, { outcome: outcomeOfLetter(e.o), at: e.a }));
  return run.runbook.steps.map((step) => {
    if (current?.id === step.id) return { step, state: current.state };
    const seen = last.get(step.id);
    return seen ? { step, state: seen.outcome, at: seen.at } : { step, state: 'pending' };
  });
}

function metadata(run: ThreadRun, status: string) {
  return {
    event_type: 'meshbot_runbook',
    event_payload: {
      runbook: run.runbook.id,
      hash: run.runbook.hash,
      target: formatRunbookTarget(run.target),
      cluster: run.cluster,
      requested_by: run.requestedBy,
      status,
      path: run.entries.map((e) => e.o).join(''),
    },
  };
}

/** The run as a report, for the incident notes. */
export function threadRunReport(
  run: ThreadRun,
  stop: Extract<NextAction, { type: 'stop' }>,
  now: number,
): RunbookReport {
  const { stepIds } = replayRun(run);
  const entries: RunbookEntry[] = run.entries.map((e, i) => {
    const step = run.runbook.steps.find((s) => s.id === stepIds[i])!;
    const outcome = outcomeOfLetter(e.o);
    const [summary, ...evidence] = e.k.split('\n');
    return {
      stepId: step.id,
      title: step.title,
      why: step.why,
      command: fillCommand(step.run, run.target),
      changesCluster: step.changesCluster,
      outcome,
      startedAt: new Date(e.a).toISOString(),
      finishedAt: new Date(e.a + e.d).toISOString(),
      ...(e.b ? { confirmedBy: `<@${e.b}>` } : {}),
      ...(outcome === 'skipped' || outcome === 'stopped'
        ? { note: summary ?? '' }
        : { summary: summary ?? '', keyEvidence: evidence }),
    };
  });
  const ran = run.entries
    .map((e) => outcomeOfLetter(e.o))
    .filter((o) => o === 'pass' || o === 'warn' || o === 'fail' || o === 'error');
  return {
    runbook: {
      id: run.runbook.id,
      title: run.runbook.title,
      hash: run.runbook.hash,
      source: run.runbook.source,
    },
    target: formatRunbookTarget(run.target),
    cluster: run.cluster,
    requestedBy: `<@${run.requestedBy}>`,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: new Date(now).toISOString(),
    entries,
    stop: { reason: stop.reason, conclusion: stop.conclusion },
    worst: worstStatus(...(ran as Array<'pass' | 'warn' | 'fail' | 'error'>)),
  };
}

/**
 * Runs the run on from its current state: read-only steps run (each authorized for the person
 * who asked), a paused step or a step that changes the cluster posts its decision and rests,
 * the end posts the summary and the notes. Never throws for a step's failure (it is a verdict).
 */
export async function advanceRunbook(deps: RunbookThreadDeps, run: ThreadRun): Promise<void> {
  const now = deps.now ?? Date.now;
  const { client } = deps;
  const ctx = {
    targetText: formatRunbookTarget(run.target),
    requestedBy: run.requestedBy,
    cluster: run.cluster,
  };
  const session = await sessionOf(deps, run);
  const updateParent = (
    lines: ChecklistLine[],
    status: string,
    ending?: { conclusion: string },
  ): Promise<void> => session.updateParent(renderChecklistParent(run.runbook, ctx, lines, ending), status);
  for (;;) {
    const { state, stepIds } = replayRun(run);
    const action = nextAction(run.runbook, state);
    if (action.type === 'stop') {
      await updateParent(checklist(run, stepIds), 'finished', { conclusion: action.conclusion });
      const path = run.entries.map((e, i) => ({
        title: run.runbook.steps.find((s) => s.id === stepIds[i])!.title,
        outcome: outcomeOfLetter(e.o),
        ...(e.b ? { confirmedBy: e.b } : {}),
      }));
      await client.chat.postMessage({
        channel: run.channelId,
        thread_ts: run.thread,
        ...renderRunbookSummary(path, action.conclusion),
      });
      const notes = renderIncidentNotes(threadRunReport(run, action, now()));
      await client.filesUploadV2({
        channel_id: run.channelId,
        thread_ts: run.thread,
        filename: `incident-notes-${run.runbook.id}-${new Date(run.startedAt).toISOString().slice(0, 19).replace(/[:T]/g, '')}.md`,
        title: `Incident notes: ${run.runbook.title} on ${ctx.targetText}`,
        content: notes,
        initial_comment: 'Incident notes for the postmortem (Markdown).',
      });
      return;
    }
    if (action.type === 'pause' || action.type === 'confirm') {
      await updateParent(checklist(run, stepIds, { id: action.step.id, state: 'waiting' }), 'waiting');
      const value: Omit<RunbookButtonValue, 'op'> = {
        v: 1,
        rb: run.runbook.id,
        h: run.runbook.hash,
        t: ctx.targetText,
        c: run.cluster,
        by: run.requestedBy,
        th: run.thread,
        st: run.startedAt,
        s: action.step.id,
        r: run.entries,
        n: newDecisionNonce(),
        exp: now() + deps.runbooks.buttonTtlMs,
      };
      await client.chat.postMessage({
        channel: run.channelId,
        thread_ts: run.thread,
        ...renderRunbookDecision(action.step, action.command, value),
      });
      return;
    }
    await updateParent(checklist(run, stepIds, { id: action.step.id, state: 'running' }), 'running');
    const result = await runStep(
      deps,
      run,
      action.command,
      run.requestedBy,
      undefined,
      `auto-${newDecisionNonce()}`,
    );
    run.entries.push(result.entry);
  }
}

/** Runs one step's command for a person and posts its result; the entry to record. */
export async function runStep(
  deps: RunbookThreadDeps,
  run: ThreadRun,
  commandText: string,
  userId: string,
  confirmedBy: string | undefined,
  confirmationId: string,
  options: { showProgress?: boolean } = {},
): Promise<{ entry: RunEntry; result: StepResult }> {
  const now = deps.now ?? Date.now;
  const started = now();
  let result: StepResult;
  // A step that changes the cluster shows its progress (the rollout, the scale test's stages)
  // in one reply, updated at most once a second.
  const session = await sessionOf(deps, run);
  const progress = options.showProgress
    ? await session.startProgress((lines, finished) => renderStepProgress(commandText, lines, finished))
    : undefined;
  try {
    const cmd = parseCommand(commandText);
    if (cmd.name === 'help') throw new MeshbotError('usage', 'help is not a step');
    const decision = await deps.authorizeStep(userId, cmd);
    if (!decision.allowed) throw new MeshbotError('refused', `Refused for <@${userId}>: ${decision.reason}`);
    result = await deps.runbooks.executeStep(
      cmd,
      { requestedBy: run.requestedBy, ...(confirmedBy ? { confirmedBy } : {}), confirmationId },
      (text) => progress?.push(text),
      run.cluster,
    );
  } catch (err) {
    result = stepErrorResult(commandText.split(' ')[0] ?? 'step', commandText, err, new Date(started));
  }
  await progress?.finish(`${result.status === 'pass' ? 'Done' : 'Ended'}: ${result.summary}`);
  try {
    await session.postResult(result, {
      commandText,
      requestedBy: run.requestedBy,
    });
  } catch (err) {
    deps.logger.warn({ err: slackErrorCode(err) ?? String(err) }, 'could not post a runbook step result');
  }
  return {
    result,
    entry: {
      o: outcomeLetter(result.status) as RunEntry['o'],
      a: started,
      d: Math.max(0, now() - started),
      ...(confirmedBy ? { b: confirmedBy } : {}),
      k: keyEvidence(result),
    },
  };
}

/** A running step's progress message: its last lines, and the outcome once finished. */
function renderStepProgress(commandText: string, lines: readonly string[], finished: boolean) {
  const shown = lines.slice(-8);
  const head = finished ? '' : ':hourglass_flowing_sand: ';
  const last = shown.length ? shown.join('\n') : 'starting';
  return {
    text: `/mesh ${commandText}: ${shown.at(-1) ?? 'starting'}`,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `${head}\`/mesh ${commandText}\`\n${last}`.slice(0, 2900) },
      },
    ],
  };
}

const sessions = new WeakMap<ThreadRun, Promise<ThreadSession>>();

/** The thread session of a run (reusing its thread), one per run object. */
function sessionOf(deps: RunbookThreadDeps, run: ThreadRun): Promise<ThreadSession> {
  let s = sessions.get(run);
  if (!s) {
    s = openThreadSession(
      { client: deps.client, logger: deps.logger },
      {
        channelId: run.channelId,
        metadata: (status) => metadata(run, status),
        open: { threadTs: run.thread },
      },
    );
    sessions.set(run, s);
  }
  return s;
}

/** Starts a run: the checklist parent, then on until the first decision or the end. */
export async function startRunbookThread(
  deps: RunbookThreadDeps,
  req: { channelId: string; userId: string; runbookId: string; targetText: string; cluster?: string },
): Promise<{ thread: string }> {
  const runbook = deps.runbooks.catalog.get(req.runbookId);
  if (!runbook) {
    throw new MeshbotError(
      'usage',
      `no runbook is called "${req.runbookId}"`,
      `Runbooks: ${deps.runbooks.catalog
        .list()
        .map((r) => r.id)
        .join(', ')}. List them: /mesh runbook`,
    );
  }
  const target = parseRunbookTarget(runbook.target, req.targetText, runbook.id);
  const now = deps.now ?? Date.now;
  const partial = {
    runbook,
    target,
    // The run binds to the cluster it starts on: every step and every click runs there.
    cluster: req.cluster ?? deps.runbooks.cluster,
    requestedBy: req.userId,
    startedAt: now(),
    entries: [] as RunEntry[],
  };
  const ctx = { targetText: formatRunbookTarget(target), requestedBy: req.userId, cluster: partial.cluster };
  // The run's metadata reads its entries, which grow as it goes: the parent always shows the path.
  const run = { ...partial, channelId: req.channelId, thread: '' } as ThreadRun;
  const session = await openThreadSession(
    { client: deps.client, logger: deps.logger },
    {
      channelId: req.channelId,
      metadata: (status) => metadata(run, status),
      open: {
        parent: renderChecklistParent(
          runbook,
          ctx,
          runbook.steps.map((step) => ({ step, state: 'pending' })),
        ),
        status: 'running',
      },
    },
  );
  run.thread = session.threadTs;
  sessions.set(run, Promise.resolve(session));
  await advanceRunbook(deps, run);
  return { thread: run.thread };
}

/** The run a button belongs to, checked against the runbook as it is now. */
export function runFromButton(
  catalog: RunbookCatalog,
  value: RunbookButtonValue,
  channelId: string,
): ThreadRun {
  const runbook = catalog.get(value.rb);
  if (!runbook) {
    throw new MeshbotError(
      'refused',
      `the ${value.rb} runbook is no longer loaded; this run cannot continue`,
    );
  }
  const target = parseRunbookTarget(runbook.target, value.t, runbook.id);
  const run: ThreadRun = {
    channelId,
    thread: value.th,
    runbook,
    target,
    cluster: value.c,
    requestedBy: value.by,
    startedAt: value.st,
    entries: [...value.r],
  };
  // The runner refuses a changed runbook (hash) and a history that does not fit it; the hash is
  // checked also when no step has run yet (a decision before the first step).
  checkRunState(runbook, replayRun(run, value.h).state);
  return run;
}

/** What a run in a thread needs, with each step authorized in this channel. */
export function threadDeps(
  deps: {
    logger: Logger;
    policy: AuthorizationPolicy;
    groups: UserGroupMembership;
    runbooks: SlackRunbooks;
    clusters?: SlackClusters;
  },
  client: WebClient,
  channel: { id: string; name?: string },
  /** The run's cluster: its steps are authorized as that cluster's authorization says. */
  cluster?: string,
): RunbookThreadDeps {
  const policy = policyForCluster(deps.clusters, deps.policy, cluster);
  return {
    client,
    logger: deps.logger,
    runbooks: deps.runbooks,
    authorizeStep: (userId, command) => authorize(policy, { userId, channel, command }, deps.groups),
    ...(deps.runbooks.now ? { now: deps.runbooks.now } : {}),
  };
}
