/**
 * What a report run means for a channel, in Alertmanager's spirit (pure, no I/O): each finding,
 * by fingerprint, is new, worsened, unchanged or resolved against the open alerts of the report;
 * an unchanged one is reminded once per repeat interval; a snoozed one is tracked but not posted;
 * a run that could not ask everything resolves nothing it could not see. docs/reports.md.
 */
import type { FindingSeverity } from '../domain/step-result.js';
import type { SweepFinding } from '../steps/sweep/sweep-types.js';

export const DEFAULT_REPEAT_INTERVAL_MS = 4 * 60 * 60 * 1000;

/** An open finding of one report, as the state ConfigMap keeps it. */
export interface OpenAlert {
  fingerprint: string;
  cluster: string;
  kind: string;
  subject: string;
  severity: FindingSeverity;
  message: string;
  source: SweepFinding['source'];
  addresses?: string[];
  /** ISO times. */
  firstSeen: string;
  lastSeen: string;
  /** When it was last posted or reminded; absent while it was never posted (snoozed from the start). */
  lastNotified?: string;
  /** The Slack message (run message) that lists it and the thread of its detail. */
  post?: { channel: string; ts: string; threadTs?: string };
}

export interface Snooze {
  fingerprint: string;
  /** ISO time the snooze ends. */
  until: string;
  by: string;
  at: string;
}

export type ChangeType = 'new' | 'worsened' | 'unchanged' | 'reminder' | 'resolved';

export interface AlertChange {
  type: ChangeType;
  alert: OpenAlert;
  /** Held back by a snooze: tracked, not posted. */
  snoozed: boolean;
  /** For `resolved`: how long it was open, ms. */
  openForMs?: number;
}

export interface EvaluateOptions {
  now: Date;
  repeatIntervalMs?: number;
  snoozes?: Readonly<Record<string, Snooze>>;
  /**
   * The run could not ask everything (a namespace refused, the destination down for some
   * services): open endpoint alerts it did not see are kept, not resolved.
   */
  partial?: boolean;
  /** The same, for a report over several clusters: the clusters whose sweep could not ask everything. */
  partialClusters?: ReadonlySet<string>;
  /**
   * The clusters this run swept (and whose sweep finished). When given, open alerts of any
   * other cluster (its sweep failed or ran out of time, or the run did not cover it, as a CLI
   * run of one cluster of a report over several) were not looked at: all are kept, control-plane
   * ones too.
   */
  swept?: ReadonlySet<string>;
}

export interface Evaluation {
  changes: AlertChange[];
  /** The report's open alerts after this run. */
  open: Record<string, OpenAlert>;
  /** New and worsened alerts to post in the run's message (not snoozed). */
  toPost: OpenAlert[];
  /** Open alerts to remind of (repeat interval passed, not snoozed). */
  toRemind: OpenAlert[];
  /** Alerts that cleared and had been posted: a "resolved after N min" reply each. */
  toResolve: AlertChange[];
}

const RANK: Record<FindingSeverity, number> = { info: 0, warn: 1, fail: 2, error: 3 };

export function isSnoozed(
  fingerprint: string,
  snoozes: Readonly<Record<string, Snooze>> | undefined,
  now: Date,
): boolean {
  const s = snoozes?.[fingerprint];
  return s !== undefined && new Date(s.until).getTime() > now.getTime();
}

/** Worse: a higher severity, or addresses it did not have. */
export function worsened(before: OpenAlert, now: SweepFinding): boolean {
  if (RANK[now.severity] > RANK[before.severity]) return true;
  const had = new Set(before.addresses ?? []);
  return (now.addresses ?? []).some((a) => !had.has(a));
}

function alertOf(f: SweepFinding, at: string, previous?: OpenAlert): OpenAlert {
  const alert: OpenAlert = {
    fingerprint: f.fingerprint,
    cluster: f.cluster,
    kind: f.kind,
    subject: f.subject,
    severity: f.severity,
    message: f.message,
    source: f.source,
    firstSeen: previous?.firstSeen ?? at,
    lastSeen: at,
  };
  if (f.addresses) alert.addresses = f.addresses;
  if (previous?.lastNotified) alert.lastNotified = previous.lastNotified;
  if (previous?.post) alert.post = previous.post;
  return alert;
}

export function evaluateRun(
  open: Readonly<Record<string, OpenAlert>>,
  findings: readonly SweepFinding[],
  options: EvaluateOptions,
): Evaluation {
  const at = options.now.toISOString();
  const nowMs = options.now.getTime();
  const repeat = options.repeatIntervalMs ?? DEFAULT_REPEAT_INTERVAL_MS;
  const next: Record<string, OpenAlert> = {};
  const changes: AlertChange[] = [];
  const seen = new Set<string>();

  for (const f of findings) {
    if (f.severity === 'info' || seen.has(f.fingerprint)) continue;
    seen.add(f.fingerprint);
    const before = open[f.fingerprint];
    const alert = alertOf(f, at, before);
    const snoozed = isSnoozed(f.fingerprint, options.snoozes, options.now);
    let type: ChangeType;
    if (!before) type = 'new';
    else if (worsened(before, f)) type = 'worsened';
    else if (!before.lastNotified && !snoozed)
      type = 'new'; // held back by a snooze that has ended
    else if (!snoozed && before.lastNotified && nowMs - new Date(before.lastNotified).getTime() >= repeat)
      type = 'reminder';
    else type = 'unchanged';
    if (!snoozed && type !== 'unchanged') alert.lastNotified = at;
    next[f.fingerprint] = alert;
    changes.push({ type, alert, snoozed });
  }

  for (const [fingerprint, before] of Object.entries(open)) {
    if (seen.has(fingerprint)) continue;
    if (options.swept && !options.swept.has(before.cluster)) {
      next[fingerprint] = before; // its cluster was not swept
      continue;
    }
    const partial = options.partial || options.partialClusters?.has(before.cluster);
    if (partial && before.source !== 'control-plane') {
      next[fingerprint] = before; // not seen because not asked: still open
      continue;
    }
    changes.push({
      type: 'resolved',
      alert: before,
      snoozed: isSnoozed(fingerprint, options.snoozes, options.now),
      openForMs: nowMs - new Date(before.firstSeen).getTime(),
    });
  }

  return {
    changes,
    open: next,
    toPost: changes
      .filter((c) => !c.snoozed && (c.type === 'new' || c.type === 'worsened'))
      .map((c) => c.alert),
    toRemind: changes.filter((c) => !c.snoozed && c.type === 'reminder').map((c) => c.alert),
    toResolve: changes.filter((c) => c.type === 'resolved' && c.alert.lastNotified !== undefined),
  };
}

/** Snoozes still in force (expired ones dropped). */
export function activeSnoozes(snoozes: Readonly<Record<string, Snooze>>, now: Date): Record<string, Snooze> {
  return Object.fromEntries(Object.entries(snoozes).filter(([fp]) => isSnoozed(fp, snoozes, now)));
}

/** "14 min", "2 h 5 min", "40 s". */
export function formatOpenFor(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}
