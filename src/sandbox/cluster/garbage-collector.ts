/**
 * The garbage collector, for the owners the sandbox's controllers create dependents of:
 * when a Deployment, ReplicaSet, StatefulSet, DaemonSet or Service is removed, the objects whose
 * controller ownerReference points at it are deleted (pods gracefully), as background
 * cascading deletion does.
 */
import type { ClusterContext } from './cluster-context.js';
import { deletePodGracefully } from './delete-pod.js';
import type { Informer } from './informer.js';
import { isTerminating, type Pod } from './kube-refs.js';
import type { KubeObject } from '../kube/store-types.js';

export function startGarbageCollector(ctx: ClusterContext): { stop(): void } {
  const { informers, store } = ctx;
  const onError = ctx.onError('garbage-collector');

  function deleteDependents(owner: KubeObject, dependents: Informer<KubeObject>): void {
    const uid = owner.metadata.uid;
    if (!uid) return;
    for (const d of dependents.byIndex('controller', uid)) {
      try {
        if (d.kind === 'Pod') {
          if (!isTerminating(d)) deletePodGracefully(ctx, d as Pod);
        } else if (store.get(dependents.ref, d.metadata.namespace, d.metadata.name)) {
          dependents.observeDeleted(store.delete(dependents.ref, d.metadata.namespace, d.metadata.name));
        }
      } catch (err) {
        onError(err);
      }
    }
  }

  const deferred = new Set<NodeJS.Immediate>();
  function later(fn: () => void): void {
    const t = setImmediate(() => {
      deferred.delete(t);
      fn();
    });
    deferred.add(t);
  }

  const on = (owners: Informer<KubeObject>, dependents: Informer<KubeObject>): void =>
    owners.onEvent((ev) => {
      if (ev.type === 'DELETED') later(() => deleteDependents(ev.object, dependents));
    });
  const asAny = <T extends KubeObject>(i: Informer<T>): Informer<KubeObject> =>
    i as unknown as Informer<KubeObject>;
  on(asAny(informers.deployments), asAny(informers.replicaSets));
  on(asAny(informers.replicaSets), asAny(informers.pods));
  on(asAny(informers.statefulSets), asAny(informers.pods));
  on(asAny(informers.daemonSets), asAny(informers.pods));
  on(asAny(informers.services), informers.endpointSlices);

  return {
    stop() {
      for (const t of deferred) clearImmediate(t);
      deferred.clear();
    },
  };
}
