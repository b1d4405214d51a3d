/** What every simulated controller shares: the store, the informers, options, events, timers. */
import type { KindRef, KubeObject, ObjectStore } from '../kube/store-types.js';
import type { ResolvedClusterOptions } from './cluster-options.js';
import type { EventRecorder } from './event-recorder.js';
import type { Informer } from './informer.js';
import type { Pod, Service, Workload } from './kube-refs.js';
import type { ProxyInjector } from './proxy-injector.js';
import type { TimerSet } from './timer-set.js';

export interface ClusterInformers {
  pods: Informer<Pod>;
  services: Informer<Service>;
  deployments: Informer<Workload>;
  replicaSets: Informer<Workload>;
  statefulSets: Informer<Workload>;
  endpointSlices: Informer<KubeObject>;
}

export interface ClusterContext {
  store: ObjectStore;
  options: ResolvedClusterOptions;
  informers: ClusterInformers;
  recorder: EventRecorder;
  timers: TimerSet;
  /** Node name -> InternalIP and zone. */
  nodes: Map<string, { ip: string; zone: string }>;
  injector: ProxyInjector | undefined;
  onError(where: string): (err: unknown) => void;
}

/**
 * Reads the current object from the store, lets `mutate` change a copy and writes it back
 * when `mutate` did not return false; the informer records the write at once.
 * Returns the stored object, or undefined when absent or unchanged.
 */
export function mutateObject<T extends KubeObject>(
  ctx: Pick<ClusterContext, 'store'>,
  informer: { observe(obj: KubeObject): void } | undefined,
  ref: KindRef,
  namespace: string | undefined,
  name: string,
  mutate: (obj: T) => boolean | void,
  expectUid?: string,
): T | undefined {
  const current = ctx.store.get(ref, namespace, name);
  if (!current) return undefined;
  if (expectUid && current.metadata.uid !== expectUid) return undefined;
  // store.get returns a private copy: change it in place.
  const copy = current as T;
  if (mutate(copy) === false) return undefined;
  const written = ctx.store.update(copy);
  informer?.observe(written);
  return written as T;
}
