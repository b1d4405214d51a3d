/**
 * What the endpoints controllers share: which pods a Service selects, which services
 * select a pod (through label indexes, not scans), and each pod's resolved ports.
 */
import type { ClusterContext } from './cluster-context.js';
import type { Indexer } from './informer.js';
import { isTerminating, type Pod, type Service, type ServicePort } from './kube-refs.js';

/**
 * Index values of stored (frozen, so unchanging) label sets: a pod's writes mostly keep its
 * labels. Keyed by the label object; the namespace is checked (one frozen set may be shared).
 */
const labelIndexValues = new WeakMap<object, { namespace: string | undefined; values: string[] }>();

/** Pods informer index: `NS|key=value` for every label. */
export const podLabelIndexer: Indexer<Pod> = (pod) => {
  const labels = pod.metadata.labels;
  if (!labels) return [];
  const namespace = pod.metadata.namespace;
  const known = labelIndexValues.get(labels);
  if (known && known.namespace === namespace) return known.values;
  const values = Object.entries(labels).map(([k, v]) => `${namespace}|${k}=${v}`);
  if (Object.isFrozen(labels)) labelIndexValues.set(labels, { namespace, values });
  return values;
};

/** Services informer index: `NS|key=value` for every selector entry. */
export const serviceSelectorIndexer: Indexer<Service> = (svc) =>
  Object.entries(svc.spec.selector ?? {}).map(([k, v]) => `${svc.metadata.namespace}|${k}=${v}`);

/** Whether the endpoints controllers manage this service's endpoints. */
export function hasSelector(svc: Service): boolean {
  return svc.spec.type !== 'ExternalName' && Object.keys(svc.spec.selector ?? {}).length > 0;
}

export function isHeadless(svc: Service): boolean {
  return svc.spec.clusterIP === 'None';
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

export function selectedPods(ctx: ClusterContext, svc: Service): Pod[] {
  const selector = svc.spec.selector ?? {};
  const entries = Object.entries(selector);
  if (entries.length === 0) return [];
  let smallest: Pod[] | undefined;
  for (const [k, v] of entries) {
    const c = ctx.informers.pods.byIndex('labels', `${svc.metadata.namespace}|${k}=${v}`);
    if (!smallest || c.length < smallest.length) smallest = c;
    if (c.length === 0) break;
  }
  return (smallest ?? []).filter((p) => matches(selector, p.metadata.labels));
}

export function servicesSelecting(ctx: ClusterContext, pod: Pod): Service[] {
  const out = new Map<string, Service>();
  for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) {
    for (const svc of ctx.informers.services.byIndex('selector', `${pod.metadata.namespace}|${k}=${v}`)) {
      if (matches(svc.spec.selector ?? {}, pod.metadata.labels)) out.set(svc.metadata.name, svc);
    }
  }
  return [...out.values()];
}

/** A pod whose address belongs in endpoints at all: it has an IP and has not finished. */
export function hasAddress(pod: Pod): boolean {
  return !!pod.status?.podIP && pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed';
}

export interface ResolvedPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/**
 * The service's ports as this pod serves them: a numeric targetPort as is, a named one
 * through the pod's container ports (a name the pod lacks drops that port for the pod).
 */
export function resolvePorts(svc: Service, pod: Pod): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = resolveTargetPort(sp, pod);
    if (port === undefined) continue;
    out.push({
      ...(sp.name ? { name: sp.name } : {}),
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  return out;
}

export function resolveTargetPort(sp: ServicePort, pod: Pod): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec.containers) {
    for (const cp of c.ports ?? []) {
      if (cp.name === target && (cp.protocol ?? 'TCP') === protocol) return cp.containerPort;
    }
  }
  return undefined;
}

/** The hostname a pod has in this service's DNS (StatefulSet pods under their governing service). */
export function endpointHostname(svc: Service, pod: Pod): string | undefined {
  return pod.spec.hostname && pod.spec.subdomain === svc.metadata.name ? pod.spec.hostname : undefined;
}

export function podTerminating(pod: Pod): boolean {
  return isTerminating(pod);
}

/** Numeric IPv4 order. */
export function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
