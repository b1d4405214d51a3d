/**
 * Endpoint addresses -> `Update` messages, as Linkerd's endpoint translator builds them
 * (controller/api/destination/endpoint_translator.go, pkg/k8s/labels.go GetPodLabels):
 * weight 10000; per-address metric labels pod, OWNER_KIND=owner, serviceaccount,
 * control_plane_ns and pod_template_hash when set, zone, zone_locality; for meshed pods a
 * DNS-like TLS identity `SA.NS.serviceaccount.identity.CONTROL_PLANE_NS.TRUST_DOMAIN` and an
 * h2 protocol hint.
 */
import type { EndpointAddress } from './address-set.js';
import type { TcpAddress, Update, WeightedAddr } from './destination-messages.js';
import { toProtoIp } from './ip-address.js';
import type { PodInfo } from './kube-objects.js';

export const DEFAULT_WEIGHT = 10000;
export const CONTROL_PLANE_NS_LABEL = 'linkerd.io/control-plane-ns';
export const PROXY_VERSION_ANNOTATION = 'linkerd.io/proxy-version';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

export interface TranslateOptions {
  /** Namespace of the Linkerd control plane; default `linkerd`. */
  controllerNamespace: string;
  /** Identity trust domain; default `cluster.local`. */
  identityTrustDomain: string;
  /** Zone of the subscriber's node when known (from the context token), for zone_locality. */
  nodeZone?: string | undefined;
}

export const DEFAULT_TRANSLATE_OPTIONS: TranslateOptions = {
  controllerNamespace: 'linkerd',
  identityTrustDomain: 'cluster.local',
};

/** Linkerd's label for an owner kind (KindToL5DLabel): `job` becomes `k8s_job`. */
export function ownerKindLabel(kind: string): string {
  return kind === 'job' ? 'k8s_job' : kind;
}

/**
 * The pod's top owner, as Linkerd's GetOwnerKindAndName derives it. Linkerd reads the
 * ReplicaSet to find its Deployment; the sandbox does not watch ReplicaSets and derives the
 * Deployment from the ReplicaSet name `DEPLOYMENT-HASH` and the pod's `pod-template-hash`.
 */
export function ownerOf(pod: PodInfo): { kind: string; name: string } {
  if (pod.ownerReferences.length !== 1) return { kind: 'pod', name: pod.name };
  const [parent] = pod.ownerReferences;
  if (!parent) return { kind: 'pod', name: pod.name };
  const kind = parent.kind.toLowerCase();
  if (kind === 'replicaset') {
    const hash = pod.labels[POD_TEMPLATE_HASH_LABEL];
    if (hash && parent.name.endsWith(`-${hash}`) && parent.name.length > hash.length + 1) {
      return { kind: 'deployment', name: parent.name.slice(0, -(hash.length + 1)) };
    }
  }
  return { kind, name: parent.name };
}

export function isMeshed(pod: PodInfo): boolean {
  return Boolean(pod.labels[CONTROL_PLANE_NS_LABEL]) || Boolean(pod.annotations[PROXY_VERSION_ANNOTATION]);
}

/** GetPodLabels: pod, owner, serviceaccount, control_plane_ns, pod_template_hash. */
export function podMetricLabels(pod: PodInfo, opts: TranslateOptions): Record<string, string> {
  const owner = ownerOf(pod);
  const labels: Record<string, string> = { pod: pod.name };
  labels[ownerKindLabel(owner.kind)] = owner.name;
  labels.serviceaccount = pod.serviceAccountName;
  const controlPlaneNs =
    pod.labels[CONTROL_PLANE_NS_LABEL] || (isMeshed(pod) ? opts.controllerNamespace : '');
  if (controlPlaneNs) labels.control_plane_ns = controlPlaneNs;
  const hash = pod.labels[POD_TEMPLATE_HASH_LABEL];
  if (hash) labels.pod_template_hash = hash;
  return labels;
}

export function toTcpAddress(address: { ip: string; port: number }): TcpAddress | undefined {
  const ip = toProtoIp(address.ip);
  return ip ? { ip, port: address.port } : undefined;
}

/** `local` when the endpoint is in the subscriber node's zone, `remote` when not, else `unknown`. */
export function zoneLocality(zone: string | undefined, nodeZone: string | undefined): string {
  if (!nodeZone || zone === undefined) return 'unknown';
  return zone === nodeZone ? 'local' : 'remote';
}

/** One address as a `WeightedAddr`; undefined when the IP does not parse. */
export function toWeightedAddr(address: EndpointAddress, opts: TranslateOptions): WeightedAddr | undefined {
  const addr = toTcpAddress(address);
  if (!addr) return undefined;
  const weighted: WeightedAddr = { addr, weight: DEFAULT_WEIGHT, metric_labels: {} };
  const { pod } = address;
  if (pod) {
    weighted.metric_labels = podMetricLabels(pod, opts);
    weighted.metric_labels.zone = address.zone ?? '';
    weighted.resource_ref = {
      resource: { group: '', kind: 'Pod', name: pod.name, namespace: pod.namespace },
    };
    if (isMeshed(pod)) {
      const controlPlaneNs = pod.labels[CONTROL_PLANE_NS_LABEL] || opts.controllerNamespace;
      const name = `${pod.serviceAccountName}.${pod.namespace}.serviceaccount.identity.${controlPlaneNs}.${opts.identityTrustDomain}`;
      weighted.tls_identity = { dns_like_identity: { name }, server_name: { name } };
      weighted.protocol_hint = { h2: {} };
    }
  }
  weighted.metric_labels.zone_locality = zoneLocality(address.zone, opts.nodeZone);
  return weighted;
}

export function addUpdate(addrs: WeightedAddr[], setLabels: Record<string, string>): Update {
  return { add: { addrs, metric_labels: setLabels } };
}

export function removeUpdate(addrs: TcpAddress[]): Update {
  return { remove: { addrs } };
}

export function noEndpointsUpdate(exists: boolean): Update {
  return { no_endpoints: { exists } };
}

/** The set's metric labels: the service's namespace and name. */
export function setMetricLabels(namespace: string, service: string): Record<string, string> {
  return { namespace, service };
}
