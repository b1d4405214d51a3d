/**
 * The StatefulSet controller: pods NAME-0..N-1 with stable names and hostnames (subdomain
 * = spec.serviceName). OrderedReady (the default) creates one pod at a time, each after the
 * previous is Running and Ready, and removes the highest ordinal first; Parallel does all
 * at once. A removed pod is recreated under the same name once the old one is gone.
 */
import { buildPod } from './build-pod.js';
import type { ClusterContext } from './cluster-context.js';
import { deletePodGracefully } from './delete-pod.js';
import { isPodReady, isTerminating, POD, STATEFUL_SET, type Pod, type Workload } from './kube-refs.js';
import { podTemplateHash } from './name-hash.js';
import { startPodOwnerQueue, writeOwnerStatus } from './pod-owner-sync.js';

const SOURCE = { component: 'statefulset-controller' };

function ordinalOf(ss: Workload, pod: Pod): number {
  const prefix = `${ss.metadata.name}-`;
  if (!pod.metadata.name.startsWith(prefix)) return -1;
  const n = Number(pod.metadata.name.slice(prefix.length));
  return Number.isInteger(n) && n >= 0 ? n : -1;
}

export function startStatefulSetController(ctx: ClusterContext): { stop(): void } {
  const { store, informers, recorder } = ctx;

  function sync(key: string): void {
    const ss = informers.statefulSets.getByKey(key);
    if (!ss || isTerminating(ss)) return;
    const ns = ss.metadata.namespace ?? 'default';
    const uid = ss.metadata.uid ?? '';
    const name = ss.metadata.name;
    const replicas = ss.spec.replicas ?? 1;
    const parallel = ss.spec.podManagementPolicy === 'Parallel';
    const revision = `${name}-${podTemplateHash(ss.spec.template)}`;
    const owned = informers.pods.byIndex('controller', uid);
    const byOrdinal = new Map<number, Pod>();
    for (const p of owned) {
      const o = ordinalOf(ss, p);
      if (o >= 0) byOrdinal.set(o, p);
    }

    for (let i = 0; i < replicas; i++) {
      const pod = byOrdinal.get(i);
      if (!pod) {
        const podName = `${name}-${i}`;
        // An old pod of that name is still terminating (or someone else's): wait for it.
        if (store.getStored(POD, ns, podName)) {
          if (!parallel) break;
          continue;
        }
        const created = store.create(
          buildPod({
            template: ss.spec.template,
            name: podName,
            namespace: ns,
            owner: ss,
            workload: { kind: 'StatefulSet', name },
            extraLabels: {
              'controller-revision-hash': revision,
              'statefulset.kubernetes.io/pod-name': podName,
              'apps.kubernetes.io/pod-index': String(i),
            },
            hostname: podName,
            ...(ss.spec.serviceName ? { subdomain: ss.spec.serviceName } : {}),
            injector: ctx.injector,
          }),
          { shared: true },
        ) as Pod;
        informers.pods.observe(created);
        byOrdinal.set(i, created);
        recorder.record(
          ss,
          'Normal',
          'SuccessfulCreate',
          `create Pod ${podName} in StatefulSet ${name} successful`,
          SOURCE,
        );
        if (!parallel) break;
      } else if (!parallel && (isTerminating(pod) || !isPodReady(pod))) {
        break;
      }
    }

    const condemned = [...byOrdinal.entries()].filter(([o]) => o >= replicas).sort(([a], [b]) => b - a);
    if (condemned.length > 0 && (parallel || !condemned.some(([, p]) => isTerminating(p)))) {
      for (const [, pod] of parallel ? condemned : condemned.slice(0, 1)) {
        if (isTerminating(pod)) continue;
        deletePodGracefully(ctx, pod);
        recorder.record(
          ss,
          'Normal',
          'SuccessfulDelete',
          `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`,
          SOURCE,
        );
      }
    }

    const pods = informers.pods.byIndex('controller', uid).filter((p) => !isTerminating(p));
    const ready = pods.filter(isPodReady).length;
    const current = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length;
    const status: Record<string, unknown> = {
      observedGeneration: ss.metadata.generation ?? 1,
      replicas: pods.length,
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : { availableReplicas: 0 }),
      ...(current ? { currentReplicas: current, updatedReplicas: current } : {}),
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
    };
    writeOwnerStatus(ctx, informers.statefulSets, STATEFUL_SET, ss, status);
  }

  return startPodOwnerQueue(ctx, informers.statefulSets, 'StatefulSet', sync, 'statefulset-controller');
}
