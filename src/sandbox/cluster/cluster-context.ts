/** What every simulated controller shares: the store, the informers, options, events, timers. */
import { draftOf } from '../kube/shared-objects.js';
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
  daemonSets: Informer<Workload>;
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
 * Reads the current object from the store, lets `mutate` change a draft of it and writes it
 * back when `mutate` did not return false; the informer records the write at once.
 * The draft (`draftOf`) has a fresh top level, metadata, spec and status; what lies deeper is
 * the stored object's, frozen: `mutate` replaces it (`p.status.conditions = [...]`), it does not
 * change it in place. The store keeps what the write did not change shared with the version before.
 * Returns the stored object (read-only), or undefined when absent or unchanged.
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
  const current = ctx.store.getStored(ref, namespace, name);
  if (!current) return undefined;
  if (expectUid && current.metadata.uid !== expectUid) return undefined;
  const draft = draftOf(current as T);
  if (mutate(draft) === false) return undefined;
  const written = ctx.store.update(draft, { shared: true });
  informer?.observe(written);
  return written as T;
}
