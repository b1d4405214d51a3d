/**
 * The PromQL of the routes step, written as linkerd-viz writes it:
 * - ServiceProfile routes (viz/metrics-api/top_routes.go): the serving pods' inbound
 *   `route_response_total` by `rt_route, dst, classification`, and
 *   `histogram_quantile(q, sum(irate(route_response_latency_ms_bucket[W])) by (le, dst, rt_route))`,
 *   for `dst` the service's FQDN with any port;
 * - Gateway API / Linkerd HTTPRoutes (viz/cmd/stat-outbound.go): the calling pods' outbound
 *   `outbound_http_route_request_statuses_total` by route and `http_status`/`error`, and
 *   `outbound_http_route_request_duration_seconds_bucket` quantiles, for the parent Service;
 * - Gateway API GRPCRoutes (the same command's gRPC queries): `outbound_grpc_route_request_statuses_total`
 *   by route and `grpc_status`/`error`, and `outbound_grpc_route_request_duration_seconds_bucket`.
 */
export const QUANTILES = [0.5, 0.95, 0.99] as const;
export type Quantile = (typeof QUANTILES)[number];

/** A regular expression that matches `text` exactly (PromQL `=~` anchors it). */
function regexQuote(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A PromQL string literal. */
function promString(text: string): string {
  return JSON.stringify(text);
}

function windowOf(seconds: number): string {
  return `${Math.round(seconds)}s`;
}

export interface ServiceRef {
  service: string;
  namespace: string;
}

/** The service's FQDN, the `dst` of its ServiceProfile routes (with `:PORT`). */
export function serviceFqdn(t: ServiceRef, clusterDomain: string): string {
  return `${t.service}.${t.namespace}.svc.${clusterDomain}`;
}

function profileSelector(t: ServiceRef, clusterDomain: string): string {
  const dst = `(${regexQuote(serviceFqdn(t, clusterDomain))})(:\\d+)?`;
  return `{direction="inbound", dst=~${promString(dst)}, namespace=${promString(t.namespace)}}`;
}

function parentSelector(t: ServiceRef): string {
  return `{parent_group="core", parent_kind="Service", parent_name=${promString(t.service)}, parent_namespace=${promString(t.namespace)}}`;
}

export const HTTP_ROUTE_KEY = ['route_group', 'route_kind', 'route_namespace', 'route_name'] as const;

export interface RouteQueries {
  profileResponses: string;
  profileLatency: Record<Quantile, string>;
  httpRouteStatuses: string;
  httpRouteLatency: Record<Quantile, string>;
  grpcRouteStatuses: string;
  grpcRouteLatency: Record<Quantile, string>;
}

export function routeQueries(t: ServiceRef, windowSeconds: number, clusterDomain: string): RouteQueries {
  const w = windowOf(windowSeconds);
  const sp = profileSelector(t, clusterDomain);
  const parent = parentSelector(t);
  const routeKey = HTTP_ROUTE_KEY.join(', ');
  const quantiles = (f: (q: Quantile) => string): Record<Quantile, string> =>
    Object.fromEntries(QUANTILES.map((q) => [q, f(q)])) as Record<Quantile, string>;
  // The proxy's outbound route families: `outbound_{http,grpc}_route_*`, the status label of each.
  const outbound = (family: 'http' | 'grpc') => ({
    statuses: `sum(increase(outbound_${family}_route_request_statuses_total${parent}[${w}])) by (${routeKey}, parent_port, ${family}_status, error)`,
    latency: quantiles(
      (q) =>
        `histogram_quantile(${q}, sum(irate(outbound_${family}_route_request_duration_seconds_bucket${parent}[${w}])) by (le, ${routeKey}))`,
    ),
  });
  const http = outbound('http');
  const grpc = outbound('grpc');
  return {
    profileResponses: `sum(increase(route_response_total${sp}[${w}])) by (rt_route, dst, classification)`,
    profileLatency: quantiles(
      (q) =>
        `histogram_quantile(${q}, sum(irate(route_response_latency_ms_bucket${sp}[${w}])) by (le, dst, rt_route))`,
    ),
    httpRouteStatuses: http.statuses,
    httpRouteLatency: http.latency,
    grpcRouteStatuses: grpc.statuses,
    grpcRouteLatency: grpc.latency,
  };
}
