/**
 * The addresses of one service port, computed from what the controller has applied of the
 * Service, its EndpointSlices and their pods; and the diff between two such sets. Work is
 * proportional to the size of that one service.
 */
import { formatAddress } from '../../adapters/destination/decode-ip.js';
import type { PodInfo, ServiceInfo, SliceEndpoint, SliceInfo } from './kube-objects.js';
import { objectKey } from './kube-objects.js';

export interface EndpointAddress {
  /** `IP:PORT` (`[IPv6]:PORT`), what clients key addresses by. */
  key: string;
  ip: string;
  port: number;
  hostname: string | undefined;
  nodeName: string | undefined;
  zone: string | undefined;
  /** The pod behind the address, when the slice names one the controller knows. */
  pod: PodInfo | undefined;
}

/**
 * The endpoint port of a slice for a service port: the slice's port named like the service
 * port (EndpointSlice ports carry the service port's name and the resolved target port);
 * else a numeric targetPort (or the port itself when targetPort is absent). Undefined when
 * it cannot be resolved (a named targetPort the slice does not carry).
 */
export function resolveTargetPort(
  service: ServiceInfo | undefined,
  servicePort: number,
  slice: SliceInfo,
): number | undefined {
  const svcPort = service?.ports.find((p) => p.port === servicePort);
  if (!svcPort) return servicePort;
  const slicePort = slice.ports.find((p) => p.name === svcPort.name);
  if (slicePort?.port !== undefined) return slicePort.port;
  if (typeof svcPort.targetPort === 'number' && svcPort.targetPort > 0) return svcPort.targetPort;
  if (svcPort.targetPort === undefined) return svcPort.port;
  return undefined;
}

function endpointAddresses(
  endpoint: SliceEndpoint,
  port: number,
  lookupPod: (key: string) => PodInfo | undefined,
): EndpointAddress[] {
  if (!endpoint.ready) return [];
  let pod: PodInfo | undefined;
  if (endpoint.targetRef) {
    // Only pods (and ExternalWorkloads, which the sandbox has not) back addresses.
    if (endpoint.targetRef.kind !== 'Pod') return [];
    pod = lookupPod(objectKey(endpoint.targetRef.namespace, endpoint.targetRef.name));
    // Like Linkerd, an address whose pod the informer has not seen yet is left out until it has.
    if (!pod) return [];
  }
  return endpoint.addresses.map((ip) => ({
    key: formatAddress(ip, port),
    ip,
    port,
    hostname: endpoint.hostname,
    nodeName: endpoint.nodeName,
    zone: endpoint.zone,
    pod,
  }));
}

/**
 * The address family the controller serves for a service, as linkerd2 does (server_ipv6_test.go):
 * IPv6 for a dual-stack or IPv6 service, else IPv4.
 */
export function servedAddressType(service: ServiceInfo | undefined): 'IPv4' | 'IPv6' {
  return service?.ipFamilies.includes('IPv6') ? 'IPv6' : 'IPv4';
}

/** Ready addresses of `servicePort` across the `slices` of the family served, keyed by `IP:PORT`. */
export function addressesForPort(
  service: ServiceInfo | undefined,
  servicePort: number,
  slices: Iterable<SliceInfo>,
  lookupPod: (key: string) => PodInfo | undefined,
): Map<string, EndpointAddress> {
  const out = new Map<string, EndpointAddress>();
  const family = servedAddressType(service);
  for (const slice of slices) {
    if (slice.addressType !== family) continue;
    const port = resolveTargetPort(service, servicePort, slice);
    if (port === undefined) continue;
    for (const endpoint of slice.endpoints) {
      for (const address of endpointAddresses(endpoint, port, lookupPod)) out.set(address.key, address);
    }
  }
  return out;
}

/** Pod keys (`NS/NAME`) a slice refers to. */
export function podRefsOf(slice: SliceInfo): string[] {
  const refs: string[] = [];
  for (const endpoint of slice.endpoints) {
    if (endpoint.targetRef?.kind === 'Pod') {
      refs.push(objectKey(endpoint.targetRef.namespace, endpoint.targetRef.name));
    }
  }
  return refs;
}

export interface Diff<T> {
  added: T[];
  removed: T[];
}

/**
 * What changed from `before` to `after`: entries new or different (by `same`) are added,
 * entries gone are removed.
 */
export function diffByKey<T>(
  before: ReadonlyMap<string, T>,
  after: ReadonlyMap<string, T>,
  same: (a: T, b: T) => boolean,
): Diff<T> {
  const added: T[] = [];
  const removed: T[] = [];
  for (const [key, next] of after) {
    const prev = before.get(key);
    if (prev === undefined || !same(prev, next)) added.push(next);
  }
  for (const [key, prev] of before) {
    if (!after.has(key)) removed.push(prev);
  }
  return { added, removed };
}
