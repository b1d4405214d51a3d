/**
 * The sandbox's data plane as Prometheus sees it: the proxies' metrics of every meshed pod
 * (label `linkerd.io/proxy-<kind>`), served at one `/metrics` endpoint with the names and
 * labels linkerd-viz's Prometheus stores after relabelling (`namespace`, `pod`, `deployment`):
 * - `request_total`, `response_total{classification, status_code}`, `response_latency_ms`
 *   (histogram, Linkerd's buckets): `direction="inbound"` on the serving pods (label
 *   `authority`), `direction="outbound"` on the calling pods (`authority`, `dst_namespace`,
 *   `dst_service`, `dst_deployment`/`dst_statefulset`);
 * - `route_request_total`, `route_response_total`, `route_response_latency_ms` (labels `dst` and,
 *   for requests that match a route, `rt_route`) for services with a ServiceProfile: inbound on
 *   the serving pods, outbound on meshed callers; an edge's `route` names the profile route;
 * - `outbound_http_route_request_statuses_total`, `outbound_http_route_request_duration_seconds`
 *   on meshed callers of services that are the parent of an HTTPRoute (outbound-route-series.ts);
 *   requests of an edge whose `route` names no HTTPRoute go to the default route;
 * - `outbound_grpc_route_request_statuses_total` (`grpc_status`), `outbound_grpc_route_request_duration_seconds`
 *   on meshed callers of services that are the parent of a GRPCRoute: as the policy controller
 *   serves such a port as gRPC, its HTTPRoutes are then not used, and an edge whose `route`
 *   names no GRPCRoute matches no route (gRPC has no default route there) and has no series;
 * - `process_start_time_seconds` per pod, present whether or not the pod gets traffic.
 * All of it comes from the traffic model's edges (src/sandbox/traffic/traffic-model.ts): each
 * request of an edge is counted once on a ready calling pod and once on a ready serving pod, with
 * the same outcome and latency. Counters advance on a timer (unref'd, cleared by stop()).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject, ObjectStore } from '../kube/store-types.js';
import { serviceAuthority, type TrafficEdge, type TrafficSpec } from '../traffic/traffic-model.js';
import { meshedWorkloadOf } from '../traffic/meshed-workload.js';
import { latencySampler } from './synthetic-latency.js';
import {
  httpRouteLabels,
  newHttpRouteCounters,
  recordHttpRoute,
  writeRouteFamilies,
  type HttpRouteCounters,
  type RouteProtocol,
} from './outbound-route-series.js';
import { watchRouteIndex } from './route-index.js';

export type { TrafficSpec } from '../traffic/traffic-model.js';

export interface ProxyMetricsOptions {
  store: ObjectStore;
  /** The traffic model's edges. */
  edges?: TrafficEdge[];
  /** Traffic from outside the mesh per workload, keyed `NAMESPACE/NAME` (an edge to the workload each). */
  traffic?: Record<string, TrafficSpec>;
  /** Traffic of meshed workloads the map does not name; absent: none (only process metrics). */
  defaultTraffic?: TrafficSpec;
  /** Port on 127.0.0.1; 0 or absent = ephemeral. */
  port?: number;
  /** How often counters advance, ms. Default 1000. */
  tickMs?: number;
  clusterDomain?: string;
}

export interface RunningProxyMetrics {
  /** `http://127.0.0.1:PORT/metrics` */
  url: string;
  /** Sets (or with undefined clears) the traffic from outside the mesh to one workload `NAMESPACE/NAME`. */
  setTraffic(workload: string, spec: TrafficSpec | undefined): void;
  /** Advances the counters by `seconds` of traffic now (the timer calls it; tests may too). */
  advance(seconds: number): void;
  stop(): Promise<void>;
}

/** Linkerd's proxy latency buckets (ms). */
export const LATENCY_BUCKETS_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000,
  30000, 40000, 50000,
];

const POD_REF = { apiVersion: 'v1', kind: 'Pod' } as const;
const SERVICE_REF = { apiVersion: 'v1', kind: 'Service' } as const;

/** Prometheus's text exposition format, as prom-client serves it. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A histogram series: counts per bucket of LATENCY_BUCKETS_MS (not cumulative), sum and count. */
interface LatencySeries {
  buckets: Float64Array;
  sum: number;
  count: number;
}

/** Request, response and latency counters of one label set. Created with their first request. */
interface Counters {
  /** The request labels, formatted. */
  series: string;
  requests: number;
  success: number;
  failure: number;
  latency200?: LatencySeries;
  latency500?: LatencySeries;
}

/** One meshed pod's proxy: its label sets, formatted once, and its counters by label set. */
interface MeshedPod {
  /** `NAMESPACE/NAME` of the workload. */
  workload: string;
  kind: string;
  ready: boolean;
  namespace: string;
  /** `pod=...,deployment=...,statefulset=...` labels shared by its series, formatted. */
  podLabels: string;
  ip: string;
  cpNs: string;
  /** Authority of the service selecting the pod (traffic addressed at the workload). */
  authority: string;
  /** Services (`NAMESPACE/NAME`) whose selector matches the pod. */
  services: string[];
  /** The labels of process_start_time_seconds, formatted. */
  processSeries: string;
  startedAtSeconds: number;
  /** Inbound counters by authority. */
  inbound: Map<string, Counters>;
  /** Outbound counters by edge index. */
  outbound: Map<number, Counters>;
  /** Outbound ServiceProfile route counters by `dst|rt_route`. */
  routes: Map<string, Counters>;
  /** Inbound ServiceProfile route counters by `dst|rt_route`. */
  inboundRoutes: Map<string, Counters>;
  /** Outbound HTTPRoute and GRPCRoute counters by `PROTOCOL|labels`. */
  httpRoutes: Map<string, HttpRouteCounters>;
}

/** Per-edge state: the request fraction carried to the next tick, the latency source, round-robin positions. */
interface EdgeState {
  carry: number;
  failCarry: number;
  sample: () => number;
  sampleFor: string;
  nextClient: number;
  nextServer: number;
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatLabels(labels: ReadonlyArray<readonly [string, string]>): string {
  return labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
}

function newLatencySeries(): LatencySeries {
  return { buckets: new Float64Array(LATENCY_BUCKETS_MS.length), sum: 0, count: 0 };
}

function observeLatency(series: LatencySeries, value: number): void {
  series.sum += value;
  series.count += 1;
  const i = LATENCY_BUCKETS_MS.findIndex((bound) => value <= bound);
  if (i >= 0) series.buckets[i] = (series.buckets[i] ?? 0) + 1;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function podInfo(obj: KubeObject):
  | {
      kind: string;
      workload: string;
      ready: boolean;
      running: boolean;
      startedAt: number;
      ip: string;
      cpNs: string;
    }
  | undefined {
  const labels = obj.metadata.labels ?? {};
  const meshed = meshedWorkloadOf(obj.metadata.namespace ?? 'default', labels);
  if (!meshed) return undefined;
  const status = (obj.status ?? {}) as Record<string, unknown>;
  const conditions = Array.isArray(status.conditions)
    ? (status.conditions as Array<Record<string, unknown>>)
    : [];
  const ready =
    conditions.some((c) => c.type === 'Ready' && c.status === 'True') && !obj.metadata.deletionTimestamp;
  const started = str(status.startTime) ?? obj.metadata.creationTimestamp;
  return {
    kind: meshed.kind,
    workload: meshed.workload,
    ready,
    running: status.phase === 'Running',
    startedAt: processStart(started),
    ip: str(status.podIP) ?? '0.0.0.0',
    cpNs: labels['linkerd.io/control-plane-ns'] ?? 'linkerd',
  };
}

/**
 * The proxy process's start time. Kubernetes times have whole seconds; a real proxy reports its
 * start to the microsecond. A pod seen starting now gets the time it is seen; an older one (the
 * sandbox's initial pods) keeps its status.startTime.
 */
function processStart(startTime: string | undefined): number {
  const now = Date.now();
  const parsed = startTime ? Date.parse(startTime) : Number.NaN;
  return Number.isFinite(parsed) && now - parsed > 2000 ? parsed : now;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export async function startProxyMetrics(options: ProxyMetricsOptions): Promise<RunningProxyMetrics> {
  const { store } = options;
  const domain = options.clusterDomain ?? 'cluster.local';
  // The model's edges; workloads given `traffic` (or the default) become edges from outside.
  const edges: TrafficEdge[] = [...(options.edges ?? [])];
  const outside = new Map<string, number>(); // workload -> index of its edge from outside
  for (const [workload, spec] of Object.entries(options.traffic ?? {})) {
    outside.set(workload, edges.length);
    edges.push({ workload, spec });
  }
  const edgeState: EdgeState[] = [];
  const stateOf = (i: number): EdgeState =>
    (edgeState[i] ??= {
      carry: 0,
      failCarry: 0,
      sample: () => 0,
      sampleFor: '',
      nextClient: 0,
      nextServer: 0,
    });
  const pods = new Map<string, MeshedPod>();
  const routeIndex = watchRouteIndex(store, domain);

  // Services indexed by each `namespace/key=value` pair of their selector, kept current by a
  // watch: a new pod's services are then found among the few that could select it, instead of
  // copying every service of the namespace for every pod (10,000 pods at scale).
  const services = new Map<string, { name: string; selector: Record<string, string>; port: number }>();
  const bySelectorPair = new Map<string, Set<string>>();
  const pairKeys = (ns: string, selector: Record<string, string>): string[] =>
    Object.entries(selector).map(([k, v]) => `${ns}/${k}=${v}`);
  function unindexService(key: string): void {
    const old = services.get(key);
    if (!old) return;
    services.delete(key);
    for (const pair of pairKeys(key.slice(0, key.indexOf('/')), old.selector))
      bySelectorPair.get(pair)?.delete(key);
  }
  // Both watches only read what they are given: the store's objects, not copies (shared).
  const stopServiceWatch = store.watch(SERVICE_REF, { shared: true }, (ev) => {
    const ns = ev.object.metadata.namespace ?? 'default';
    const key = `${ns}/${ev.object.metadata.name}`;
    unindexService(key);
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
    const spec = (ev.object.spec ?? {}) as {
      selector?: Record<string, string>;
      ports?: Array<{ port?: number }>;
    };
    if (!spec.selector || Object.keys(spec.selector).length === 0) return;
    services.set(key, {
      name: ev.object.metadata.name,
      selector: spec.selector,
      port: spec.ports?.[0]?.port ?? 80,
    });
    for (const pair of pairKeys(ns, spec.selector)) {
      let set = bySelectorPair.get(pair);
      if (!set) bySelectorPair.set(pair, (set = new Set()));
      set.add(key);
    }
  });

  /** Services (`NAMESPACE/NAME`) selecting the pod, by name. */
  function servicesOf(obj: KubeObject): string[] {
    const ns = obj.metadata.namespace ?? 'default';
    const labels = obj.metadata.labels ?? {};
    const candidates = new Set<string>();
    for (const pair of pairKeys(ns, labels))
      for (const key of bySelectorPair.get(pair) ?? []) candidates.add(key);
    return [...candidates].sort().filter((key) => {
      const svc = services.get(key);
      return svc !== undefined && selects(svc.selector, labels);
    });
  }

  function removePod(key: string): void {
    // Drops every series of the pod: Prometheus marks them stale at its next scrape, as when a
    // real pod's scrape target goes away.
    pods.delete(key);
  }

  function upsertPod(obj: KubeObject): void {
    const key = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}`;
    const info = podInfo(obj);
    if (!info || !info.running) {
      removePod(key);
      return;
    }
    const existing = pods.get(key);
    if (existing) {
      existing.ready = info.ready;
      return;
    }
    const workloadName = info.workload.slice(info.workload.indexOf('/') + 1);
    const namespace = obj.metadata.namespace ?? 'default';
    const deployment = info.kind === 'deployment' ? workloadName : '';
    const statefulset = info.kind === 'statefulset' ? workloadName : '';
    const selecting = servicesOf(obj);
    const first = selecting[0] ? services.get(selecting[0]) : undefined;
    pods.set(key, {
      workload: info.workload,
      kind: info.kind,
      ready: info.ready,
      namespace,
      podLabels: formatLabels([
        ['pod', obj.metadata.name],
        ['deployment', deployment],
        ['statefulset', statefulset],
      ]),
      ip: info.ip,
      cpNs: info.cpNs,
      authority: first
        ? `${first.name}.${namespace}.svc.${domain}:${first.port}`
        : `${obj.metadata.name}.${namespace}.pod.${domain}`,
      services: selecting,
      processSeries: formatLabels([
        ['namespace', namespace],
        ['pod', obj.metadata.name],
        ['deployment', deployment],
        ['statefulset', statefulset],
        ['control_plane_ns', info.cpNs],
      ]),
      startedAtSeconds: info.startedAt / 1000,
      inbound: new Map(),
      outbound: new Map(),
      routes: new Map(),
      inboundRoutes: new Map(),
      httpRoutes: new Map(),
    });
  }

  const stopWatch = store.watch(POD_REF, { shared: true }, (ev) => {
    if (ev.type === 'DELETED')
      removePod(`${ev.object.metadata.namespace ?? 'default'}/${ev.object.metadata.name}`);
    else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') upsertPod(ev.object);
  });

  /** The pod's counters of one label set in `table`, created (labels formatted once) on first use. */
  function countersIn<K>(
    table: Map<K, Counters>,
    key: K,
    p: MeshedPod,
    direction: 'inbound' | 'outbound',
    labels: () => ReadonlyArray<readonly [string, string]>,
  ): Counters {
    let c = table.get(key);
    if (!c) {
      const head = formatLabels([
        ['direction', direction],
        ['namespace', p.namespace],
      ]);
      c = { series: `${head},${p.podLabels},${formatLabels(labels())}`, requests: 0, success: 0, failure: 0 };
      table.set(key, c);
    }
    return c;
  }

  function inboundCounters(p: MeshedPod, authority: string, targetPort: number): Counters {
    return countersIn(p.inbound, authority, p, 'inbound', () => [
      ['authority', authority],
      ['tls', 'true'],
      ['target_addr', `${p.ip}:${targetPort}`],
      ['control_plane_ns', p.cpNs],
    ]);
  }

  /** Outbound labels of a client pod calling the edge's service; dst_* from the serving pod. */
  function outboundCounters(
    p: MeshedPod,
    index: number,
    edge: TrafficEdge,
    authority: string,
    server: MeshedPod | undefined,
  ): Counters {
    return countersIn(p.outbound, index, p, 'outbound', () => {
      const svc = edge.service!;
      const dstWorkload = server ? server.workload.slice(server.workload.indexOf('/') + 1) : '';
      const dstKind = server?.kind === 'statefulset' ? 'statefulset' : 'deployment';
      return [
        ['authority', authority],
        ['dst_namespace', svc.namespace],
        ['dst_service', svc.name],
        [`dst_${dstKind}`, dstWorkload],
        ['tls', 'true'],
        ['control_plane_ns', p.cpNs],
      ];
    });
  }

  /** ServiceProfile route counters of a pod: `dst` the service's authority, `rt_route` unless [DEFAULT]. */
  function routeCounters(
    table: Map<string, Counters>,
    p: MeshedPod,
    direction: 'inbound' | 'outbound',
    dst: string,
    rtRoute: string | undefined,
  ): Counters {
    return countersIn(table, `${dst}|${rtRoute ?? ''}`, p, direction, () => [
      ['dst', dst],
      ...(rtRoute === undefined ? [] : [['rt_route', rtRoute] as const]),
      ['tls', 'true'],
      ['control_plane_ns', p.cpNs],
    ]);
  }

  function httpRouteCounters(p: MeshedPod, labels: string, protocol: RouteProtocol): HttpRouteCounters {
    const key = `${protocol}|${labels}`;
    let c = p.httpRoutes.get(key);
    if (!c) p.httpRoutes.set(key, (c = newHttpRouteCounters(labels, protocol)));
    return c;
  }

  function record(c: Counters, failed: boolean, latency: number): void {
    c.requests += 1;
    if (failed) {
      c.failure += 1;
      observeLatency((c.latency500 ??= newLatencySeries()), latency);
    } else {
      c.success += 1;
      observeLatency((c.latency200 ??= newLatencySeries()), latency);
    }
  }

  function advance(seconds: number): void {
    // Ready pods by workload and by selecting service, once per tick.
    const byWorkload = new Map<string, MeshedPod[]>();
    const byService = new Map<string, MeshedPod[]>();
    for (const p of pods.values()) {
      if (!p.ready) continue;
      const list = byWorkload.get(p.workload);
      if (list) list.push(p);
      else byWorkload.set(p.workload, [p]);
      for (const svc of p.services) {
        const l = byService.get(svc);
        if (l) l.push(p);
        else byService.set(svc, [p]);
      }
    }
    const defaults = options.defaultTraffic;
    const all: Array<[number, TrafficEdge]> = edges.map((e, i) => [i, e]);
    if (defaults) {
      // Meshed workloads the edges do not name get the default traffic from outside.
      for (const workload of byWorkload.keys()) {
        if (outside.has(workload)) continue;
        outside.set(workload, edges.length);
        edges.push({ workload, spec: defaults });
        all.push([edges.length - 1, edges[edges.length - 1]!]);
      }
    }
    for (const [i, edge] of all) {
      const spec = edge.spec;
      if (spec.rps <= 0) continue;
      const servers = edge.service
        ? (byService.get(`${edge.service.namespace}/${edge.service.name}`) ?? [])
        : (byWorkload.get(edge.workload ?? '') ?? []);
      const clients = edge.from ? (byWorkload.get(edge.from) ?? []) : [];
      // Requests need a caller (a ready pod, or anyone outside the mesh) and a ready server.
      if (servers.length === 0 || (edge.from && clients.length === 0)) continue;
      const st = stateOf(i);
      const wanted = spec.rps * seconds + st.carry;
      const n = Math.floor(wanted + 1e-9);
      st.carry = wanted - n;
      if (n === 0) continue;
      const samplerKey = `${spec.latencyMs.p50}/${spec.latencyMs.p99}`;
      if (st.sampleFor !== samplerKey) {
        st.sample = latencySampler(spec.latencyMs.p50, spec.latencyMs.p99);
        st.sampleFor = samplerKey;
      }
      // Failures at the configured rate, the fraction carried over so low rates still fail.
      const failRate = 1 - Math.min(1, Math.max(0, spec.successRate));
      const wantedFailures = n * failRate + st.failCarry;
      const failures = Math.min(n, Math.floor(wantedFailures + 1e-9)); // 1 - 0.9 is 0.0999...
      st.failCarry = wantedFailures - failures;
      const authority = edge.service ? serviceAuthority(edge.service, domain) : undefined;
      // What the proxies know of the service's routes: its ServiceProfile, its HTTPRoutes.
      const profile = edge.service
        ? routeIndex.profileRoutes(edge.service.namespace, edge.service.name)
        : undefined;
      const rtRoute = edge.route !== undefined && profile?.has(edge.route) ? edge.route : undefined;
      const grpcRoutes = edge.service
        ? routeIndex.grpcRoutes(edge.service.namespace, edge.service.name)
        : undefined;
      const httpRoutes =
        edge.service && !grpcRoutes
          ? routeIndex.httpRoutes(edge.service.namespace, edge.service.name)
          : undefined;
      const grpcRoute = edge.route !== undefined ? grpcRoutes?.get(edge.route) : undefined;
      const routeSeries: { protocol: RouteProtocol; labels: string } | undefined = !edge.service
        ? undefined
        : grpcRoute
          ? { protocol: 'grpc', labels: httpRouteLabels(formatLabels, edge.service, grpcRoute, domain) }
          : httpRoutes
            ? {
                protocol: 'http',
                labels: httpRouteLabels(
                  formatLabels,
                  edge.service,
                  edge.route !== undefined ? httpRoutes.get(edge.route) : undefined,
                  domain,
                ),
              }
            : undefined;
      for (let r = 0; r < n; r++) {
        const failed = r < failures;
        const latency = st.sample();
        const server = servers[st.nextServer++ % servers.length]!;
        record(inboundCounters(server, authority ?? server.authority, 80), failed, latency);
        if (profile && authority)
          record(routeCounters(server.inboundRoutes, server, 'inbound', authority, rtRoute), failed, latency);
        if (clients.length === 0 || !authority) continue;
        const client = clients[st.nextClient++ % clients.length]!;
        record(outboundCounters(client, i, edge, authority, server), failed, latency);
        if (profile)
          record(routeCounters(client.routes, client, 'outbound', authority, rtRoute), failed, latency);
        if (routeSeries) {
          recordHttpRoute(
            httpRouteCounters(client, routeSeries.labels, routeSeries.protocol),
            failed,
            latency,
          );
        }
      }
      st.nextServer %= servers.length;
      if (clients.length > 0) st.nextClient %= clients.length;
    }
  }

  /**
   * The exposition text, in the order and format prom-client gives it (metrics in registration
   * order, histogram buckets cumulative with `le` first), written in chunks: at 10,000 pods with
   * traffic the whole text would be one very large string.
   */
  function writeMetrics(write: (chunk: string) => void): void {
    let buf = '';
    const line = (text: string): void => {
      buf += text;
      if (buf.length >= 1 << 16) {
        write(buf);
        buf = '';
      }
    };
    const header = (name: string, help: string, type: string, first: boolean): void =>
      line(`${first ? '' : '\n\n'}# HELP ${name} ${help}\n# TYPE ${name} ${type}`);
    const all = [...pods.values()];
    const counterSets = function* (p: MeshedPod, routes: boolean): Generator<Counters> {
      if (routes) {
        yield* p.inboundRoutes.values();
        yield* p.routes.values();
        return;
      }
      yield* p.inbound.values();
      yield* p.outbound.values();
    };
    for (const [prefix, routes] of [
      ['', false],
      ['route_', true],
    ] as const) {
      header(`${prefix}request_total`, 'Total count of HTTP requests.', 'counter', !routes);
      for (const p of all)
        for (const c of counterSets(p, routes)) line(`\n${prefix}request_total{${c.series}} ${c.requests}`);
      header(`${prefix}response_total`, 'Total count of HTTP responses.', 'counter', false);
      for (const p of all) {
        for (const c of counterSets(p, routes)) {
          if (c.success > 0)
            line(
              `\n${prefix}response_total{${c.series},classification="success",status_code="200"} ${c.success}`,
            );
          if (c.failure > 0)
            line(
              `\n${prefix}response_total{${c.series},classification="failure",status_code="500"} ${c.failure}`,
            );
        }
      }
      header(
        `${prefix}response_latency_ms`,
        "Elapsed times between a request's headers being received and its response stream completing",
        'histogram',
        false,
      );
      for (const p of all) {
        for (const c of counterSets(p, routes)) {
          for (const [code, h] of [
            ['200', c.latency200],
            ['500', c.latency500],
          ] as const) {
            if (!h) continue;
            const labels = `${c.series},status_code="${code}"`;
            let acc = 0;
            for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) {
              acc += h.buckets[i] ?? 0;
              line(`\n${prefix}response_latency_ms_bucket{le="${LATENCY_BUCKETS_MS[i]}",${labels}} ${acc}`);
            }
            line(`\n${prefix}response_latency_ms_bucket{le="+Inf",${labels}} ${h.count}`);
            line(`\n${prefix}response_latency_ms_sum{${labels}} ${h.sum}`);
            line(`\n${prefix}response_latency_ms_count{${labels}} ${h.count}`);
          }
        }
      }
    }
    for (const protocol of ['http', 'grpc'] as const) {
      writeRouteFamilies(
        protocol,
        function* () {
          for (const p of all) {
            const podLabels = `namespace="${escapeLabelValue(p.namespace)}",${p.podLabels}`;
            for (const c of p.httpRoutes.values())
              if (c.protocol === protocol) yield [podLabels, c] as [string, HttpRouteCounters];
          }
        },
        line,
      );
    }
    header(
      'process_start_time_seconds',
      'Time that the process started (in seconds since the UNIX epoch)',
      'gauge',
      false,
    );
    for (const p of all) line(`\nprocess_start_time_seconds{${p.processSeries}} ${p.startedAtSeconds}`);
    line('\n');
    write(buf);
  }

  const tickMs = options.tickMs ?? 1000;
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    advance((now - last) / 1000);
    last = now;
  }, tickMs);
  timer.unref();

  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      res.writeHead(200, { 'content-type': CONTENT_TYPE });
      writeMetrics((chunk) => res.write(chunk));
      res.end();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: try /metrics\n');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    clearInterval(timer);
    routeIndex.stop();
    stopWatch();
    stopServiceWatch();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    setTraffic(workload, spec) {
      const i = outside.get(workload);
      const next = spec ?? { rps: 0, successRate: 1, latencyMs: { p50: 1, p99: 1 } };
      if (i !== undefined) edges[i] = { workload, spec: next };
      else {
        outside.set(workload, edges.length);
        edges.push({ workload, spec: next });
      }
    },
    advance,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(timer);
        routeIndex.stop();
        stopWatch();
        stopServiceWatch();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
