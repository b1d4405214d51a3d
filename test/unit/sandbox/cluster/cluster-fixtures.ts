/** Builders and a started cluster for the controller tests (no HTTP: straight on the store). */
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import type { KindRef, KubeObject, ObjectStore } from '../../../../src/sandbox/kube/store-types.js';
import { startCluster, type RunningCluster } from '../../../../src/sandbox/cluster/start-cluster.js';
import type { ClusterOptions } from '../../../../src/sandbox/cluster/cluster-options.js';
import { waitUntil } from '../../../../src/sandbox/cluster/wait-until.js';

export const POD: KindRef = { apiVersion: 'v1', kind: 'Pod' };
export const SVC: KindRef = { apiVersion: 'v1', kind: 'Service' };
export const EPS: KindRef = { apiVersion: 'v1', kind: 'Endpoints' };
export const SLICE: KindRef = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' };
export const DEPLOY: KindRef = { apiVersion: 'apps/v1', kind: 'Deployment' };
export const RS: KindRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
export const STS: KindRef = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
export const DS: KindRef = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
export const EVENT: KindRef = { apiVersion: 'v1', kind: 'Event' };

export interface TestCluster {
  store: ObjectStore;
  cluster: RunningCluster;
  stop(): void;
  /** Waits (on watch events) until `check` holds. */
  until(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  pods(namespace: string, labelSelector?: string): Pod[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON fields
export type Pod = KubeObject & { spec: any; status?: any };

export function startTestCluster(opts: ClusterOptions = {}, namespaces = ['emojivoto']): TestCluster {
  const store = createObjectStore();
  const cluster = startCluster(store, { terminationDelayMs: 0, ...opts });
  for (const name of namespaces) store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const kinds = [POD, SVC, EPS, SLICE, DEPLOY, RS, STS, DS, EVENT];
  return {
    store,
    cluster,
    stop() {
      cluster.stop();
      store.close();
    },
    until: (check, what, timeoutMs = 5000) => waitUntil(store, kinds, check, { what, timeoutMs }),
    pods: (namespace, labelSelector) =>
      store.list(POD, labelSelector ? { namespace, labelSelector } : { namespace }).items as Pod[],
  };
}

export function deployment(
  name: string,
  namespace: string,
  opts: {
    replicas?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ports?: Array<{ name?: string; containerPort: number }>;
  } = {},
): KubeObject {
  const labels = opts.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
        spec: { containers: [{ name, image: `example/${name}:v1`, ports: opts.ports ?? [] }] },
      },
    },
  };
}

export function service(name: string, namespace: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}

export function isReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
  );
}
