/**
 * The tap sample as a person reads it in five seconds: requests grouped by method, path,
 * destination and direction, each with its count, success rate, p50/p95/max latency and status codes; the
 * verdict names the worst route. Pure: no I/O.
 */
import type { Finding } from '../../domain/step-result.js';
import type { TappedRequest, TapRouteStats } from './tap-types.js';

/** Below this success rate a route fails the step; below WARN it warns. */
export const TAP_FAIL_SUCCESS_RATE = 0.95;
export const TAP_WARN_SUCCESS_RATE = 0.99;
/** A route needs this many completed requests for a verdict (fewer: too few to judge). */
export const TAP_MIN_REQUESTS_FOR_VERDICT = 5;

export function statusLabel(r: TappedRequest): string {
  if (r.resetCode !== undefined) return 'reset';
  if (r.grpcStatus !== undefined && r.grpcStatus !== 0) return `grpc ${r.grpcStatus}`;
  return r.httpStatus !== undefined ? String(r.httpStatus) : '-';
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/**
 * A route: method, path and destination, per direction. A tap of both ends (a namespace, or a
 * caller and its destination's pods) sees each request twice, once by each proxy: one row each,
 * so neither count is doubled.
 */
export function routeKey(r: Pick<TappedRequest, 'method' | 'path' | 'destination' | 'direction'>): string {
  return `${r.method} ${r.path} -> ${r.destination} (${r.direction})`;
}

/** Completed requests grouped by route, the worst success rate first (then the most requests). */
export function groupRoutes(requests: readonly TappedRequest[]): TapRouteStats[] {
  const groups = new Map<string, TappedRequest[]>();
  for (const r of requests) {
    if (!r.complete) continue;
    const key = routeKey(r);
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const routes: TapRouteStats[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const latencies = list.map((r) => r.latencyMs ?? 0).sort((a, b) => a - b);
    const failures = list.filter((r) => r.success === false).length;
    const statuses: Record<string, number> = {};
    for (const r of list) statuses[statusLabel(r)] = (statuses[statusLabel(r)] ?? 0) + 1;
    routes.push({
      method: first.method,
      path: first.path,
      destination: first.destination,
      direction: first.direction,
      count: list.length,
      failures,
      successRate: (list.length - failures) / list.length,
      p50Ms: quantile(latencies, 0.5),
      p95Ms: quantile(latencies, 0.95),
      maxMs: latencies[latencies.length - 1] ?? 0,
      statuses,
    });
  }
  return routes.sort((a, b) => a.successRate - b.successRate || b.count - a.count);
}

export function formatRate(rate: number): string {
  return `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)}%`;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

function statusesText(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s} x${n}`)
    .join(', ');
}

/** One finding per route below the thresholds (with enough requests to judge), worst first. */
export function judgeRoutes(routes: readonly TapRouteStats[]): Finding[] {
  const findings: Finding[] = [];
  for (const r of routes) {
    if (r.count < TAP_MIN_REQUESTS_FOR_VERDICT || r.successRate >= TAP_WARN_SUCCESS_RATE) continue;
    const failing = Object.entries(r.statuses)
      .filter(([s]) => s === 'reset' || s.startsWith('grpc') || Number(s) >= 500)
      .map(([s, n]) => `${s} x${n}`)
      .join(', ');
    findings.push({
      severity: r.successRate < TAP_FAIL_SUCCESS_RATE ? 'fail' : 'warn',
      code: 'route-failing',
      subject: routeKey(r),
      message: `${r.method} ${r.path} to ${r.destination}: ${formatRate(1 - r.successRate)} of requests fail (${r.failures} of ${r.count}${failing ? `; ${failing}` : ''})`,
      hint: `Look at the failing examples, the logs of ${r.destination}, and its metrics.`,
    });
  }
  return findings;
}

/** The route table's rows. */
export function routeRows(routes: readonly TapRouteStats[]): string[][] {
  return routes.map((r) => [
    r.method,
    r.path,
    r.destination,
    r.direction,
    String(r.count),
    formatRate(r.successRate),
    formatMs(r.p50Ms),
    formatMs(r.p95Ms),
    formatMs(r.maxMs),
    statusesText(r.statuses),
  ]);
}

export function requestRow(r: TappedRequest): string[] {
  return [
    `+${(r.atMs / 1000).toFixed(2)} s`,
    r.method,
    r.path,
    r.source,
    r.destination,
    statusLabel(r),
    r.latencyMs !== undefined ? formatMs(r.latencyMs) : '-',
  ];
}
