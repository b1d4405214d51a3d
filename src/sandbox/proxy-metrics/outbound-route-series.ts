/**
 * The proxy's outbound route metrics (linkerd2-proxy, linkerd/app/outbound/src/http/logical/
 * policy/route/metrics.rs and metrics/labels.rs), one pair of families per protocol:
 * - HTTPRoutes: `outbound_http_route_request_statuses_total` (`http_status`, `error`) and
 *   `outbound_http_route_request_duration_seconds`;
 * - GRPCRoutes: `outbound_grpc_route_request_statuses_total` (`grpc_status`: `OK`, `UNAVAILABLE`,
 *   ... as tonic names the codes; `error`) and `outbound_grpc_route_request_duration_seconds`.
 * Both carry the parent and route labels (`parent_group`, `parent_kind`, `parent_namespace`,
 * `parent_name`, `parent_port`, `parent_section_name`, `route_group`, `route_kind`,
 * `route_namespace`, `route_name`, `hostname`); the histograms use the proxy's REQUEST_BUCKETS.
 * HTTP requests that match no HTTPRoute go to the default route: `route_kind="default"`,
 * `route_name="http"`, empty group and namespace. gRPC has no default route where GRPCRoutes
 * exist (policy-controller/grpc/src/outbound/grpc.rs): callers record only matched routes.
 */
import type { ServicePortRef } from '../traffic/traffic-model.js';
import type { HttpRouteRef } from './route-index.js';

/** The proxy's REQUEST_BUCKETS (seconds). */
export const HTTP_ROUTE_REQUEST_BUCKETS = [0.05, 0.5, 1, 10];

/** Which family a series belongs to: `outbound_http_route_*` or `outbound_grpc_route_*`. */
export type RouteProtocol = 'http' | 'grpc';

export interface HttpRouteCounters {
  protocol: RouteProtocol;
  /** Parent, route and hostname labels, formatted (after the pod's own). */
  series: string;
  success: number;
  failure: number;
  buckets: Float64Array;
  sum: number;
  count: number;
}

type Format = (labels: ReadonlyArray<readonly [string, string]>) => string;

export function httpRouteLabels(
  format: Format,
  parent: ServicePortRef,
  route: HttpRouteRef | undefined,
  clusterDomain: string,
): string {
  return format([
    ['parent_group', 'core'],
    ['parent_kind', 'Service'],
    ['parent_namespace', parent.namespace],
    ['parent_name', parent.name],
    ['parent_port', String(parent.port)],
    ['parent_section_name', ''],
    ['route_group', route?.group ?? ''],
    ['route_kind', route?.kind ?? 'default'],
    ['route_namespace', route?.namespace ?? ''],
    ['route_name', route?.name ?? 'http'],
    ['hostname', `${parent.name}.${parent.namespace}.svc.${clusterDomain}`],
  ]);
}

export function newHttpRouteCounters(series: string, protocol: RouteProtocol = 'http'): HttpRouteCounters {
  return {
    protocol,
    series,
    success: 0,
    failure: 0,
    buckets: new Float64Array(HTTP_ROUTE_REQUEST_BUCKETS.length),
    sum: 0,
    count: 0,
  };
}

export function recordHttpRoute(c: HttpRouteCounters, failed: boolean, latencyMs: number): void {
  if (failed) c.failure += 1;
  else c.success += 1;
  const seconds = latencyMs / 1000;
  c.sum += seconds;
  c.count += 1;
  const i = HTTP_ROUTE_REQUEST_BUCKETS.findIndex((bound) => seconds <= bound);
  if (i >= 0) c.buckets[i] = (c.buckets[i] ?? 0) + 1;
}

/**
 * The status labels of a success and a failure of each protocol. A failed RPC is an HTTP 200
 * whose grpc-status is not OK; the sandbox's failing RPCs answer UNKNOWN (as its tap events do).
 */
const STATUS_LABELS: Record<RouteProtocol, { success: string; failure: string }> = {
  http: { success: 'http_status="200",error=""', failure: 'http_status="500",error=""' },
  grpc: { success: 'grpc_status="OK",error=""', failure: 'grpc_status="UNKNOWN",error=""' },
};

/** The two families of `protocol` in exposition format; `each` yields (pod labels, counters) of that protocol. */
export function writeRouteFamilies(
  protocol: RouteProtocol,
  each: () => Iterable<[podLabels: string, c: HttpRouteCounters]>,
  line: (text: string) => void,
): void {
  const statuses = `outbound_${protocol}_route_request_statuses_total`;
  const labels = STATUS_LABELS[protocol];
  line(`\n\n# HELP ${statuses} Completed request-response streams.\n# TYPE ${statuses} counter`);
  for (const [pod, c] of each()) {
    if (c.success > 0) line(`\n${statuses}{${pod},${c.series},${labels.success}} ${c.success}`);
    if (c.failure > 0) line(`\n${statuses}{${pod},${c.series},${labels.failure}} ${c.failure}`);
  }
  const duration = `outbound_${protocol}_route_request_duration_seconds`;
  line(
    `\n\n# HELP ${duration} The time between request initialization and response completion.\n# TYPE ${duration} histogram`,
  );
  for (const [pod, c] of each()) {
    let acc = 0;
    for (let i = 0; i < HTTP_ROUTE_REQUEST_BUCKETS.length; i++) {
      acc += c.buckets[i] ?? 0;
      line(`\n${duration}_bucket{${pod},${c.series},le="${HTTP_ROUTE_REQUEST_BUCKETS[i]}"} ${acc}`);
    }
    line(`\n${duration}_bucket{${pod},${c.series},le="+Inf"} ${c.count}`);
    line(`\n${duration}_sum{${pod},${c.series}} ${c.sum}`);
    line(`\n${duration}_count{${pod},${c.series}} ${c.count}`);
  }
}
