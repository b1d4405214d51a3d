/**
 * The requests a tap of some pods sees, from the sandbox's traffic model: the same edges, rates,
 * success rates and latencies (latencySampler) the proxy metrics use. For the tapped pods:
 * - outbound: edges whose caller (`from`) is their workload, to the service's pods;
 * - inbound: edges to a service that selects them (from the caller's pods, or from outside the
 *   mesh), and edges from outside to their workload.
 * Each edge's rate is its share for the tapped pods; failures are spread evenly (a 0.8 success
 * rate fails every fifth request), so a few seconds already show the configured rate.
 */
import type { KubeObject, ObjectStore } from '../kube/store-types.js';
import { latencySampler } from '../proxy-metrics/synthetic-latency.js';
import { meshedWorkloadOf } from '../traffic/meshed-workload.js';
import type { TrafficEdge } from '../traffic/traffic-model.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const SERVICE = { apiVersion: 'v1', kind: 'Service' } as const;

/** One endpoint of a request: address and the labels tap reports for it. */
export interface TapEndpoint {
  ip: string;
  port: number;
  labels: Record<string, string>;
}

export interface SyntheticRequest {
  direction: 'INBOUND' | 'OUTBOUND';
  /** The tapped pod whose proxy reports it (`NAMESPACE/NAME`). */
  reporter: string;
  method: string;
  path: string;
  authority: string;
  grpc: boolean;
  source: TapEndpoint;
  destination: TapEndpoint;
  success: boolean;
  latencyMs: number;
}

/** A request source for a set of tapped pods: `take(seconds)` yields the requests of that much time. */
export interface TapTrafficSource {
  take(seconds: number): SyntheticRequest[];
}

/** A pod as tap sees it. */
export interface PodView {
  key: string;
  name: string;
  namespace: string;
  ip: string;
  labels: Record<string, string>;
  ready: boolean;
  /** `NAMESPACE/NAME` of its workload, when meshed. */
  workload?: string;
  kind?: string;
  serviceAccount: string;
  containerPort: number;
}

export function podView(obj: KubeObject): PodView {
  const ns = obj.metadata.namespace ?? 'default';
  const labels = obj.metadata.labels ?? {};
  const status = (obj.status ?? {}) as {
    podIP?: string;
    phase?: string;
    conditions?: Array<{ type?: string; status?: string }>;
  };
  const spec = (obj.spec ?? {}) as {
    serviceAccountName?: string;
    containers?: Array<{ name?: string; ports?: Array<{ containerPort?: number }> }>;
  };
  const meshed = meshedWorkloadOf(ns, labels);
  const app = spec.containers?.find((c) => c.name !== 'linkerd-proxy');
  return {
    key: `${ns}/${obj.metadata.name}`,
    name: obj.metadata.name,
    namespace: ns,
    ip: status.podIP ?? '0.0.0.0',
    labels,
    ready:
      status.phase === 'Running' &&
      !obj.metadata.deletionTimestamp &&
      (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    ...(meshed ? { workload: meshed.workload, kind: meshed.kind } : {}),
    serviceAccount: spec.serviceAccountName ?? 'default',
    containerPort: app?.ports?.[0]?.containerPort ?? 80,
  };
}

/** The labels linkerd's proxies report for an endpoint (pod, owner, namespace, identity). */
export function endpointLabels(p: PodView, service?: string): Record<string, string> {
  const labels: Record<string, string> = {
    namespace: p.namespace,
    pod: p.name,
    serviceaccount: p.serviceAccount,
  };
  if (p.workload && p.kind) labels[p.kind] = p.workload.slice(p.workload.indexOf('/') + 1);
  if (p.workload) {
    labels['control_plane_ns'] = p.labels['linkerd.io/control-plane-ns'] ?? 'linkerd';
    labels['tls'] = 'true';
  }
  if (service) labels['service'] = service;
  return labels;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Addresses of callers outside the mesh (an ingress), documentation range. */
const OUTSIDE: TapEndpoint = { ip: '192.0.2.10', port: 0, labels: {} };

interface EdgeRun {
  edge: TrafficEdge;
  direction: 'INBOUND' | 'OUTBOUND';
  carry: number;
  failCarry: number;
  sample: () => number;
  next: number;
}

/**
 * The traffic the given pods' proxies see. Pods and services are read from the store at every
 * `take`, so scaled or replaced pods are followed.
 */
export function tapTrafficSource(
  store: ObjectStore,
  edges: readonly TrafficEdge[],
  tapped: (pod: PodView) => boolean,
  clusterDomain: string,
): TapTrafficSource {
  const runs = new Map<string, EdgeRun>();
  const runOf = (edge: TrafficEdge, i: number, direction: 'INBOUND' | 'OUTBOUND'): EdgeRun => {
    const key = `${i}/${direction}`;
    let run = runs.get(key);
    if (!run) {
      run = {
        edge,
        direction,
        carry: 0,
        failCarry: 0,
        sample: latencySampler(edge.spec.latencyMs.p50, edge.spec.latencyMs.p99),
        next: 0,
      };
      runs.set(key, run);
    }
    return run;
  };
  let sourcePort = 40000;

  /** Requests of an edge for `seconds` of its traffic (a share of all its pods'), the fraction carried. */
  function countOf(run: EdgeRun, seconds: number): number {
    const exact = run.edge.spec.rps * seconds + run.carry;
    const count = Math.floor(exact);
    run.carry = exact - count;
    return count;
  }

  function emit(
    run: EdgeRun,
    count: number,
    make: (n: number) => Omit<SyntheticRequest, 'success' | 'latencyMs'>,
  ): SyntheticRequest[] {
    const out: SyntheticRequest[] = [];
    for (let n = 0; n < count; n++) {
      run.failCarry += 1 - run.edge.spec.successRate;
      let success = true;
      if (run.failCarry >= 1 - 1e-9) {
        run.failCarry -= 1;
        success = false;
      }
      out.push({ ...make(run.next++), success, latencyMs: run.sample() });
    }
    return out;
  }

  return {
    take(seconds) {
      const pods = store.listStored(POD).items.map(podView);
      const services = store.listStored(SERVICE).items;
      const mine = pods.filter((p) => p.ready && p.workload !== undefined && tapped(p));
      if (mine.length === 0) return [];
      const out: SyntheticRequest[] = [];
      edges.forEach((edge, i) => {
        const req = edge.request ?? {};
        const grpc = req.protocol === 'grpc';
        const method = req.method ?? (grpc ? 'POST' : 'GET');
        const path = req.path ?? '/';
        const svc = edge.service
          ? services.find(
              (s) =>
                s.metadata.namespace === edge.service!.namespace && s.metadata.name === edge.service!.name,
            )
          : undefined;
        const selector = (svc?.spec as { selector?: Record<string, string> } | undefined)?.selector;
        const servers = edge.service
          ? pods.filter(
              (p) => p.ready && p.namespace === edge.service!.namespace && selects(selector, p.labels),
            )
          : pods.filter((p) => p.ready && p.workload === edge.workload);
        const callers = edge.from ? pods.filter((p) => p.ready && p.workload === edge.from) : [];
        const authority = edge.service
          ? `${edge.service.name}.${edge.service.namespace}.svc.${clusterDomain}:${edge.service.port}`
          : servers[0]
            ? `${servers[0].name}.${servers[0].namespace}.pod.${clusterDomain}`
            : '';
        const serviceName = edge.service?.name;
        const request = { method, path, authority, grpc };
        const client = (p: PodView | undefined): TapEndpoint => ({
          ...(p ? { ip: p.ip, labels: endpointLabels(p) } : OUTSIDE),
          port: 40000 + (sourcePort++ % 20000),
        });
        const server = (p: PodView): TapEndpoint => ({
          ip: p.ip,
          port: p.containerPort,
          labels: endpointLabels(p, serviceName),
        });
        // Outbound (the tapped pods call) and inbound (they serve), each at the tapped pods' share.
        const myCallers = callers.filter((p) => mine.includes(p));
        if (myCallers.length && servers.length) {
          const run = runOf(edge, i, 'OUTBOUND');
          out.push(
            ...emit(run, countOf(run, (seconds * myCallers.length) / callers.length), (n) => {
              const from = myCallers[n % myCallers.length]!;
              return {
                direction: 'OUTBOUND',
                reporter: from.key,
                ...request,
                source: client(from),
                destination: server(servers[n % servers.length]!),
              };
            }),
          );
        }
        const myServers = servers.filter((p) => mine.includes(p));
        if (myServers.length) {
          const run = runOf(edge, i, 'INBOUND');
          out.push(
            ...emit(run, countOf(run, (seconds * myServers.length) / servers.length), (n) => {
              const to = myServers[n % myServers.length]!;
              return {
                direction: 'INBOUND',
                reporter: to.key,
                ...request,
                source: client(callers.length ? callers[n % callers.length] : undefined),
                destination: server(to),
              };
            }),
          );
        }
      });
      return out;
    },
  };
}
