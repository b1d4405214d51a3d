/**
 * One run of a scheduled report: sweep the report's scope, judge the findings against the
 * report's open alerts (alert-state.ts), tell the channel what changed through a notifier, and
 * write the new state with the leader's fencing token. The scheduled slot is marked started
 * before the sweep and finished with the state, so a run the old leader did not finish is run
 * by the next one and a finished one is not run again (report-scheduler.ts).
 */
import type { ReportConfig } from '../config/reports-schema.js';
import { mergeSweeps } from './merge-sweeps.js';
import type { StepResult } from '../domain/step-result.js';
import type { SweepData, SweepFinding, SweepRequest } from '../steps/sweep/sweep-types.js';
import {
  evaluateRun,
  activeSnoozes,
  type AlertChange,
  type Evaluation,
  type OpenAlert,
} from './alert-state.js';
import {
  emptyReportState,
  type ReportsState,
  type ReportStateStore,
  type RunMessage,
} from './report-state-store.js';

/** Where the channel message of a run went, and the thread of each finding. */
export interface PostedRun {
  channel: string;
  ts: string;
  message: RunMessage;
}

/** How a report talks to its channel (Slack: slack/report-notifier.ts). */
export interface ReportNotifier {
  /** One message listing new and worsened findings; each finding's detail in its thread. */
  postRun(report: ReportConfig, alerts: OpenAlert[], summary: string): Promise<PostedRun>;
  /** Nothing new (only when the report is not quiet). */
  postAllClear(report: ReportConfig, summary: string): Promise<void>;
  /** A finding still open after the repeat interval: a reply in its thread, shown in the channel. */
  postReminder(report: ReportConfig, alert: OpenAlert): Promise<void>;
  /** "resolved after N min" in the finding's thread, and its line in the run message rewritten. */
  postResolved(
    report: ReportConfig,
    change: AlertChange,
    message: RunMessage | undefined,
  ): Promise<RunMessage | undefined>;
}

export interface RunReportOptions {
  report: ReportConfig;
  /** The cluster swept, or several (one after the other), their findings grouped by cluster. */
  cluster: string | readonly string[];
  sweep: (request: SweepRequest) => Promise<StepResult<SweepData>>;
  store: ReportStateStore;
  notifier: ReportNotifier;
  /** The scheduled time this run is for (ISO), or `manual-...` for a run asked by hand. */
  slot: string;
  /** This replica (pod name). */
  identity: string;
  /** The leader's leaseTransitions. */
  fence?: number;
  now?: () => Date;
}

export interface ReportRun {
  result: StepResult<SweepData>;
  evaluation: Evaluation;
  posted?: PostedRun;
}

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

export async function runReport(o: RunReportOptions): Promise<ReportRun> {
  const now = o.now ?? (() => new Date());
  const { report } = o;
  await markStarted(o.store, report.name, o.slot, o.identity, o.fence, now());
  const swept: StepResult<SweepData>[] = [];
  for (const cluster of typeof o.cluster === 'string' ? [o.cluster] : o.cluster) {
    swept.push(
      await o.sweep({
        cluster,
        namespaces: report.scope.namespaces,
        ...(report.scope.selector ? { selector: report.scope.selector } : {}),
        concurrency: report.concurrency,
        persistenceMs: report.persistence,
        endpoints: report.checks.includes('endpoints'),
        controlPlane: report.checks.includes('control-plane'),
        certificateWarningDays: report.thresholds.certificateWarningDays,
      }),
    );
  }
  const result = mergeSweeps(swept);
  const findings = result.findings as SweepFinding[];
  const state = await o.store.read();
  const before = state.reports[report.name] ?? emptyReportState();
  const at = now();
  const evaluation = evaluateRun(before.open, findings, {
    now: at,
    repeatIntervalMs: report.repeatInterval,
    snoozes: activeSnoozes(state.snoozes, at),
    partial: result.data.notAsked.length > 0,
  });

  // Tell the channel, then record what was told.
  const messages: Record<string, RunMessage> = { ...before.messages };
  let posted: PostedRun | undefined;
  if (evaluation.toPost.length > 0) {
    posted = await o.notifier.postRun(report, evaluation.toPost, result.summary);
    messages[posted.ts] = posted.message;
    for (const alert of evaluation.toPost) {
      evaluation.open[alert.fingerprint]!.post = {
        channel: posted.channel,
        ts: posted.ts,
        threadTs: posted.ts,
      };
    }
  } else if (!report.quiet && evaluation.toRemind.length === 0 && evaluation.toResolve.length === 0) {
    await o.notifier.postAllClear(report, result.summary);
  }
  for (const alert of evaluation.toRemind) await o.notifier.postReminder(report, alert);
  for (const change of evaluation.toResolve) {
    const ts = change.alert.post?.ts;
    const updated = await o.notifier.postResolved(report, change, ts ? messages[ts] : undefined);
    if (ts && updated) messages[ts] = updated;
  }
  // A run message is forgotten once none of its findings is open.
  const openTs = new Set(Object.values(evaluation.open).flatMap((a) => (a.post ? [a.post.ts] : [])));
  for (const ts of Object.keys(messages)) if (!openTs.has(ts)) delete messages[ts];

  await o.store.update((s) => {
    s.reports[report.name] = {
      ...(s.reports[report.name] ?? emptyReportState()),
      open: evaluation.open,
      messages,
      finished: { slot: o.slot, at: now().toISOString(), by: o.identity },
    };
    s.snoozes = activeSnoozes(s.snoozes, at);
    return s;
  }, o.fence);
  return { result, evaluation, ...(posted ? { posted } : {}) };
}
