/**
 * A restart of the destination deployment, as the sandbox plays it: the sandbox runs one
 * destination controller process for every destination pod, so when a new destination pod
 * appears (a rollout restart replaced the pods) the controller is told it started afresh:
 * `onReplaced` clears its faults (freeze, lag, drop-removes), as a real controller that lists
 * every EndpointSlice from scratch no longer has them. A scenario with
 * `keepFaultsOnRestart: true` keeps them (the case where restarting does not help).
 */
import { LINKERD } from './cluster/simulation-annotations.js';
import { POD } from './cluster/kube-refs.js';
import type { ObjectStore } from './kube/store-types.js';

/** Calls `onReplaced` for each destination pod created after the call; returns a stop function. */
export function watchDestinationRestarts(
  store: ObjectStore,
  controlPlaneNamespace: string,
  onReplaced: (pod: string) => void,
): () => void {
  const labelSelector = `${LINKERD.controlPlaneComponent}=destination`;
  const { items, resourceVersion } = store.listStored(POD, {
    namespace: controlPlaneNamespace,
    labelSelector,
  });
  const known = new Set(items.map((p) => p.metadata.uid));
  return store.watch(
    POD,
    { namespace: controlPlaneNamespace, labelSelector, resourceVersion, shared: true },
    (ev) => {
      if (ev.type !== 'ADDED' || known.has(ev.object.metadata.uid)) return;
      known.add(ev.object.metadata.uid);
      onReplaced(ev.object.metadata.name ?? '?');
    },
  );
}
