/**
 * The EndpointSlice controller: every Service with a selector gets discovery.k8s.io/v1
 * EndpointSlices (per distinct set of resolved ports, at most 100 endpoints each as the real
 * controller's default; a placeholder with no endpoints when no pod matches). Endpoints carry ready/serving/terminating conditions, the pod as
 * targetRef, nodeName and zone. Slices are updated in place, only when their content
 * changes, so resourceVersions move as the real controller's do.
 */
import type { KubeObject } from '../kube/store-types.js';
import type { ClusterContext } from './cluster-context.js';
import { ipFamilyOf, podFamilies, type IpFamily } from './cluster-options.js';
import {
  ENDPOINT_SLICE,
  isPodReady,
  jsonEqual,
  objectKey,
  ownerReferenceTo,
  type Pod,
  type Service,
} from './kube-refs.js';
import { nameSuffix, stableJson } from './name-hash.js';
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
  type ResolvedPort,
} from './service-backends.js';
import { createWorkQueue } from './work-queue.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** EndpointSlices informer index: `NS/SERVICE` of slices this controller manages. */
export const sliceServiceIndexer = (slice: KubeObject): string[] => {
  const labels = slice.metadata.labels ?? {};
  const svc = labels[SERVICE_NAME_LABEL];
  return svc && labels[MANAGED_BY_LABEL] === MANAGED_BY ? [`${slice.metadata.namespace}/${svc}`] : [];
};

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
  nodeName?: string;
  zone?: string;
}

interface Desired {
  addressType: IpFamily;
  ports: ResolvedPort[] | undefined;
  endpoints: SliceEndpoint[];
}

function slicePorts(ports: ResolvedPort[]): Array<Record<string, unknown>> {
  // The real controller writes a name on every port ("" when unnamed).
  return ports.map((p) => ({
    name: p.name ?? '',
    port: p.port,
    protocol: p.protocol,
    ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
  }));
}

/** The real controller's default `--max-endpoints-per-slice`. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

const endpointKey = (e: SliceEndpoint): string => `${e.targetRef.namespace}/${e.targetRef.name}`;

/**
 * Spreads the endpoints of one port set over slices of at most MAX_ENDPOINTS_PER_SLICE, as the
 * real reconciler does: an endpoint stays in the slice that has it, new ones fill the slices
 * with room (in order), then new slices; a slice left empty is dropped (unless it is the only
 * one). `slice` undefined: a slice to create. Endpoints in each slice are sorted by IP.
 */
export function placeEndpoints(
  slices: KubeObject[],
  endpoints: SliceEndpoint[],
): Array<{ slice: KubeObject | undefined; endpoints: SliceEndpoint[] }> {
  const wanted = new Map(endpoints.map((e) => [endpointKey(e), e]));
  const out: Array<{ slice: KubeObject | undefined; endpoints: SliceEndpoint[] }> = [];
  for (const slice of slices) {
    const kept: SliceEndpoint[] = [];
    for (const e of (slice['endpoints'] ?? []) as SliceEndpoint[]) {
      const key = e.targetRef ? endpointKey(e) : '';
      const next = wanted.get(key);
      if (next && kept.length < MAX_ENDPOINTS_PER_SLICE) {
        kept.push(next);
        wanted.delete(key);
      }
    }
    out.push({ slice, endpoints: kept });
  }
  const rest = [...wanted.values()];
  for (const entry of out) {
    while (rest.length > 0 && entry.endpoints.length < MAX_ENDPOINTS_PER_SLICE)
      entry.endpoints.push(rest.shift()!);
  }
  while (rest.length > 0) out.push({ slice: undefined, endpoints: rest.splice(0, MAX_ENDPOINTS_PER_SLICE) });
  const nonEmpty = out.filter((e) => e.endpoints.length > 0);
  const result = nonEmpty.length > 0 ? nonEmpty : out.slice(0, 1);
  if (result.length === 0) result.push({ slice: undefined, endpoints: [] });
  for (const e of result) e.endpoints.sort((a, b) => compareIp(a.addresses[0]!, b.addresses[0]!));
  return result;
}

function takeOfFamily(slices: KubeObject[], family: IpFamily): KubeObject | undefined {
  const i = slices.findIndex((s) => ((s['addressType'] as string | undefined) ?? 'IPv4') === family);
  return i < 0 ? undefined : slices.splice(i, 1)[0];
}

export function startEndpointSliceController(ctx: ClusterContext): { stop(): void; idle(): Promise<void> } {
  const { store, informers } = ctx;
  const generated = new Map<string, number>();

  function sliceName(svc: Service): string {
    const seed = `${svc.metadata.namespace}/${svc.metadata.name}`;
    for (;;) {
      const n = generated.get(seed) ?? 0;
      generated.set(seed, n + 1);
      const name = `${svc.metadata.name}-${nameSuffix(`slice:${seed}`, n)}`;
      if (!informers.endpointSlices.get(svc.metadata.namespace, name)) return name;
    }
  }

  /** The service's address families (a slice per family, as the real controller makes). */
  function familiesOf(svc: Service): IpFamily[] {
    const own = svc.spec['ipFamilies'] as IpFamily[] | undefined;
    return own && own.length > 0 ? own : podFamilies(ctx.options.ipFamilies).slice(0, 1);
  }

  function desiredSlices(svc: Service): Map<string, Desired> {
    const groups = new Map<string, Desired>();
    const families = familiesOf(svc);
    for (const pod of selectedPods(ctx, svc)) {
      if (!hasAddress(pod)) continue;
      for (const family of families) {
        const ip = (pod.status?.podIPs ?? [{ ip: pod.status!.podIP! }])
          .map((p) => p.ip)
          .find((i) => ipFamilyOf(i) === family);
        if (ip) addEndpoint(groups, svc, pod, family, ip);
      }
    }
    for (const g of groups.values()) g.endpoints.sort((a, b) => compareIp(a.addresses[0]!, b.addresses[0]!));
    if (groups.size === 0)
      groups.set(`${families[0] ?? 'IPv4'}|placeholder`, {
        addressType: families[0] ?? 'IPv4',
        ports: undefined,
        endpoints: [],
      });
    return groups;
  }

  function addEndpoint(
    groups: Map<string, Desired>,
    svc: Service,
    pod: Pod,
    family: IpFamily,
    ip: string,
  ): void {
    {
      const ports = slicePorts(resolvePorts(svc, pod));
      const sig = `${family}|${stableJson(ports)}`;
      let g = groups.get(sig);
      if (!g) groups.set(sig, (g = { addressType: family, ports: resolvePorts(svc, pod), endpoints: [] }));
      const terminating = podTerminating(pod);
      const ready = isPodReady(pod);
      const hostname = endpointHostname(svc, pod);
      const node = pod.spec.nodeName ? ctx.nodes.get(pod.spec.nodeName) : undefined;
      g.endpoints.push({
        addresses: [ip],
        conditions: {
          ready: svc.spec.publishNotReadyAddresses ? true : ready && !terminating,
          serving: ready,
          terminating,
        },
        ...(hostname ? { hostname } : {}),
        targetRef: {
          kind: 'Pod',
          namespace: pod.metadata.namespace ?? '',
          name: pod.metadata.name,
          uid: pod.metadata.uid ?? '',
        },
        ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
        ...(node ? { zone: node.zone } : {}),
      });
    }
  }

  function sliceSignature(slice: KubeObject): string {
    const ports = slice['ports'] as unknown[] | undefined | null;
    const family = (slice['addressType'] as string | undefined) ?? 'IPv4';
    return `${family}|${ports ? stableJson(ports) : 'placeholder'}`;
  }

  function labelsFor(svc: Service): Record<string, string> {
    return {
      ...svc.metadata.labels,
      [SERVICE_NAME_LABEL]: svc.metadata.name,
      [MANAGED_BY_LABEL]: MANAGED_BY,
      ...(isHeadless(svc) ? { [HEADLESS_LABEL]: '' } : {}),
    };
  }

  function write(svc: Service, existing: KubeObject | undefined, d: Desired): void {
    const ports = d.ports ? slicePorts(d.ports) : undefined;
    const labels = labelsFor(svc);
    if (existing) {
      const same =
        jsonEqual(existing['endpoints'] ?? [], d.endpoints) &&
        jsonEqual(existing['ports'] ?? undefined, ports) &&
        jsonEqual(existing.metadata.labels, labels);
      if (same) return;
      // `existing` is the stored slice (frozen): the new one shares what it keeps of it.
      const next: KubeObject = {
        ...existing,
        endpoints: d.endpoints,
        metadata: {
          ...existing.metadata,
          labels,
          annotations: { ...existing.metadata.annotations, [TRIGGER_TIME]: new Date().toISOString() },
        },
      };
      if (ports) next['ports'] = ports;
      else delete next['ports'];
      informers.endpointSlices.observe(store.update(next, { shared: true }));
      return;
    }
    const created = store.create(
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: sliceName(svc),
          generateName: `${svc.metadata.name}-`,
          namespace: svc.metadata.namespace,
          labels,
          annotations: { [TRIGGER_TIME]: new Date().toISOString() },
          ownerReferences: [ownerReferenceTo(svc)],
        },
        addressType: d.addressType,
        endpoints: d.endpoints,
        ...(ports ? { ports } : {}),
      },
      { shared: true },
    );
    informers.endpointSlices.observe(created);
  }

  function sync(key: string): void {
    const svc = informers.services.getByKey(key);
    const existing = informers.endpointSlices.byIndex('service', key);
    if (!svc || !hasSelector(svc)) {
      // Slices of a deleted service go with it (garbage collector); a selector removed: ours go.
      if (svc) {
        for (const s of existing) {
          informers.endpointSlices.observeDeleted(
            store.delete(ENDPOINT_SLICE, s.metadata.namespace, s.metadata.name),
          );
        }
      }
      return;
    }
    const desired = desiredSlices(svc);
    const bySig = new Map<string, KubeObject[]>();
    for (const slice of existing) {
      const sig = sliceSignature(slice);
      const list = bySig.get(sig);
      if (list) list.push(slice);
      else bySig.set(sig, [slice]);
    }
    const unmatched: KubeObject[] = [];
    for (const [sig, slices] of bySig) if (!desired.has(sig)) unmatched.push(...slices);
    for (const [sig, d] of desired) {
      const placed = placeEndpoints(bySig.get(sig) ?? [], d.endpoints);
      for (const { slice, endpoints } of placed) {
        // A slice's addressType cannot change: only one of the same family is reused.
        const reuse = slice ?? takeOfFamily(unmatched, d.addressType);
        write(svc, reuse, { addressType: d.addressType, ports: d.ports, endpoints });
      }
      for (const slice of bySig.get(sig) ?? []) {
        if (!placed.some((p) => p.slice === slice)) unmatched.push(slice);
      }
    }
    for (const s of unmatched) {
      informers.endpointSlices.observeDeleted(
        store.delete(ENDPOINT_SLICE, s.metadata.namespace, s.metadata.name),
      );
    }
  }

  const queue = createWorkQueue(sync, ctx.onError('endpointslice-controller'));
  informers.services.onEvent((ev) => queue.add(objectKey(ev.object)));
  informers.pods.onEvent((ev) => {
    for (const p of ev.old ? [ev.old, ev.object] : [ev.object]) {
      for (const svc of servicesSelecting(ctx, p)) queue.add(objectKey(svc));
    }
  });
  informers.endpointSlices.onEvent((ev) => {
    // Someone else changed or removed one of our slices: reconcile it back.
    const svc = sliceServiceIndexer(ev.object)[0];
    if (svc) queue.add(svc);
  });
  // Started after the informers (a quiet start): sync what they already hold.
  for (const svc of informers.services.list()) queue.add(objectKey(svc));
  return { stop: () => queue.stop(), idle: () => queue.idle() };
}
