/**
 * Opens everything the scale test watches before it changes anything: a watch on the
 * workload's pods, a watch on each service's EndpointSlices, and a destination stream per
 * authority. Each turns what it sees into facts on the timeline. `close()` ends them all and
 * is safe to call more than once.
 */
import { ipOfAddress } from '../../adapters/destination/decode-ip.js';
import type { DestinationClient, DestinationUpdate } from '../../adapters/destination/destination-client.js';
import type { KubeEndpoint, KubePod } from '../../adapters/kube/kube-adapter.js';
import type { OpenWatch, SliceState, WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import type { EventTimeline } from './event-timeline.js';

export interface ObserverTargets {
  namespace: string;
  podSelector: Record<string, string>;
  services: string[];
  authorities: string[];
  contextToken?: string;
  /** How long the Kubernetes watches may stay open (server-side timeout). */
  watchSeconds: number;
}

export interface Observers {
  /** IPs ready in the EndpointSlices right now, per service. */
  readySliceIps(): Set<string>;
  /** Addresses each destination stream serves right now. */
  destinationIps(authority: string): Set<string>;
  /** Pods as last seen. */
  pods(): Map<string, KubePod>;
  /** A watch or stream ended by itself (network, server timeout): the reason. */
  broken(): string | undefined;
  close(): void;
}

/** IPs that are ready (and not terminating) in a set of slices. */
export function readyIps(slices: Iterable<KubeEndpoint[]>): Set<string> {
  const out = new Set<string>();
  for (const endpoints of slices) for (const e of endpoints) if (e.ready && !e.terminating) out.add(e.ip);
  return out;
}

export async function openObservers(
  targets: ObserverTargets,
  deps: { scaling: WorkloadScaling; destination: DestinationClient },
  timeline: EventTimeline,
  /** Told once when a watch or stream ends by itself: the test can no longer see that stage. */
  whenBroken?: (reason: string) => void,
): Promise<Observers> {
  const closers: Array<() => void> = [];
  let brokenReason: string | undefined;
  let closed = false;
  const onBroken = (what: string) => (err: Error | undefined) => {
    if (closed || brokenReason) return;
    brokenReason = `the ${what} ended early${err ? `: ${err.message}` : ''}`;
    whenBroken?.(brokenReason);
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const c of closers.splice(0)) {
      try {
        c();
      } catch {
        // closing is best effort
      }
    }
  };

  try {
    // Pods.
    const pods = new Map<string, KubePod>();
    const podWatch: OpenWatch<KubePod> = await deps.scaling.watchPods(
      targets.namespace,
      targets.podSelector,
      {
        onEvent(type, pod) {
          const before = pods.get(pod.name);
          const atMs = timeline.now();
          if (type === 'DELETED') {
            pods.delete(pod.name);
            if (!before?.deleting) {
              timeline.record({
                kind: 'pod-terminating',
                pod: pod.name,
                ...(pod.ip ? { ip: pod.ip } : {}),
                atMs,
              });
            }
            return;
          }
          pods.set(pod.name, pod);
          if (!before && type === 'ADDED') timeline.record({ kind: 'pod-added', pod: pod.name, atMs });
          if (pod.ready && pod.ip && !pod.deleting && !(before?.ready && before.ip)) {
            timeline.record({ kind: 'pod-ready', pod: pod.name, ip: pod.ip, atMs });
          }
          if (pod.deleting && !before?.deleting) {
            const ip = pod.ip ?? before?.ip;
            timeline.record({ kind: 'pod-terminating', pod: pod.name, ...(ip ? { ip } : {}), atMs });
          }
        },
        onEnd: onBroken('pod watch'),
      },
      { timeoutSeconds: targets.watchSeconds },
    );
    closers.push(() => podWatch.close());
    for (const p of podWatch.initial) pods.set(p.name, p);

    // EndpointSlices, per service.
    const slicesByService = new Map<string, Map<string, KubeEndpoint[]>>();
    let ready = new Set<string>();
    const allReady = (): Set<string> =>
      readyIps([...slicesByService.values()].flatMap((m) => [...m.values()]));
    for (const service of targets.services) {
      const slices = new Map<string, KubeEndpoint[]>();
      slicesByService.set(service, slices);
      const sliceWatch: OpenWatch<SliceState> = await deps.scaling.watchEndpointSlices(
        targets.namespace,
        service,
        {
          onEvent(type, slice) {
            if (type === 'DELETED') slices.delete(slice.name);
            else slices.set(slice.name, slice.endpoints);
            const next = allReady();
            const atMs = timeline.now();
            for (const ip of next) if (!ready.has(ip)) timeline.record({ kind: 'slice-ready', ip, atMs });
            for (const ip of ready) if (!next.has(ip)) timeline.record({ kind: 'slice-unready', ip, atMs });
            ready = next;
          },
          onEnd: onBroken(`EndpointSlice watch of ${service}`),
        },
        { timeoutSeconds: targets.watchSeconds },
      );
      closers.push(() => sliceWatch.close());
      for (const s of sliceWatch.initial) slices.set(s.name, s.endpoints);
    }
    ready = allReady();

    // Destination streams, one per authority.
    const served = new Map<string, Set<string>>();
    for (const authority of targets.authorities) {
      const addresses = new Set<string>();
      served.set(authority, addresses);
      let first = true;
      const stop = deps.destination.watch(
        authority,
        (update: DestinationUpdate) => {
          const atMs = timeline.now();
          if (first) {
            first = false;
            timeline.record({ kind: 'destination-first', authority, atMs });
          }
          if (update.kind === 'add') {
            for (const a of update.addresses) {
              addresses.add(a.address);
              timeline.record({ kind: 'destination-add', ip: a.ip, address: a.address, authority, atMs });
            }
          } else {
            const gone = update.kind === 'remove' ? update.addresses : [...addresses];
            for (const address of gone) {
              addresses.delete(address);
              timeline.record({
                kind: 'destination-remove',
                ip: ipOfAddress(address),
                address,
                authority,
                atMs,
              });
            }
          }
        },
        {
          ...(targets.contextToken ? { contextToken: targets.contextToken } : {}),
          onError: (err) => onBroken(`destination stream of ${authority}`)(err),
          onEnd: () => onBroken(`destination stream of ${authority}`)(undefined),
        },
      );
      closers.push(stop);
    }

    return {
      readySliceIps: () => new Set(ready),
      destinationIps: (authority) => new Set([...(served.get(authority) ?? [])].map(ipOfAddress)),
      pods: () => new Map(pods),
      broken: () => brokenReason,
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}
