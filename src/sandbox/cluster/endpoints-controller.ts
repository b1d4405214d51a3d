/**
 * The (v1) Endpoints controller: every Service with a selector gets an Endpoints object of
 * the same name, ready pods under `addresses`, the others under `notReadyAddresses`,
 * grouped into subsets by their resolved ports. Terminating pods leave it (unless the
 * service publishes not-ready addresses). Removed with its Service.
 */
import type { KubeObject } from '../kube/store-types.js';
import type { ClusterContext } from './cluster-context.js';
import { ENDPOINTS, isPodReady, jsonEqual, objectKey, splitKey, type Service } from './kube-refs.js';
import { stableJson } from './name-hash.js';
import {
  compareIp,
  endpointHostname,
  hasAddress,
  hasSelector,
  isHeadless,
  podTerminating,
  resolvePorts,
  selectedPods,
  servicesSelecting,
} from './service-backends.js';
import { HEADLESS_LABEL, TRIGGER_TIME } from './endpointslice-controller.js';
import { createWorkQueue } from './work-queue.js';

interface Address {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

interface Subset {
  addresses?: Address[];
  notReadyAddresses?: Address[];
  ports: Array<{ name?: string; port: number; protocol: string; appProtocol?: string }>;
}

export function startEndpointsController(ctx: ClusterContext): { stop(): void; idle(): Promise<void> } {
  const { store, informers } = ctx;
  /** Endpoints objects this controller wrote, by service key: what it wrote last (subsets and labels). */
  const managed = new Map<string, string>();

  function subsetsFor(svc: Service): Subset[] {
    const groups = new Map<string, { ready: Address[]; notReady: Address[]; ports: Subset['ports'] }>();
    for (const pod of selectedPods(ctx, svc)) {
      if (!hasAddress(pod)) continue;
      const terminating = podTerminating(pod);
      if (terminating && !svc.spec.publishNotReadyAddresses) continue;
      const ports = resolvePorts(svc, pod);
      if (ports.length === 0 && (svc.spec.ports ?? []).length > 0) continue;
      const sig = stableJson(ports);
      let g = groups.get(sig);
      if (!g) groups.set(sig, (g = { ready: [], notReady: [], ports }));
      const hostname = endpointHostname(svc, pod);
      const addr: Address = {
        ip: pod.status!.podIP!,
        ...(hostname ? { hostname } : {}),
        ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
        targetRef: {
          kind: 'Pod',
          namespace: pod.metadata.namespace ?? '',
          name: pod.metadata.name,
          uid: pod.metadata.uid ?? '',
        },
      };
      (isPodReady(pod) || svc.spec.publishNotReadyAddresses ? g.ready : g.notReady).push(addr);
    }
    const byIp = (a: Address, b: Address): number => compareIp(a.ip, b.ip);
    return [...groups.values()].map((g) => ({
      ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ports: g.ports,
    }));
  }

  function sync(key: string): void {
    const svc = informers.services.getByKey(key);
    const { namespace, name } = splitKey(key);
    if (!svc || !hasSelector(svc)) {
      if (managed.has(key) && store.getStored(ENDPOINTS, namespace, name))
        store.delete(ENDPOINTS, namespace, name, { shared: true });
      managed.delete(key);
      return;
    }
    const subsets = subsetsFor(svc);
    const labels = { ...svc.metadata.labels, ...(isHeadless(svc) ? { [HEADLESS_LABEL]: '' } : {}) };
    const memo = stableJson({ subsets, labels });
    // Unchanged since this controller last wrote it: no need to read the store.
    if (managed.get(key) === memo && informers.services.getByKey(key)) return;
    const existing = store.getStored(ENDPOINTS, namespace, name);
    managed.set(key, memo);
    if (existing) {
      const oldSubsets = (existing['subsets'] as unknown[] | undefined) ?? [];
      if (jsonEqual(oldSubsets, subsets) && jsonEqual(existing.metadata.labels ?? {}, labels)) return;
      // `existing` is the stored object (frozen): the new one shares what it keeps of it.
      const next: KubeObject = {
        ...existing,
        metadata: {
          ...existing.metadata,
          ...(Object.keys(labels).length ? { labels } : {}),
          annotations: { ...existing.metadata.annotations, [TRIGGER_TIME]: new Date().toISOString() },
        },
      };
      if (subsets.length) next['subsets'] = subsets;
      else delete next['subsets'];
      store.update(next, { shared: true });
      return;
    }
    store.create(
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name,
          namespace,
          ...(Object.keys(labels).length ? { labels } : {}),
          annotations: { [TRIGGER_TIME]: new Date().toISOString() },
        },
        ...(subsets.length ? { subsets } : {}),
      },
      { shared: true },
    );
  }

  const queue = createWorkQueue(sync, ctx.onError('endpoints-controller'));
  informers.services.onEvent((ev) => queue.add(objectKey(ev.object)));
  informers.pods.onEvent((ev) => {
    for (const p of ev.old ? [ev.old, ev.object] : [ev.object]) {
      for (const svc of servicesSelecting(ctx, p)) queue.add(objectKey(svc));
    }
  });
  // Started after the informers (a quiet start): sync what they already hold.
  for (const svc of informers.services.list()) queue.add(objectKey(svc));
  return { stop: () => queue.stop(), idle: () => queue.idle() };
}
