/**
 * Verdicts on route rows: a route whose success rate is below the threshold fails, one whose
 * p99 latency is above it is a warning; routes with too few requests in the window are not
 * judged (one failed request of three is not a 67% route).
 */
import type { Finding } from '../../domain/step-result.js';
import { formatMs, formatPercent } from './format-route-values.js';
import { DEFAULT_ROUTE, MODEL_LABELS, type RouteRow, type RouteThresholds } from './routes-types.js';

function label(row: RouteRow): string {
  const model = MODEL_LABELS[row.model];
  return row.route === DEFAULT_ROUTE
    ? `${DEFAULT_ROUTE} (${model}: requests that match no route)`
    : `${model} route "${row.route}"`;
}

/** Marks each row's verdict and returns a finding per threshold crossed. */
export function judgeRoutes(rows: RouteRow[], t: RouteThresholds): Finding[] {
  const findings: Finding[] = [];
  for (const row of rows) {
    if (row.requests < t.minRequests) continue;
    if (row.successRate !== null && row.successRate < t.minSuccessRate) {
      row.verdict = 'fail';
      findings.push({
        severity: 'fail',
        code: 'route-success-rate-low',
        subject: row.route,
        message: `${label(row)} succeeds ${formatPercent(row.successRate)} of ${Math.round(row.requests)} requests, below ${formatPercent(t.minSuccessRate)}`,
        hint: 'Look at what fails on this route: the serving pods (events) and their golden metrics (metrics).',
      });
    }
    if (row.latencyMs.p99 !== null && row.latencyMs.p99 > t.maxP99Ms) {
      row.verdict ??= 'warn';
      findings.push({
        severity: 'warn',
        code: 'route-latency-high',
        subject: row.route,
        message: `${label(row)} has a p99 latency of ${formatMs(row.latencyMs.p99)}, above ${formatMs(t.maxP99Ms)}`,
      });
    }
  }
  return findings;
}
