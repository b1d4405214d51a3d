/**
 * The sandbox's meshed pods' proxies as far as their admin server and their log go: per pod
 * (by uid, so a replaced pod starts afresh) the log filter in force and the log
 * (simulated-proxy-log.ts), made on first use from the pod's `config.linkerd.io/proxy-log-level`
 * annotation (the injector's default otherwise), and dropped when the pod is deleted.
 */
import { DEFAULT_PROXY_LOG_FILTER } from '../../domain/proxy-log-filter.js';
import { POD, type Pod } from '../cluster/kube-refs.js';
import { LINKERD } from '../cluster/simulation-annotations.js';
import type { ObjectStore } from '../kube/store-types.js';
import { createSimulatedProxyLog, type SimulatedProxyLog } from './simulated-proxy-log.js';

/** The annotation a workload sets its proxies' log filter with (the injector's `proxy.logLevel`). */
export const PROXY_LOG_LEVEL_ANNOTATION = 'config.linkerd.io/proxy-log-level';

export interface SimulatedProxy {
  uid: string;
  namespace: string;
  pod: string;
  log: SimulatedProxyLog;
}

export interface SimulatedProxies {
  /** The proxy of a running meshed pod, or undefined (no such pod, not meshed, not running). */
  get(namespace: string, pod: string): SimulatedProxy | undefined;
  /** Told when a pod's proxy goes away (its pod deleted). */
  onRemoved(fn: (uid: string) => void): void;
  stop(): void;
}

export function createSimulatedProxies(
  store: ObjectStore,
  options: { controlPlaneNamespace: string; logCapacity?: number },
): SimulatedProxies {
  const byUid = new Map<string, SimulatedProxy>();
  const removed: Array<(uid: string) => void> = [];
  const unwatch = store.watch(POD, { resourceVersion: store.resourceVersion(), shared: true }, (ev) => {
    if (ev.type !== 'DELETED') return;
    const uid = ev.object.metadata.uid ?? '';
    if (byUid.delete(uid)) for (const fn of removed) fn(uid);
  });
  return {
    get(namespace, name) {
      const pod = store.get(POD, namespace, name) as Pod | undefined;
      if (!pod || pod.status?.phase !== 'Running') return undefined;
      const proxy = pod.spec.containers.find((c) => c.name === LINKERD.proxyContainer);
      if (!proxy) return undefined;
      const uid = pod.metadata.uid ?? `${namespace}/${name}`;
      let p = byUid.get(uid);
      if (!p) {
        const startMs =
          Date.parse(pod.status?.startTime ?? pod.metadata.creationTimestamp ?? '') || Date.now();
        const version = /:([^:]+)$/.exec(proxy.image ?? '')?.[1] ?? 'edge';
        p = {
          uid,
          namespace,
          pod: name,
          log: createSimulatedProxyLog(
            {
              pod: name,
              namespace,
              ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}),
              ...(pod.spec.serviceAccountName ? { serviceAccount: pod.spec.serviceAccountName } : {}),
              controlPlaneNamespace: options.controlPlaneNamespace,
              version,
            },
            {
              startMs,
              filter: pod.metadata.annotations?.[PROXY_LOG_LEVEL_ANNOTATION] ?? DEFAULT_PROXY_LOG_FILTER,
              ...(options.logCapacity !== undefined ? { capacity: options.logCapacity } : {}),
            },
          ),
        };
        byUid.set(uid, p);
      }
      return p;
    },
    onRemoved(fn) {
      removed.push(fn);
    },
    stop() {
      unwatch();
      byUid.clear();
    },
  };
}
