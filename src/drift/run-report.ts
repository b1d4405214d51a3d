/**
 * One run of a scheduled report: sweep the report's scope, judge the findings against the
 * report's open alerts (alert-state.ts), tell the channel what changed through a notifier, and
 * write the new state with the leader's fencing token. The scheduled slot is marked started
 * before the sweep and finished with the state, so a run the old leader did not finish is run
 * by the next one and a finished one is not run again (report-scheduler.ts).
 *
 * Posting and recording are not one step, so a run records its intent first (what it is about
 * to post, under a run id that every message carries), then posts, recording the run message's
 * ts as soon as Slack answers, then writes the outcome and clears the intent. A run that finds
 * an intent left behind asks the channel which of its messages exist (settleIntent) and posts
 * only what is missing. docs/reports.md, "What is guaranteed".
 */
import { randomUUID } from 'node:crypto';
import type { ReportConfig } from '../config/reports-schema.js';
import { mergeSweeps } from './merge-sweeps.js';
import { sweepClusters, type ClusterSweepFn } from './sweep-clusters.js';
import type { StepResult } from '../domain/step-result.js';
import type { SweepData, SweepFinding, SweepRequest } from '../steps/sweep/sweep-types.js';
import {
  evaluateRun,
  activeSnoozes,
  formatOpenFor,
  type AlertChange,
  type Evaluation,
  type OpenAlert,
} from './alert-state.js';
import {
  emptyReportState,
  type PostingIntent,
  type ReportsState,
  type ReportState,
  type ReportStateStore,
  type RunMessage,
} from './report-state-store.js';

/** Where a run message went. */
export interface PostedRun {
  channel: string;
  ts: string;
}

/** Which of a run's notifications the channel shows (found by their run marker). */
export interface FoundNotes {
  /** The run message's ts, when it was posted. */
  runTs?: string;
  /** Fingerprints whose detail reply, reminder or resolved reply was posted. */
  details: Set<string>;
  reminders: Set<string>;
  resolved: Set<string>;
}

/**
 * How a report talks to its channel (Slack: slack/report-notifier.ts). Every message carries the
 * run's id as a marker, so `findPosted` can tell what a run that died part-way had posted.
 */
export interface ReportNotifier {
  /** The run message listing new and worsened findings (no I/O). */
  composeRun(report: ReportConfig, alerts: OpenAlert[], summary: string): RunMessage;
  /** Posts the run message. */
  postRun(report: ReportConfig, message: RunMessage, run: string): Promise<PostedRun>;
  /** Each finding's detail, a reply in the run message's thread. */
  postDetails(report: ReportConfig, posted: PostedRun, alerts: OpenAlert[], run: string): Promise<void>;
  /** Nothing new (only when the report is not quiet). */
  postAllClear(report: ReportConfig, summary: string): Promise<void>;
  /** A finding still open after the repeat interval: a reply in its thread, shown in the channel. */
  postReminder(report: ReportConfig, alert: OpenAlert, run: string): Promise<void>;
  /** "resolved after N min" in the finding's thread. */
  postResolved(report: ReportConfig, change: AlertChange, run: string): Promise<void>;
  /** Rewrites a run message (a line marked resolved). */
  updateRun(report: ReportConfig, ts: string, message: RunMessage): Promise<void>;
  /** What of `intent` the channel shows: the run message, and replies in `threads` (and its own). */
  findPosted(report: ReportConfig, intent: PostingIntent, threads: string[]): Promise<FoundNotes>;
}

export interface RunReportOptions {
  report: ReportConfig;
  /**
   * The cluster swept, or several (report.clusterConcurrency at once, each within
   * report.sweepTimeout), their findings grouped by cluster.
   */
  cluster: string | readonly string[];
  /** Sweeps one cluster; `signal` aborts when its time is up. */
  sweep: ClusterSweepFn;
  store: ReportStateStore;
  notifier: ReportNotifier;
  /** The scheduled time this run is for (ISO), or `manual-...` for a run asked by hand. */
  slot: string;
  /** This replica (pod name). */
  identity: string;
  /** The leader's leaseTransitions (none for a run asked on a replica that does not lead). */
  fence?: number;
  now?: () => Date;
}

export interface ReportRun {
  result: StepResult<SweepData>;
  evaluation: Evaluation;
  /** The clusters that could not be swept, and why (the error's kind). */
  notSwept: Array<{ cluster: string; reason: string }>;
  posted?: PostedRun;
}

/** The sweep a report runs: its scope, checks and thresholds, on the cluster named. */
export function sweepRequestOf(report: ReportConfig, cluster: string): SweepRequest {
  return {
    cluster,
    namespaces: report.scope.namespaces,
    ...(report.scope.selector ? { selector: report.scope.selector } : {}),
    concurrency: report.concurrency,
    persistenceMs: report.persistence,
    endpoints: report.checks.includes('endpoints'),
    controlPlane: report.checks.includes('control-plane'),
    certificateWarningDays: report.thresholds.certificateWarningDays,
  };
}

/** A run asked by hand (`report run NAME`), not a scheduled slot. */
export const isManualSlot = (slot: string): boolean => slot.startsWith('manual-');

export async function markStarted(
  store: ReportStateStore,
  name: string,
  slot: string,
  identity: string,
  fence?: number,
  now = new Date(),
): Promise<ReportsState> {
  return store.update((s) => {
    const r = (s.reports[name] ??= emptyReportState());
    r.started = { slot, at: now.toISOString(), by: identity };
    return s;
  }, fence);
}

/** The run message with the finding's line marked resolved. */
export function markLineResolved(message: RunMessage, fingerprint: string, text: string): RunMessage {
  return {
    ...message,
    lines: message.lines.map((l) => (l.fingerprint === fingerprint ? { ...l, resolved: text } : l)),
  };
}

export const resolvedText = (change: AlertChange): string =>
  `resolved after ${formatOpenFor(change.openForMs ?? 0)}`;

/**
 * A run that an earlier leader left with notifications in flight: what the channel shows of it
 * is taken as done (its alerts open with that message, reminders counted, resolved ones closed),
 * the detail replies it did not post are posted, and the intent is cleared. What it did not post
 * is forgotten: this run judges those findings afresh.
 */
async function settleIntent(o: RunReportOptions, intent: PostingIntent): Promise<void> {
  const { report, store, notifier } = o;
  const state = await store.read();
  const r = state.reports[report.name] ?? emptyReportState();
  const threads = [...intent.remind, ...intent.resolve].flatMap((fp) => {
    const post = r.open[fp]?.post;
    return post ? [post.threadTs ?? post.ts] : [];
  });
  const found = await notifier.findPosted(report, intent, [...new Set(threads)]);
  const open = { ...r.open };
  const messages = { ...r.messages };
  const runTs = intent.ts ?? found.runTs;
  if (runTs && intent.message) {
    const posted = { channel: intent.channel, ts: runTs };
    for (const alert of intent.post) {
      open[alert.fingerprint] = { ...alert, post: { ...posted, threadTs: runTs } };
    }
    messages[runTs] = intent.message;
    const missing = intent.post.filter((a) => !found.details.has(a.fingerprint));
    if (missing.length > 0) await notifier.postDetails(report, posted, missing, intent.run);
  }
  for (const fp of found.reminders) if (open[fp]) open[fp] = { ...open[fp], lastNotified: intent.at };
  for (const fp of found.resolved) {
    const alert = open[fp];
    if (!alert) continue;
    delete open[fp];
    const ts = alert.post?.ts;
    const message = ts ? messages[ts] : undefined;
    if (ts && message) {
      const change: AlertChange = {
        type: 'resolved',
        alert,
        snoozed: false,
        openForMs: Date.parse(intent.at) - Date.parse(alert.firstSeen),
      };
      messages[ts] = markLineResolved(message, fp, resolvedText(change));
      await notifier.updateRun(report, ts, messages[ts]);
    }
  }
  await store.update((s) => {
    const cur = (s.reports[report.name] ??= emptyReportState());
    cur.open = open;
    cur.messages = forgetClosedMessages(open, messages);
    delete cur.posting;
    return s;
  }, o.fence);
}

/** A run message is forgotten once none of its findings is open. */
function forgetClosedMessages(
  open: Record<string, OpenAlert>,
  messages: Record<string, RunMessage>,
): Record<string, RunMessage> {
  const openTs = new Set(Object.values(open).flatMap((a) => (a.post ? [a.post.ts] : [])));
  return Object.fromEntries(Object.entries(messages).filter(([ts]) => openTs.has(ts)));
}

export async function runReport(o: RunReportOptions): Promise<ReportRun> {
  const now = o.now ?? (() => new Date());
  const { report } = o;
  const scheduled = !isManualSlot(o.slot);
  if (scheduled) await markStarted(o.store, report.name, o.slot, o.identity, o.fence, now());
  // One cluster, or several at once (bounded, each in its own time): one result, findings
  // grouped by cluster in the report's order; a cluster that could not be swept is its own part.
  const swept = await sweepClusters(
    (typeof o.cluster === 'string' ? [o.cluster] : o.cluster).map((c) => sweepRequestOf(report, c)),
    o.sweep,
    { concurrency: report.clusterConcurrency, timeoutMs: report.sweepTimeout },
  );
  const result = mergeSweeps(swept.map((s) => s.result));
  const findings = result.findings as SweepFinding[];
  const left = (await o.store.read()).reports[report.name]?.posting;
  if (left) await settleIntent(o, left);
  const state = await o.store.read();
  const before = state.reports[report.name] ?? emptyReportState();
  const at = now();
  const evaluation = evaluateRun(before.open, findings, {
    now: at,
    repeatIntervalMs: report.repeatInterval,
    snoozes: activeSnoozes(state.snoozes, at),
    // Each cluster is judged on what its own sweep could ask: one cluster down keeps its own
    // alerts open, never another's.
    partialClusters: new Set(swept.filter((s) => s.result.data.notAsked.length > 0).map((s) => s.cluster)),
    swept: new Set(swept.filter((s) => !s.failed).map((s) => s.cluster)),
  });

  // The intent first (what this run is about to post, under a run id every message carries),
  // then the messages, then what was told.
  let messages: Record<string, RunMessage> = { ...before.messages };
  let posted: PostedRun | undefined;
  const notifies = evaluation.toPost.length + evaluation.toRemind.length + evaluation.toResolve.length > 0;
  if (notifies) {
    const intent: PostingIntent = {
      run: randomUUID(),
      slot: o.slot,
      at: at.toISOString(),
      by: o.identity,
      channel: report.channel,
      ...(evaluation.toPost.length > 0
        ? { message: o.notifier.composeRun(report, evaluation.toPost, result.summary) }
        : {}),
      post: evaluation.toPost,
      remind: evaluation.toRemind.map((a) => a.fingerprint),
      resolve: evaluation.toResolve.map((c) => c.alert.fingerprint),
    };
    const record = (change: (r: ReportState) => void): Promise<ReportsState> =>
      o.store.update((s) => {
        change((s.reports[report.name] ??= emptyReportState()));
        return s;
      }, o.fence);
    await record((r) => (r.posting = intent));
    if (intent.message) {
      posted = await o.notifier.postRun(report, intent.message, intent.run);
      const ts = posted.ts;
      await record((r) => {
        if (r.posting?.run === intent.run) r.posting.ts = ts;
      });
      messages[ts] = intent.message;
      for (const alert of evaluation.toPost) {
        evaluation.open[alert.fingerprint]!.post = { channel: posted.channel, ts, threadTs: ts };
      }
      await o.notifier.postDetails(report, posted, evaluation.toPost, intent.run);
    }
    for (const alert of evaluation.toRemind) await o.notifier.postReminder(report, alert, intent.run);
    for (const change of evaluation.toResolve) {
      await o.notifier.postResolved(report, change, intent.run);
      const ts = change.alert.post?.ts;
      const message = ts ? messages[ts] : undefined;
      if (ts && message) {
        messages[ts] = markLineResolved(message, change.alert.fingerprint, resolvedText(change));
        await o.notifier.updateRun(report, ts, messages[ts]);
      }
    }
  } else if (!report.quiet) {
    await o.notifier.postAllClear(report, result.summary);
  }
  messages = forgetClosedMessages(evaluation.open, messages);

  await o.store.update((s) => {
    const r = (s.reports[report.name] ??= emptyReportState());
    r.open = evaluation.open;
    r.messages = messages;
    delete r.posting;
    if (scheduled) r.finished = { slot: o.slot, at: now().toISOString(), by: o.identity };
    s.snoozes = activeSnoozes(s.snoozes, at);
    return s;
  }, o.fence);
  const notSwept = swept.flatMap((s) => (s.failed ? [{ cluster: s.cluster, reason: s.failed.kind }] : []));
  return { result, evaluation, notSwept, ...(posted ? { posted } : {}) };
}
