/** Deletes a pod gracefully (deletionTimestamp set; the kubelet removes it later) and records it. */
import type { ClusterContext } from './cluster-context.js';
import { POD, type Pod } from './kube-refs.js';

export function deletePodGracefully(ctx: ClusterContext, pod: Pod): void {
  const { namespace, name } = pod.metadata;
  const result = ctx.store.delete(POD, namespace, name, { shared: true });
  if (ctx.store.getStored(POD, namespace, name)) ctx.informers.pods.observe(result);
  else ctx.informers.pods.observeDeleted(result);
}
