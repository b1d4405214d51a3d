/**
 * The scheduler: binds each new pod to the node with the fewest pods (ties by name), by
 * setting `spec.nodeName` and the PodScheduled condition.
 */
import { mutateObject, type ClusterContext } from './cluster-context.js';
import { isTerminating, nowIso, objectKey, POD, type Pod } from './kube-refs.js';
import { createWorkQueue } from './work-queue.js';

export function startScheduler(ctx: ClusterContext): { stop(): void } {
  const pods = ctx.informers.pods;
  const nodeNames = [...ctx.nodes.keys()].sort();
  const podsOnNode = new Map<string, number>(nodeNames.map((n) => [n, 0]));
  const count = (pod: Pod | undefined, delta: number): void => {
    const n = pod?.spec.nodeName;
    if (n && podsOnNode.has(n)) podsOnNode.set(n, podsOnNode.get(n)! + delta);
  };

  const queue = createWorkQueue((key) => {
    const pod = pods.getByKey(key);
    if (!pod || pod.spec.nodeName || isTerminating(pod)) return;
    let best = nodeNames[0];
    for (const n of nodeNames) if (podsOnNode.get(n)! < podsOnNode.get(best!)!) best = n;
    if (!best) return;
    const now = nowIso();
    mutateObject<Pod>(ctx, pods, POD, pod.metadata.namespace, pod.metadata.name, (p) => {
      if (p.spec.nodeName) return false;
      p.spec.nodeName = best;
      const status = (p.status ??= { phase: 'Pending' });
      status.conditions = [
        ...(status.conditions ?? []).filter((c) => c.type !== 'PodScheduled'),
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      ];
    });
  }, ctx.onError('scheduler'));

  pods.onEvent((ev) => {
    if (ev.old) count(ev.old, -1);
    if (ev.type !== 'DELETED') count(ev.object, +1);
    if (ev.type !== 'DELETED' && !ev.object.spec.nodeName) queue.add(objectKey(ev.object));
  });
  return { stop: () => queue.stop() };
}
