/**
 * The sandbox's data plane as Prometheus sees it: the proxies' metrics of every meshed pod
 * (label `linkerd.io/proxy-<kind>`), served at one `/metrics` endpoint with the names and
 * labels linkerd-viz's Prometheus stores after relabelling (`namespace`, `pod`, `deployment`):
 * - `request_total`, `response_total{classification, status_code}`, `response_latency_ms`
 *   (histogram, Linkerd's buckets), all `direction="inbound"`, for synthetic traffic spread over
 *   the workload's ready pods;
 * - `process_start_time_seconds` per pod, present whether or not the pod gets traffic.
 * Traffic per workload comes from the scenario (`traffic: { rps, successRate, latencyMs }`) and can
 * be changed at run time. Counters advance on a timer (unref'd, cleared by stop()).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject, ObjectStore } from '../kube/store-types.js';
import { latencySampler } from './synthetic-latency.js';

/** Synthetic inbound traffic of one workload (spread over its ready pods). */
export interface TrafficSpec {
  /** Requests per second, all pods together. */
  rps: number;
  /** 0..1 */
  successRate: number;
  latencyMs: { p50: number; p99: number };
}

export interface ProxyMetricsOptions {
  store: ObjectStore;
  /** Traffic per workload, keyed `NAMESPACE/NAME` (the workload's `linkerd.io/proxy-<kind>` label). */
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
  /** Sets (or with undefined clears) the traffic of one workload `NAMESPACE/NAME`. */
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
const PROXY_LABEL = /^linkerd\.io\/proxy-(deployment|statefulset|daemonset|replicaset|job|cronjob)$/;

/** Prometheus's text exposition format, as prom-client serves it. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A histogram series: counts per bucket of LATENCY_BUCKETS_MS (not cumulative), sum and count. */
interface LatencySeries {
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * One meshed pod's proxy: its label sets, formatted once, and its counters. A series exists
 * from its first increment (as with prom-client), so a pod without traffic exports none.
 */
interface MeshedPod {
  /** `NAMESPACE/NAME` of the workload. */
  workload: string;
  ready: boolean;
  /** The request labels, formatted: `direction="inbound",namespace=...,control_plane_ns="..."`. */
  series: string;
  /** The labels of process_start_time_seconds, formatted. */
  processSeries: string;
  startedAtSeconds: number;
  requests?: number;
  success?: number;
  failure?: number;
  latency200?: LatencySeries;
  latency500?: LatencySeries;
  /** Fractions of a request and of a failure carried to the next tick. */
  carry: number;
  failCarry: number;
  sample: () => number;
  sampleFor: string;
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
  const entry = Object.entries(labels).find(([k]) => PROXY_LABEL.test(k));
  if (!entry) return undefined;
  const kind = PROXY_LABEL.exec(entry[0])![1]!;
  const status = (obj.status ?? {}) as Record<string, unknown>;
  const conditions = Array.isArray(status.conditions)
    ? (status.conditions as Array<Record<string, unknown>>)
    : [];
  const ready =
    conditions.some((c) => c.type === 'Ready' && c.status === 'True') && !obj.metadata.deletionTimestamp;
  const started = str(status.startTime) ?? obj.metadata.creationTimestamp;
  return {
    kind,
    workload: `${obj.metadata.namespace ?? 'default'}/${entry[1]}`,
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
  const traffic = new Map(Object.entries(options.traffic ?? {}));
  const pods = new Map<string, MeshedPod>();

  // Services indexed by each `namespace/key=value` pair of their selector, kept current by a
  // watch: a new pod's authority is then found among the few services that could select it,
  // instead of copying every service of the namespace for every pod (10,000 pods at scale).
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

  /** `SVC.NS.svc.DOMAIN:PORT` of the service selecting the pod (the first by name), as clients address it. */
  function authorityOf(obj: KubeObject): string {
    const ns = obj.metadata.namespace ?? 'default';
    const labels = obj.metadata.labels ?? {};
    const candidates = new Set<string>();
    for (const pair of pairKeys(ns, labels))
      for (const key of bySelectorPair.get(pair) ?? []) candidates.add(key);
    const match = [...candidates]
      .sort()
      .map((key) => services.get(key))
      .find((svc) => svc !== undefined && selects(svc.selector, labels));
    return match
      ? `${match.name}.${ns}.svc.${domain}:${match.port}`
      : `${obj.metadata.name}.${ns}.pod.${domain}`;
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
    pods.set(key, {
      workload: info.workload,
      ready: info.ready,
      series: formatLabels([
        ['direction', 'inbound'],
        ['namespace', namespace],
        ['pod', obj.metadata.name],
        ['deployment', deployment],
        ['statefulset', statefulset],
        ['authority', authorityOf(obj)],
        ['tls', 'true'],
        ['target_addr', `${info.ip}:80`],
        ['control_plane_ns', info.cpNs],
      ]),
      processSeries: formatLabels([
        ['namespace', namespace],
        ['pod', obj.metadata.name],
        ['deployment', deployment],
        ['statefulset', statefulset],
        ['control_plane_ns', info.cpNs],
      ]),
      startedAtSeconds: info.startedAt / 1000,
      carry: 0,
      failCarry: 0,
      sample: () => 0,
      sampleFor: '',
    });
  }

  const stopWatch = store.watch(POD_REF, { shared: true }, (ev) => {
    if (ev.type === 'DELETED')
      removePod(`${ev.object.metadata.namespace ?? 'default'}/${ev.object.metadata.name}`);
    else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') upsertPod(ev.object);
  });

  function advance(seconds: number): void {
    const readyByWorkload = new Map<string, MeshedPod[]>();
    for (const p of pods.values()) {
      if (!p.ready) continue;
      const list = readyByWorkload.get(p.workload) ?? [];
      list.push(p);
      readyByWorkload.set(p.workload, list);
    }
    for (const [workload, list] of readyByWorkload) {
      const spec = traffic.get(workload) ?? options.defaultTraffic;
      if (!spec || spec.rps <= 0) continue;
      for (const p of list) {
        const wanted = (spec.rps / list.length) * seconds + p.carry;
        const n = Math.floor(wanted + 1e-9);
        p.carry = wanted - n;
        if (n === 0) continue;
        const samplerKey = `${spec.latencyMs.p50}/${spec.latencyMs.p99}`;
        if (p.sampleFor !== samplerKey) {
          p.sample = latencySampler(spec.latencyMs.p50, spec.latencyMs.p99);
          p.sampleFor = samplerKey;
        }
        // Failures at the configured rate, the fraction carried over so low rates still fail.
        const failRate = 1 - Math.min(1, Math.max(0, spec.successRate));
        const wantedFailures = n * failRate + p.failCarry;
        const failures = Math.min(n, Math.floor(wantedFailures + 1e-9)); // 1 - 0.9 is 0.0999...
        p.failCarry = wantedFailures - failures;
        p.requests = (p.requests ?? 0) + n;
        if (n - failures > 0) p.success = (p.success ?? 0) + (n - failures);
        if (failures > 0) p.failure = (p.failure ?? 0) + failures;
        for (let i = 0; i < n; i++) {
          const value = p.sample();
          if (i < failures) observeLatency((p.latency500 ??= newLatencySeries()), value);
          else observeLatency((p.latency200 ??= newLatencySeries()), value);
        }
      }
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
    header('request_total', 'Total count of HTTP requests.', 'counter', true);
    for (const p of all) if (p.requests !== undefined) line(`\nrequest_total{${p.series}} ${p.requests}`);
    header('response_total', 'Total count of HTTP responses.', 'counter', false);
    for (const p of all) {
      if (p.success !== undefined)
        line(`\nresponse_total{${p.series},classification="success",status_code="200"} ${p.success}`);
      if (p.failure !== undefined)
        line(`\nresponse_total{${p.series},classification="failure",status_code="500"} ${p.failure}`);
    }
    header(
      'response_latency_ms',
      "Elapsed times between a request's headers being received and its response stream completing",
      'histogram',
      false,
    );
    for (const p of all) {
      for (const [code, h] of [
        ['200', p.latency200],
        ['500', p.latency500],
      ] as const) {
        if (!h) continue;
        const labels = `${p.series},status_code="${code}"`;
        let acc = 0;
        for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) {
          acc += h.buckets[i] ?? 0;
          line(`\nresponse_latency_ms_bucket{le="${LATENCY_BUCKETS_MS[i]}",${labels}} ${acc}`);
        }
        line(`\nresponse_latency_ms_bucket{le="+Inf",${labels}} ${h.count}`);
        line(`\nresponse_latency_ms_sum{${labels}} ${h.sum}`);
        line(`\nresponse_latency_ms_count{${labels}} ${h.count}`);
      }
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
    stopWatch();
    stopServiceWatch();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    setTraffic(workload, spec) {
      if (spec) traffic.set(workload, spec);
      else traffic.delete(workload);
    },
    advance,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(timer);
        stopWatch();
        stopServiceWatch();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
