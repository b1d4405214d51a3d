/**
 * Starts the simulated cluster on a store: the nodes, the `kubernetes` Service, and the
 * controllers (scheduler, kubelet, ReplicaSet, Deployment, StatefulSet, service IPs,
 * EndpointSlices, Endpoints, garbage collector). They share informers fed by store
 * watches and react to events only; stop() ends every watch, queue and timer.
 */
import type { KubeObject, ObjectStore } from '../kube/store-types.js';
import { resolveClusterOptions, type ClusterOptions } from './cluster-options.js';
import type { ClusterContext, ClusterInformers } from './cluster-context.js';
import { collectGarbage } from './collect-garbage.js';
import { createNodes } from './create-nodes.js';
import { startDeploymentController } from './deployment-controller.js';
import { sliceServiceIndexer, startEndpointSliceController } from './endpointslice-controller.js';
import { startEndpointsController } from './endpoints-controller.js';
import { createEventRecorder } from './event-recorder.js';
import { startGarbageCollector } from './garbage-collector.js';
import { createInformer } from './informer.js';
import {
  controllerOf,
  DEPLOYMENT,
  ENDPOINT_SLICE,
  NAMESPACE,
  POD,
  REPLICA_SET,
  SERVICE,
  STATEFUL_SET,
  DAEMON_SET,
  type Pod,
  type Service,
  type Workload,
} from './kube-refs.js';
import { startKubelet } from './kubelet.js';
import { createProxyInjector } from './proxy-injector.js';
import { startReplicaSetController } from './replicaset-controller.js';
import { startDaemonSetController } from './daemonset-controller.js';
import { startScheduler } from './scheduler.js';
import { podLabelIndexer, serviceSelectorIndexer } from './service-backends.js';
import { startServiceIpController } from './service-ip-controller.js';
import { startStatefulSetController } from './statefulset-controller.js';
import { createTimerSet } from './timer-set.js';

export interface RunningCluster {
  /** Node names, in order. */
  nodes: string[];
  /**
   * Ends a quiet start (starts the endpoint controllers, records Normal events again) and
   * resolves once the endpoint controllers have synced every service, after one full garbage
   * collection (collect-garbage.ts: what the start left behind goes before anything else starts).
   */
  finishStart(): Promise<void>;
  stop(): void;
}

const byController = (obj: KubeObject): string[] => {
  const uid = controllerOf(obj)?.uid;
  return uid ? [uid] : [];
};

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates the objects every cluster has: its system namespaces and the `kubernetes` Service. */
/** @param kubernetesServiceIp the `kubernetes` Service's cluster IP: the first of the service range. */
export function createClusterBasics(store: ObjectStore, kubernetesServiceIp = '10.96.0.1'): void {
  for (const name of SYSTEM_NAMESPACES) {
    if (!store.get(NAMESPACE, undefined, name)) {
      store.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
  }
  if (!store.get(SERVICE, 'default', 'kubernetes')) {
    store.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: kubernetesServiceIp,
        clusterIPs: [kubernetesServiceIp],
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      },
    });
  }
}

export function startCluster(store: ObjectStore, opts: ClusterOptions = {}): RunningCluster {
  const options = resolveClusterOptions(opts);
  const onError = (where: string) => (err: unknown) => options.onError(err, where);
  const timers = createTimerSet(onError('timer'));
  createClusterBasics(store);
  const nodes = createNodes(store, options.nodes);

  const informers: ClusterInformers = {
    pods: createInformer<Pod>(store, POD, { controller: byController, labels: podLabelIndexer }),
    services: createInformer<Service>(store, SERVICE, { selector: serviceSelectorIndexer }),
    deployments: createInformer<Workload>(store, DEPLOYMENT),
    replicaSets: createInformer<Workload>(store, REPLICA_SET, { controller: byController }),
    statefulSets: createInformer<Workload>(store, STATEFUL_SET),
    daemonSets: createInformer<Workload>(store, DAEMON_SET),
    endpointSlices: createInformer<KubeObject>(store, ENDPOINT_SLICE, {
      controller: byController,
      service: sliceServiceIndexer,
    }),
  };
  const ctx: ClusterContext = {
    store,
    options,
    informers,
    recorder: createEventRecorder(store, onError('event-recorder')),
    timers,
    nodes,
    injector: options.linkerd ? createProxyInjector(store, options.linkerd) : undefined,
    onError,
  };

  const controllers: Array<{ stop(): void }> = [
    startServiceIpController(ctx),
    startScheduler(ctx),
    startKubelet(ctx),
    startReplicaSetController(ctx),
    startDeploymentController(ctx),
    startStatefulSetController(ctx),
    startDaemonSetController(ctx),
    startGarbageCollector(ctx),
  ];
  let endpointControllers: Array<{ stop(): void; idle(): Promise<void> }> | undefined;
  const startEndpointControllers = (): void => {
    endpointControllers ??= [startEndpointSliceController(ctx), startEndpointsController(ctx)];
  };
  if (opts.quietStart) ctx.recorder.setQuiet(true);
  else startEndpointControllers();
  const all = Object.values(informers);
  for (const i of all) i.start();

  let stopped = false;
  return {
    nodes: [...nodes.keys()],
    async finishStart() {
      if (stopped) return;
      ctx.recorder.setQuiet(false);
      startEndpointControllers();
      await Promise.all((endpointControllers ?? []).map((c) => c.idle()));
      // The start's garbage goes now, before the rest of the sandbox starts on top of it.
      if (!stopped) collectGarbage();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const i of all) i.stop();
      for (const c of [...controllers, ...(endpointControllers ?? [])]) c.stop();
      timers.clearAll();
    },
  };
}
