/**
 * What the metrics step returns in `StepResult.data` (documented in docs/metrics.md).
 * A number is `null` when Prometheus had no data for it (or its query failed: see `queryErrors`).
 */
import type { Point } from '../../adapters/prometheus/prometheus-responses.js';

export interface DestinationReadings {
  /** Whether Prometheus has any destination-controller series at all. */
  scraped: boolean | null;
  /** increase(endpoints_updates) over the window (extrapolated; may be fractional). */
  updatesIncrease: number | null;
  /** When the counter last moved within the window (ISO time, to the range step), or null. */
  updatesLastMovedAt: string | null;
  subscribers: number | null;
  exists: boolean | null;
  pods: number | null;
  /** changes(endpoints_pods): how often the controller's own pod count changed. */
  podsChanges: number | null;
  informerLagP50Seconds: number | null;
  informerLagP99Seconds: number | null;
  getHandlingP99Seconds: number | null;
}

export interface GoldenReadings {
  /** 0..1 */
  successRate: number | null;
  rps: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
}

export interface PodChange {
  pod: string;
  change: 'started' | 'stopped';
  /** ISO time (start time exactly; stop time to the range step). */
  at: string;
}

export interface PodChanges {
  /** Changes inside the window that are old enough to have reached the controller. */
  changes: PodChange[];
  /** Pods of the service's workloads seen in the window. */
  podsSeen: number;
}

/** The kubernetes side: which workloads the service's pods belong to. */
export interface ServiceWorkloads {
  /** Deployment names (proxy metrics carry `deployment`). */
  deployments: string[];
  /** Pods selected by the service now, and how many are ready. */
  pods: number;
  readyPods: number;
}

export type ChartSeriesKey = 'updates' | 'pods' | 'subscribers' | 'informerLagP99' | 'successRate';

export interface ChartSeries {
  key: ChartSeriesKey;
  label: string;
  unit: string;
  points: Point[];
}

export interface QueryRecord {
  name: string;
  promql: string;
  /** Set when the query failed. */
  error?: string;
}

export interface MetricsData {
  prometheusUrl: string;
  windowSeconds: number;
  /** ISO times of the window. */
  from: string;
  to: string;
  /** Range-query resolution, seconds. */
  stepSeconds: number;
  workloads: ServiceWorkloads | null;
  destination: DestinationReadings;
  /** null when they could not be counted (no workloads known, or the query failed). */
  podChanges: PodChanges | null;
  golden: GoldenReadings;
  series: ChartSeries[];
  queries: QueryRecord[];
}

/** The step's thresholds (docs/metrics.md): its findings and the charts front ends draw use these. */
export const THRESHOLDS = {
  /** Informer lag p99 above this warns. */
  informerLagP99Seconds: 5,
  /** increase(endpoints_updates) below this counts as "did not move" (increase() extrapolates). */
  updatesMoved: 0.5,
  /** Inbound success rate below this warns. */
  successRate: 0.95,
} as const;
