/**
 * What the controllers that own pods (ReplicaSet, StatefulSet, DaemonSet) share: a work queue
 * synced on the owner's events and on its pods' (by their controller reference), and the status
 * write that happens only when the status changed.
 */
import type { KindRef } from '../kube/store-types.js';
import { mutateObject, type ClusterContext } from './cluster-context.js';
import type { Informer } from './informer.js';
import { controllerOf, jsonEqual, objectKey, type Workload } from './kube-refs.js';
import { createWorkQueue } from './work-queue.js';

/** Syncs `NAMESPACE/NAME` of an owner of kind `ownerKind` when it or one of its pods changes. */
export function startPodOwnerQueue(
  ctx: ClusterContext,
  owners: Informer<Workload>,
  ownerKind: string,
  sync: (key: string) => void,
  name: string,
): { stop(): void } {
  const queue = createWorkQueue(sync, ctx.onError(name));
  owners.onEvent((ev) => {
    if (ev.type !== 'DELETED') queue.add(objectKey(ev.object));
  });
  ctx.informers.pods.onEvent((ev) => {
    const owner = controllerOf(ev.object);
    if (owner?.kind === ownerKind) queue.add(`${ev.object.metadata.namespace}/${owner.name}`);
  });
  return { stop: () => queue.stop() };
}

/** Writes `status` on the owner (the one with its uid), unless it already has it. */
export function writeOwnerStatus(
  ctx: ClusterContext,
  owners: Informer<Workload>,
  ref: KindRef,
  owner: Workload,
  status: Record<string, unknown>,
): void {
  if (jsonEqual(owners.getByKey(objectKey(owner))?.status, status)) return;
  mutateObject<Workload>(
    ctx,
    owners,
    ref,
    owner.metadata.namespace,
    owner.metadata.name,
    (o) => {
      if (jsonEqual(o.status, status)) return false;
      o.status = status;
    },
    owner.metadata.uid ?? '',
  );
}
