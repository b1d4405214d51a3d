/**
 * The one traffic model of a sandbox: who calls whom, how often, how well and how fast. Every
 * synthetic signal comes from it: the proxies' inbound and outbound metrics
 * (src/sandbox/proxy-metrics/) and the meshed clients' destination subscriptions
 * (src/sandbox/mesh/). Built from a scenario's `traffic:` edges (docs/sandbox.md).
 */
import type { Scenario } from '../scenario/scenario-schema.js';

/** Synthetic traffic of one edge: requests per second (all pods together), success rate, latency. */
export interface TrafficSpec {
  /** Requests per second, all pods together. */
  rps: number;
  /** 0..1 */
  successRate: number;
  latencyMs: { p50: number; p99: number };
}

/** A service port as clients address it. */
export interface ServicePortRef {
  namespace: string;
  name: string;
  port: number;
}

export interface TrafficEdge {
  /**
   * The calling workload `NAMESPACE/NAME`. Its meshed pods report the requests as outbound and
   * hold a destination subscription for the service. Absent: clients outside the mesh (ingress,
   * unmeshed pods): only the serving pods report the requests (inbound).
   */
  from?: string;
  /** The service called (its ready meshed pods report the requests inbound). */
  service?: ServicePortRef;
  /** Without a service: the workload `NAMESPACE/NAME` whose pods are called directly. */
  workload?: string;
  /** A ServiceProfile route name (`rt_route`) the requests match. */
  route?: string;
  /** What tap shows of the requests: path, method, protocol (default `GET /` over HTTP). */
  request?: { path?: string; method?: string; protocol?: 'http' | 'grpc' };
  spec: TrafficSpec;
}

export interface TrafficModel {
  edges: TrafficEdge[];
}

/** Traffic of meshed workloads in a scenario without `traffic:` edges: emojivoto-like, nearly all successful. */
export const DEFAULT_TRAFFIC: TrafficSpec = { rps: 10, successRate: 0.995, latencyMs: { p50: 12, p99: 80 } };

/** `SVC.NS.svc.DOMAIN:PORT`, the authority a proxy resolves (and the `authority` label). */
export function serviceAuthority(service: ServicePortRef, clusterDomain: string): string {
  return `${service.name}.${service.namespace}.svc.${clusterDomain}:${service.port}`;
}

/** `NAME.NAMESPACE` or `NAME` (in `namespace`) -> the service's namespace and name. */
export function parseServiceRef(to: string, namespace: string): { namespace: string; name: string } {
  const dot = to.indexOf('.');
  return dot < 0 ? { namespace, name: to } : { namespace: to.slice(dot + 1), name: to.slice(0, dot) };
}

/**
 * The scenario's model: its `traffic:` edges, plus traffic from outside the mesh to workloads
 * that declare their own `traffic`. A scenario with no edges at all gets outside traffic to every
 * meshed workload (its own `traffic`, else DEFAULT_TRAFFIC), and no meshed client calls anything.
 */
export function trafficModelOf(scenario: Scenario): TrafficModel {
  const edges: TrafficEdge[] = [];
  const workloads = [...scenario.deployments, ...scenario.statefulsets];
  const noEdges = scenario.traffic.length === 0;
  for (const w of workloads) {
    const spec = w.traffic ?? (noEdges && w.meshed ? DEFAULT_TRAFFIC : undefined);
    if (spec) edges.push({ workload: `${w.namespace}/${w.name}`, spec });
  }
  for (const e of scenario.traffic) {
    const ref = parseServiceRef(e.to, e.namespace);
    const svc = scenario.services.find((s) => s.namespace === ref.namespace && s.name === ref.name);
    const port = e.port ?? svc?.ports[0]?.port ?? 80;
    const from = workloads.find((w) => w.namespace === e.namespace && w.name === e.from);
    edges.push({
      ...(from?.meshed ? { from: `${e.namespace}/${e.from}` } : {}),
      service: { ...ref, port },
      ...(e.route !== undefined ? { route: e.route } : {}),
      ...(e.path !== undefined || e.method !== undefined || e.protocol !== undefined
        ? {
            request: {
              ...(e.path !== undefined ? { path: e.path } : {}),
              ...(e.method !== undefined ? { method: e.method } : {}),
              ...(e.protocol !== undefined ? { protocol: e.protocol } : {}),
            },
          }
        : {}),
      spec: { rps: e.rps, successRate: e.successRate, latencyMs: e.latencyMs },
    });
  }
  return { edges };
}

/** Calling workload `NAMESPACE/NAME` -> the service ports its meshed pods call (each once). */
export function callsByWorkload(model: TrafficModel): Map<string, ServicePortRef[]> {
  const out = new Map<string, ServicePortRef[]>();
  for (const e of model.edges) {
    if (!e.from || !e.service) continue;
    const list = out.get(e.from) ?? [];
    const s = e.service;
    if (!list.some((x) => x.namespace === s.namespace && x.name === s.name && x.port === s.port))
      list.push(s);
    out.set(e.from, list);
  }
  return out;
}
