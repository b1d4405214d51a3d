/** The routes step's typed detail (`data` of its StepResult; docs/routes.md). */

/**
 * ServiceProfile routes (`route_*` metrics, `rt_route`), Gateway API/Linkerd HTTPRoutes
 * (`outbound_http_route_*`), or Gateway API GRPCRoutes (`outbound_grpc_route_*`).
 */
export type RouteModel = 'service-profile' | 'http-route' | 'grpc-route';

/** How people call each model's objects (tables, findings, summaries). */
export const MODEL_LABELS: Record<RouteModel, string> = {
  'service-profile': 'ServiceProfile',
  'http-route': 'HTTPRoute',
  'grpc-route': 'GRPCRoute',
};

/** The name of the row of requests that match no route, as `linkerd viz routes` shows it. */
export const DEFAULT_ROUTE = '[DEFAULT]';

export interface RouteRow {
  model: RouteModel;
  /** The route's name, or `[DEFAULT]`. */
  route: string;
  /** `HTTPRoute.gateway.networking.k8s.io`, `HTTPRoute.policy.linkerd.io`, `GRPCRoute.gateway.networking.k8s.io`; absent for profiles and [DEFAULT]. */
  kind?: string;
  /** The service (ServiceProfile) or parent `SERVICE:PORT` (HTTPRoute, GRPCRoute), the SERVICE column. */
  service: string;
  /** How the route matches requests (`GET /api/list`), when its object says. */
  matches?: string;
  /** Whether the route is defined by an object meshbot read (false: seen only in the metrics). */
  defined: boolean;
  /** Requests in the window (successes + failures); 0 = no data. */
  requests: number;
  failures: number;
  /** 0..1; null without requests. */
  successRate: number | null;
  rps: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /** What crossed a threshold, when something did. */
  verdict?: 'fail' | 'warn';
}

export interface RouteThresholds {
  /** A route below this success rate (0..1) fails. */
  minSuccessRate: number;
  /** A route whose p99 latency is above this (ms) is a warning. */
  maxP99Ms: number;
  /** Routes with fewer requests in the window are not judged. */
  minRequests: number;
}

export const DEFAULT_ROUTE_THRESHOLDS: RouteThresholds = {
  minSuccessRate: 0.95,
  maxP99Ms: 1000,
  minRequests: 10,
};

export interface RoutesQueryRecord {
  name: string;
  promql: string;
  error?: string;
}

export interface RoutesData {
  /** The cluster (adapter set) the routes were read from. */
  cluster: string;
  prometheusUrl: string;
  windowSeconds: number;
  /** The route models the service's objects use (both when both exist; empty when none). */
  models: RouteModel[];
  serviceProfile: { name: string; routes: number } | null;
  httpRoutes: Array<{ group: string; name: string; namespace: string }>;
  grpcRoutes: Array<{ group: string; name: string; namespace: string }>;
  /** Route resources (`PLURAL.GROUP`) the cluster does not serve: their CRDs are not installed. */
  notServed: string[];
  rows: RouteRow[];
  thresholds: RouteThresholds;
  queries: RoutesQueryRecord[];
}
