/**
 * Route rows from Prometheus samples, one per route (and one `[DEFAULT]`), as
 * `linkerd viz routes` builds its table: every route the objects define has a row (`-` without
 * data), requests are successes + failures over the window, RPS is requests / window.
 * ServiceProfile rows classify by the proxy's `classification`; HTTPRoute rows count a 5xx
 * `http_status` or any `error` as a failure, GRPCRoute rows a `grpc_status` other than `OK` or
 * any `error` (viz/cmd/stat-outbound.go populateHTTPCounts/populateGRPCCounts: a failed RPC is
 * an HTTP 200 whose grpc-status trailer is not OK).
 */
import type { Sample } from '../../adapters/prometheus/prometheus-responses.js';
import type { KubeGrpcRoute, KubeHttpRoute, KubeServiceProfile } from '../../adapters/kube/route-objects.js';
import { QUANTILES, type Quantile } from './route-queries.js';
import { DEFAULT_ROUTE, type RouteRow } from './routes-types.js';

export type QuantileSamples = Record<Quantile, Sample[]>;

interface Tally {
  row: RouteRow;
  successes: number;
  ports: Set<string>;
}

function newRow(model: RouteRow['model'], route: string, service: string, defined: boolean): RouteRow {
  return {
    model,
    route,
    service,
    defined,
    requests: 0,
    failures: 0,
    successRate: null,
    rps: null,
    latencyMs: { p50: null, p95: null, p99: null },
  };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function setLatency(row: RouteRow, q: Quantile, ms: number | null): void {
  if (ms === null) return;
  if (q === 0.5) row.latencyMs.p50 = ms;
  else if (q === 0.95) row.latencyMs.p95 = ms;
  else row.latencyMs.p99 = ms;
}

function finish(tallies: Iterable<Tally>, windowSeconds: number): RouteRow[] {
  const rows: RouteRow[] = [];
  for (const t of tallies) {
    const total = t.successes + t.row.failures;
    t.row.requests = total;
    if (total > 0) {
      t.row.successRate = t.successes / total;
      t.row.rps = total / windowSeconds;
    } else {
      t.row.latencyMs = { p50: null, p95: null, p99: null };
    }
    rows.push(t.row);
  }
  // As viz sorts: by route name, [DEFAULT] last.
  return rows.sort((a, b) =>
    a.route === DEFAULT_ROUTE ? 1 : b.route === DEFAULT_ROUTE ? -1 : a.route.localeCompare(b.route),
  );
}

/** ServiceProfile rows: the profile's routes, `[DEFAULT]`, and any route seen only in the metrics. */
export function profileRows(
  service: string,
  profile: KubeServiceProfile,
  responses: Sample[],
  latency: QuantileSamples,
  windowSeconds: number,
): RouteRow[] {
  const tallies = new Map<string, Tally>();
  const tally = (rtRoute: string): Tally => {
    const name = rtRoute === '' ? DEFAULT_ROUTE : rtRoute;
    let t = tallies.get(name);
    if (!t) {
      t = {
        row: newRow('service-profile', name, service, name === DEFAULT_ROUTE),
        successes: 0,
        ports: new Set(),
      };
      tallies.set(name, t);
    }
    return t;
  };
  for (const r of profile.routes) {
    const t = tally(r.name);
    t.row.defined = true;
    const matches = [r.method, r.pathRegex].filter((x) => x !== undefined).join(' ');
    if (matches) t.row.matches = matches;
  }
  tally('');
  for (const s of responses) {
    const value = finite(s.value) ?? 0;
    const t = tally(s.metric['rt_route'] ?? '');
    if (s.metric['classification'] === 'success') t.successes += value;
    else if (s.metric['classification'] === 'failure') t.row.failures += value;
  }
  for (const q of QUANTILES) {
    for (const s of latency[q]) setLatency(tally(s.metric['rt_route'] ?? '').row, q, finite(s.value));
  }
  return finish(tallies.values(), windowSeconds);
}

function routeKey(labels: Record<string, string>): { key: string; name: string; kind?: string } {
  if ((labels['route_kind'] ?? 'default') === 'default') return { key: DEFAULT_ROUTE, name: DEFAULT_ROUTE };
  const group = labels['route_group'] ?? '';
  const name = labels['route_name'] ?? '';
  return {
    key: `${group}/${labels['route_namespace'] ?? ''}/${name}`,
    name,
    kind: `${labels['route_kind']}${group ? `.${group}` : ''}`,
  };
}

/** What counts as a failed request of each outbound route model (viz/cmd/stat-outbound.go). */
const IS_FAILURE: Record<'http-route' | 'grpc-route', (labels: Record<string, string>) => boolean> = {
  'http-route': (labels) => (labels['http_status'] ?? '').startsWith('5') || (labels['error'] ?? '') !== '',
  // The proxy always sets grpc_status (UNKNOWN when the response carried none).
  'grpc-route': (labels) => (labels['grpc_status'] ?? 'UNKNOWN') !== 'OK' || (labels['error'] ?? '') !== '',
};

/** The `route_kind` of each outbound route model's objects. */
const ROUTE_KIND = { 'http-route': 'HTTPRoute', 'grpc-route': 'GRPCRoute' } as const;

/** HTTPRoute rows: the routes whose parent is the service, `[DEFAULT]`, and any route seen only in the metrics. */
export function httpRouteRows(
  service: string,
  routes: KubeHttpRoute[],
  statuses: Sample[],
  latency: QuantileSamples,
  windowSeconds: number,
): RouteRow[] {
  return outboundRouteRows('http-route', service, routes, statuses, latency, windowSeconds);
}

/**
 * GRPCRoute rows: the routes whose parent is the service and any route seen only in the metrics.
 * No `[DEFAULT]` row unless the metrics have one: where a service has GRPCRoutes the policy
 * controller gives its port no default route (policy-controller/grpc/src/outbound/grpc.rs), so
 * an RPC that matches none is refused by the proxy and counted on no route.
 */
export function grpcRouteRows(
  service: string,
  routes: KubeGrpcRoute[],
  statuses: Sample[],
  latency: QuantileSamples,
  windowSeconds: number,
): RouteRow[] {
  return outboundRouteRows('grpc-route', service, routes, statuses, latency, windowSeconds);
}

function outboundRouteRows(
  model: 'http-route' | 'grpc-route',
  service: string,
  routes: Array<KubeHttpRoute | KubeGrpcRoute>,
  statuses: Sample[],
  latency: QuantileSamples,
  windowSeconds: number,
): RouteRow[] {
  const isFailure = IS_FAILURE[model];
  const tallies = new Map<string, Tally>();
  const tally = (labels: Record<string, string>): Tally => {
    const { key, name, kind } = routeKey(labels);
    let t = tallies.get(key);
    if (!t) {
      const row = newRow(model, name, service, key === DEFAULT_ROUTE);
      if (kind) row.kind = kind;
      t = { row, successes: 0, ports: new Set() };
      tallies.set(key, t);
    }
    return t;
  };
  for (const r of routes) {
    const t = tally({
      route_kind: ROUTE_KIND[model],
      route_group: r.group,
      route_namespace: r.namespace,
      route_name: r.name,
    });
    t.row.defined = true;
    if (r.matches.length) t.row.matches = r.matches.join(', ');
    for (const p of r.parentRefs) if (p.port !== undefined) t.ports.add(String(p.port));
  }
  if (model === 'http-route') tally({ route_kind: 'default' });
  for (const s of statuses) {
    const value = finite(s.value) ?? 0;
    const t = tally(s.metric);
    if (s.metric['parent_port']) t.ports.add(s.metric['parent_port']);
    if (isFailure(s.metric)) t.row.failures += value;
    else t.successes += value;
  }
  for (const q of QUANTILES) {
    for (const s of latency[q]) {
      const seconds = finite(s.value);
      setLatency(tally(s.metric).row, q, seconds === null ? null : seconds * 1000);
    }
  }
  for (const t of tallies.values()) {
    if (t.ports.size) t.row.service = `${service}:${[...t.ports].sort().join(',')}`;
  }
  return finish(tallies.values(), windowSeconds);
}
