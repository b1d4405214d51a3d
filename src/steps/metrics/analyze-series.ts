/**
 * Pure readings of Prometheus results: a sample as a number, when a counter last moved,
 * which pods started or stopped in a window, series summed point by point.
 */
import type { Point, Sample, Series } from '../../adapters/prometheus/prometheus-responses.js';
import type { PodChange, PodChanges } from './metrics-types.js';

/** The value of a one-sample result; null for no data or NaN (e.g. a quantile of no observations). */
export function scalarOf(samples: Sample[]): number | null {
  const v = samples[0]?.value;
  return v === undefined || Number.isNaN(v) ? null : v;
}

/**
 * The time (ms) of the last point at which any counter series moved (went up, or reset down),
 * or null when none moved inside the range. Resolution: the range step.
 */
export function lastMovedAt(series: Series[]): number | null {
  let last: number | null = null;
  for (const s of series) {
    for (let i = 1; i < s.points.length; i++) {
      const prev = s.points[i - 1]!;
      const cur = s.points[i]!;
      if (cur.v !== prev.v && !Number.isNaN(cur.v) && !Number.isNaN(prev.v)) {
        last = last === null ? cur.t : Math.max(last, cur.t);
      }
    }
  }
  return last;
}

/**
 * How much counters grew over their points (resets counted as a restart from 0), summed; null
 * without points. The fallback of increase(), which needs two samples inside its window.
 */
export function counterGrowth(series: Series[]): number | null {
  let total: number | null = null;
  for (const s of series) {
    const pts = s.points.filter((p) => !Number.isNaN(p.v));
    if (pts.length === 0) continue;
    let grown = 0;
    for (let i = 1; i < pts.length; i++) {
      const prev = pts[i - 1]!.v;
      const cur = pts[i]!.v;
      grown += cur >= prev ? cur - prev : cur;
    }
    total = (total ?? 0) + grown;
  }
  return total;
}

/** Series summed at each timestamp (range results share their timestamps). */
export function sumSeries(series: Series[]): Point[] {
  const byT = new Map<number, number>();
  for (const s of series) {
    for (const p of s.points) {
      if (!Number.isNaN(p.v)) byT.set(p.t, (byT.get(p.t) ?? 0) + p.v);
    }
  }
  return [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }));
}

export interface PodChangeWindow {
  /** Window start and end, ms. */
  fromMs: number;
  toMs: number;
  /** Range step, seconds. */
  stepSeconds: number;
  /**
   * Changes before this are left out (ms): the start of the service's endpoints_updates series.
   * The controller counts updates only for services a proxy subscribed to; what changed before
   * the first subscription is part of the state the subscription started from.
   */
  sinceMs?: number;
  /**
   * Changes younger than this are left out: they may not have reached the controller, or its
   * counter may not have been scraped yet.
   */
  settleSeconds: number;
}

/**
 * Pod starts and stops from `max by (pod) (process_start_time_seconds{...})` over the window.
 * - started: the value (the process start time, exact) lies in the window (after `sinceMs`);
 * - stopped: the series ends before the end of the window (by more than two steps: Prometheus
 *   marks a vanished pod's series stale at the next scrape).
 */
export function podChangesFrom(podStarts: Series[], w: PodChangeWindow): PodChanges {
  const changes: PodChange[] = [];
  const settledBy = w.toMs - w.settleSeconds * 1000;
  const since = Math.max(w.fromMs, w.sinceMs ?? w.fromMs);
  const stopSlack = Math.max(2 * w.stepSeconds * 1000, w.settleSeconds * 1000);
  for (const s of podStarts) {
    const pod = s.metric.pod ?? '(unnamed pod)';
    const first = s.points[0];
    const last = s.points[s.points.length - 1];
    if (!first || !last) continue;
    const startedMs = first.v * 1000;
    if (Number.isFinite(startedMs) && startedMs > since && startedMs <= settledBy) {
      changes.push({ pod, change: 'started', at: new Date(startedMs).toISOString() });
    }
    if (last.t < w.toMs - stopSlack && last.t > since) {
      changes.push({ pod, change: 'stopped', at: new Date(last.t).toISOString() });
    }
  }
  changes.sort((a, b) => a.at.localeCompare(b.at) || a.pod.localeCompare(b.pod));
  return { changes, podsSeen: podStarts.length };
}
