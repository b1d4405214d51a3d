/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods (creating them from the
 * template, or deleting the surplus gracefully) and reports status.
 */
import { matchesStructuredSelector } from '../kube/label-selector.js';
import { buildPod } from './build-pod.js';
import { mutateObject, type ClusterContext } from './cluster-context.js';
import { deletePodGracefully } from './delete-pod.js';
import {
  controllerOf,
  isActivePod,
  isPodReady,
  isTerminating,
  POD,
  REPLICA_SET,
  type Pod,
  type Workload,
} from './kube-refs.js';
import { startPodOwnerQueue, writeOwnerStatus } from './pod-owner-sync.js';
import { nameSuffix } from './name-hash.js';
import { compareForDeletion } from './pod-deletion-order.js';

const SOURCE = { component: 'replicaset-controller' };

export function startReplicaSetController(ctx: ClusterContext): { stop(): void } {
  const { store, informers, recorder } = ctx;
  const generated = new Map<string, number>();

  function podName(rs: Workload): string {
    const seed = `${rs.metadata.namespace}/${rs.metadata.name}`;
    for (;;) {
      const n = generated.get(seed) ?? 0;
      generated.set(seed, n + 1);
      const name = `${rs.metadata.name}-${nameSuffix(seed, n)}`;
      if (!informers.pods.get(rs.metadata.namespace, name)) return name;
    }
  }

  function sync(key: string): void {
    const rs = informers.replicaSets.getByKey(key);
    if (!rs || isTerminating(rs)) return;
    const ns = rs.metadata.namespace ?? 'default';
    const uid = rs.metadata.uid ?? '';
    const want = rs.spec.replicas ?? 1;
    // A pod relabelled out of the selector is released (its ownerReference removed) and replaced,
    // as the real controller does: the way to take a pod out of rotation and keep it for debugging.
    const selector = rs.spec.selector ?? { matchLabels: rs.spec.template.metadata?.labels ?? {} };
    for (const pod of informers.pods.byIndex('controller', uid)) {
      if (isTerminating(pod) || matchesStructuredSelector(selector, pod.metadata.labels)) continue;
      mutateObject<Pod>(
        ctx,
        informers.pods,
        POD,
        pod.metadata.namespace,
        pod.metadata.name,
        (p) => {
          p.metadata.ownerReferences = (p.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          if (p.metadata.ownerReferences.length === 0) delete p.metadata.ownerReferences;
        },
        pod.metadata.uid,
      );
    }
    const active = informers.pods.byIndex('controller', uid).filter(isActivePod);
    if (active.length < want) {
      const owner = controllerOf(rs);
      const workload =
        owner?.kind === 'Deployment'
          ? { kind: 'Deployment', name: owner.name }
          : { kind: 'ReplicaSet', name: rs.metadata.name };
      for (let i = active.length; i < want; i++) {
        const pod = buildPod({
          template: rs.spec.template,
          name: podName(rs),
          namespace: ns,
          owner: rs,
          workload,
          injector: ctx.injector,
        });
        const created = store.create(pod, { shared: true });
        informers.pods.observe(created);
        recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, SOURCE);
      }
    } else if (active.length > want) {
      const surplus = [...active].sort(compareForDeletion).slice(0, active.length - want);
      for (const pod of surplus) {
        deletePodGracefully(ctx, pod);
        recorder.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, SOURCE);
      }
    }
    const now = informers.pods.byIndex('controller', uid).filter(isActivePod);
    const ready = now.filter(isPodReady).length;
    // Zero counts are omitted, as the real API serializes them (omitempty).
    const status = {
      replicas: now.length,
      ...(now.length ? { fullyLabeledReplicas: now.length } : {}),
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      observedGeneration: rs.metadata.generation ?? 1,
    };
    writeOwnerStatus(ctx, informers.replicaSets, REPLICA_SET, rs, status);
  }

  return startPodOwnerQueue(ctx, informers.replicaSets, 'ReplicaSet', sync, 'replicaset-controller');
}
