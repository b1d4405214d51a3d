/**
 * The DaemonSet controller: one pod per node (every sandbox node is Ready and schedulable), named
 * NAME-XXXXX, owned by the DaemonSet, with its `controller-revision-hash` and
 * `pod-template-generation` labels and the proxy injector's `linkerd.io/proxy-daemonset`.
 * The real controller leaves the binding to the scheduler through a node affinity; here the pod
 * is bound to its node when created (the sandbox's scheduler knows no affinity). Reports
 * `desiredNumberScheduled`, `numberReady` and the rest of the status `kubectl rollout status`
 * reads. Rolling updates are not simulated: a pod of an older template stays until deleted.
 */
import { buildPod } from './build-pod.js';
import type { ClusterContext } from './cluster-context.js';
import { DAEMON_SET, isPodReady, isTerminating, POD, type Pod } from './kube-refs.js';
import { startPodOwnerQueue, writeOwnerStatus } from './pod-owner-sync.js';
import { nameSuffix, podTemplateHash } from './name-hash.js';

const SOURCE = { component: 'daemonset-controller' };

export function startDaemonSetController(ctx: ClusterContext): { stop(): void } {
  const { store, informers, recorder } = ctx;
  const nodeNames = [...ctx.nodes.keys()].sort();
  const generated = new Map<string, number>();

  function sync(key: string): void {
    const ds = informers.daemonSets.getByKey(key);
    if (!ds || isTerminating(ds)) return;
    const ns = ds.metadata.namespace ?? 'default';
    const uid = ds.metadata.uid ?? '';
    const name = ds.metadata.name;
    const hash = podTemplateHash(ds.spec.template);
    const generation = String(ds.metadata.generation ?? 1);
    const live = (): Pod[] => informers.pods.byIndex('controller', uid).filter((p) => !isTerminating(p));
    const onNode = new Set(live().map((p) => p.spec.nodeName));
    for (const node of nodeNames) {
      if (onNode.has(node)) continue;
      // generateName: a new name for each pod, deterministic for the run.
      const n = generated.get(uid) ?? 0;
      generated.set(uid, n + 1);
      const podName = `${name}-${nameSuffix(uid, n)}`;
      if (store.getStored(POD, ns, podName)) continue;
      const pod = buildPod({
        template: ds.spec.template,
        name: podName,
        namespace: ns,
        owner: ds,
        workload: { kind: 'DaemonSet', name },
        extraLabels: { 'controller-revision-hash': hash, 'pod-template-generation': generation },
        injector: ctx.injector,
      });
      pod.spec.nodeName = node;
      const created = store.create(pod, { shared: true }) as Pod;
      informers.pods.observe(created);
      recorder.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${podName}`, SOURCE);
    }
    const pods = live();
    const ready = pods.filter(isPodReady).length;
    const updated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash).length;
    const status: Record<string, unknown> = {
      observedGeneration: ds.metadata.generation ?? 1,
      desiredNumberScheduled: nodeNames.length,
      currentNumberScheduled: pods.length,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      ...(nodeNames.length - ready > 0 ? { numberUnavailable: nodeNames.length - ready } : {}),
      updatedNumberScheduled: updated,
    };
    writeOwnerStatus(ctx, informers.daemonSets, DAEMON_SET, ds, status);
  }

  return startPodOwnerQueue(ctx, informers.daemonSets, 'DaemonSet', sync, 'daemonset-controller');
}
