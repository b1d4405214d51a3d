/** Pure translations of parsed Kubernetes objects into the shapes steps use. */
import { canonicalIp } from '../destination/decode-ip.js';
import type { KubeEndpoint, KubeNamespace, KubePod, KubeService, ServicePort } from './kube-adapter.js';
import type { EndpointSliceObject, EndpointsObject, PodObject, ServiceObject } from './kube-schemas.js';
import type * as z from 'zod';
import type { namespaceSchema } from './kube-schemas.js';

function isoTime(t: string | Date | null | undefined): string | undefined {
  if (t === null || t === undefined) return undefined;
  return t instanceof Date ? t.toISOString() : t;
}

export function toKubeService(obj: ServiceObject): KubeService {
  const spec = obj.spec ?? {};
  const ports: ServicePort[] = (spec.ports ?? []).map((p) => {
    const port: ServicePort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
    if (p.targetPort !== null && p.targetPort !== undefined) port.targetPort = p.targetPort;
    if (p.appProtocol) port.appProtocol = p.appProtocol;
    return port;
  });
  const service: KubeService = {
    name: obj.metadata.name,
    namespace: obj.metadata.namespace ?? '',
    type: spec.type ?? 'ClusterIP',
    headless: spec.clusterIP === 'None',
    ports,
    labels: obj.metadata.labels ?? {},
  };
  if (spec.clusterIP) service.clusterIP = spec.clusterIP;
  if (spec.ipFamilies && spec.ipFamilies.length > 0) service.ipFamilies = spec.ipFamilies;
  if (spec.selector && Object.keys(spec.selector).length > 0) service.selector = spec.selector;
  if (spec.externalName) service.externalName = spec.externalName;
  return service;
}

function key(e: KubeEndpoint): string {
  return `${e.portName}|${e.ip}|${e.port}`;
}

/** Keeps one entry per (port name, address, port), preferring a ready one (slices may overlap). */
function dedupe(endpoints: KubeEndpoint[]): KubeEndpoint[] {
  const byKey = new Map<string, KubeEndpoint>();
  for (const e of endpoints) {
    const seen = byKey.get(key(e));
    if (!seen || (!seen.ready && e.ready)) byKey.set(key(e), e);
  }
  return [...byKey.values()];
}

export function endpointsFromSlices(slices: EndpointSliceObject[]): KubeEndpoint[] {
  const out: KubeEndpoint[] = [];
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    for (const ep of slice.endpoints ?? []) {
      const ready = ep.conditions?.ready ?? true;
      const serving = ep.conditions?.serving ?? ready;
      const terminating = ep.conditions?.terminating ?? false;
      for (const ip of ep.addresses.map(canonicalIp)) {
        for (const p of slice.ports ?? []) {
          if (p.port === null || p.port === undefined) continue;
          const e: KubeEndpoint = {
            ip,
            port: p.port,
            portName: p.name ?? '',
            protocol: p.protocol ?? 'TCP',
            ready,
            serving,
            terminating,
            from: `endpointslice/${slice.metadata.name}`,
          };
          if (ep.targetRef?.kind === 'Pod' && ep.targetRef.name) e.pod = ep.targetRef.name;
          if (ep.nodeName) e.node = ep.nodeName;
          if (ep.zone) e.zone = ep.zone;
          out.push(e);
        }
      }
    }
  }
  return dedupe(out);
}

export function endpointsFromV1Endpoints(obj: EndpointsObject): KubeEndpoint[] {
  const out: KubeEndpoint[] = [];
  for (const subset of obj.subsets ?? []) {
    const groups: Array<[typeof subset.addresses, boolean]> = [
      [subset.addresses, true],
      [subset.notReadyAddresses, false],
    ];
    for (const [addresses, ready] of groups) {
      for (const a of addresses ?? []) {
        for (const p of subset.ports ?? []) {
          if (p.port === null || p.port === undefined) continue;
          const e: KubeEndpoint = {
            ip: canonicalIp(a.ip),
            port: p.port,
            portName: p.name ?? '',
            protocol: p.protocol ?? 'TCP',
            ready,
            serving: ready,
            terminating: false,
            from: `endpoints/${obj.metadata.name}`,
          };
          if (a.targetRef?.kind === 'Pod' && a.targetRef.name) e.pod = a.targetRef.name;
          if (a.nodeName) e.node = a.nodeName;
          out.push(e);
        }
      }
    }
  }
  return dedupe(out);
}

export function toKubePod(obj: PodObject): KubePod {
  const status = obj.status ?? {};
  const ips = (status.podIPs ?? []).map((p) => canonicalIp(p.ip));
  const podIP = status.podIP ? canonicalIp(status.podIP) : undefined;
  if (podIP && !ips.includes(podIP)) ips.unshift(podIP);
  const deletionTimestamp = isoTime(obj.metadata.deletionTimestamp);
  const controller =
    obj.metadata.ownerReferences?.find((o) => o.controller) ?? obj.metadata.ownerReferences?.[0];
  const pod: KubePod = {
    name: obj.metadata.name,
    namespace: obj.metadata.namespace ?? '',
    phase: status.phase ?? 'Unknown',
    ready: (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    ips,
    deleting: deletionTimestamp !== undefined,
    labels: obj.metadata.labels ?? {},
    containerPorts: (obj.spec?.containers ?? []).flatMap((c) =>
      (c.ports ?? []).map((p) =>
        p.name ? { name: p.name, port: p.containerPort } : { port: p.containerPort },
      ),
    ),
  };
  const primary = podIP ?? ips[0];
  if (primary) pod.ip = primary;
  if (obj.spec?.nodeName) pod.node = obj.spec.nodeName;
  if (deletionTimestamp) pod.deletionTimestamp = deletionTimestamp;
  if (controller) pod.owner = { kind: controller.kind, name: controller.name };
  return pod;
}

export function toKubeNamespace(obj: z.infer<typeof namespaceSchema>): KubeNamespace {
  const ns: KubeNamespace = { name: obj.metadata.name, phase: obj.status?.phase ?? 'Active' };
  if (obj.metadata.annotations) ns.annotations = obj.metadata.annotations;
  return ns;
}

/** `{app: 'web', tier: 'fe'}` -> `app=web,tier=fe`. */
export function formatLabelSelector(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
