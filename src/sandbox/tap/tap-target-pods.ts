/**
 * The pods a tap of a resource reaches, chosen as linkerd-viz's tap server chooses them
 * (viz/tap/api/grpc_server.go TapByResource; controller/k8s/api.go GetObjects, GetPodsFor):
 * - the resource is read first; absent, the tap fails with the lister's not-found message
 *   (`daemonsets.apps "x" not found`);
 * - namespace: every pod in it; pod: the pod itself, if Pending or Running;
 * - deployment: the pods of the ReplicaSets it owns (selected by its matchLabels, owned by its
 *   uid), each ReplicaSet's pods selected by the ReplicaSet's matchLabels and owned by it;
 * - replicaset, statefulset, daemonset, job, replicationcontroller: pods selected by its
 *   matchLabels (a replicationcontroller's `spec.selector`) and owned by its uid;
 * - cronjob: the pods of the jobs it owns; service: the pods its selector selects (none
 *   without a selector or for an ExternalName service);
 * - then only Pending or Running pods, and of those the meshed ones (`linkerd.io/control-plane-ns`
 *   names the control plane) without `viz.linkerd.io/disable-tap`. None left: "no pods to tap",
 *   naming the pods whose tap is disabled.
 */
import type { KubeObject, ObjectStore } from '../kube/store-types.js';

type Kind = { apiVersion: string; kind: string };

/** viz/pkg/labels VizTapDisabled. */
const TAP_DISABLED = 'viz.linkerd.io/disable-tap';

/** Go's strconv.ParseBool, true side. */
function parseBool(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}

const POD: Kind = { apiVersion: 'v1', kind: 'Pod' };

/** Each tap type: its kind, and the lister's resource name in a not-found message. */
const TYPES: Record<string, { ref: Kind; resource: string }> = {
  namespace: { ref: { apiVersion: 'v1', kind: 'Namespace' }, resource: 'namespaces' },
  pod: { ref: POD, resource: 'pods' },
  service: { ref: { apiVersion: 'v1', kind: 'Service' }, resource: 'services' },
  replicationcontroller: {
    ref: { apiVersion: 'v1', kind: 'ReplicationController' },
    resource: 'replicationcontrollers',
  },
  deployment: { ref: { apiVersion: 'apps/v1', kind: 'Deployment' }, resource: 'deployments.apps' },
  replicaset: { ref: { apiVersion: 'apps/v1', kind: 'ReplicaSet' }, resource: 'replicasets.apps' },
  statefulset: { ref: { apiVersion: 'apps/v1', kind: 'StatefulSet' }, resource: 'statefulsets.apps' },
  daemonset: { ref: { apiVersion: 'apps/v1', kind: 'DaemonSet' }, resource: 'daemonsets.apps' },
  job: { ref: { apiVersion: 'batch/v1', kind: 'Job' }, resource: 'jobs.batch' },
  cronjob: { ref: { apiVersion: 'batch/v1', kind: 'CronJob' }, resource: 'cronjobs.batch' },
};

export type TapTargetPods =
  | { pods: readonly KubeObject[] }
  /** The tap server's error text. */
  | { error: string };

/** A kind this sandbox does not serve (jobs, cronjobs) has no objects: a lister over an empty informer. */
function served(store: ObjectStore, ref: Kind): boolean {
  return store
    .kinds()
    .some((k) => k.kind === ref.kind && `${k.group ? `${k.group}/` : ''}${k.version}` === ref.apiVersion);
}

function get(
  store: ObjectStore,
  ref: Kind,
  namespace: string | undefined,
  name: string,
): KubeObject | undefined {
  return served(store, ref) ? store.getStored(ref, namespace, name) : undefined;
}

function list(store: ObjectStore, ref: Kind, namespace: string): readonly KubeObject[] {
  return served(store, ref) ? store.listStored(ref, { namespace }).items : [];
}

/** A selector from `matchLabels` (GetPodsFor ignores matchExpressions); undefined selects nothing. */
function matchLabelsOf(obj: KubeObject): Record<string, string> | undefined {
  const spec = (obj.spec ?? {}) as { selector?: { matchLabels?: Record<string, string> } };
  return spec.selector?.matchLabels;
}

function selects(selector: Record<string, string> | undefined, obj: KubeObject): boolean {
  if (!selector) return false;
  const labels = obj.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function ownedBy(owner: KubeObject, obj: KubeObject): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);
}

function phaseOf(pod: KubeObject): string | undefined {
  return (pod.status as { phase?: string } | undefined)?.phase;
}

function isPendingOrRunning(pod: KubeObject): boolean {
  const phase = phaseOf(pod);
  return (phase === 'Pending' || phase === 'Running') && !pod.metadata.deletionTimestamp;
}

/** GetPodsFor: the pods of one object, before the phase and mesh filters. */
function podsFor(store: ObjectStore, type: string, obj: KubeObject): readonly KubeObject[] {
  const ns = obj.metadata.namespace ?? obj.metadata.name;
  switch (type) {
    case 'namespace':
      return list(store, POD, obj.metadata.name);
    case 'pod':
      return [obj];
    case 'service': {
      const spec = (obj.spec ?? {}) as { type?: string; selector?: Record<string, string> };
      if (spec.type === 'ExternalName' || !spec.selector) return [];
      return list(store, POD, ns).filter((p) => selects(spec.selector, p));
    }
    case 'deployment': {
      const selector = matchLabelsOf(obj);
      return list(store, TYPES['replicaset']!.ref, ns)
        .filter((rs) => selects(selector, rs) && ownedBy(obj, rs))
        .flatMap((rs) => podsFor(store, 'replicaset', rs));
    }
    case 'cronjob':
      return list(store, TYPES['job']!.ref, ns)
        .filter((job) => ownedBy(obj, job))
        .flatMap((job) => podsFor(store, 'job', job));
    case 'replicationcontroller': {
      const selector = (obj.spec as { selector?: Record<string, string> } | undefined)?.selector;
      return list(store, POD, ns).filter((p) => selects(selector, p) && ownedBy(obj, p));
    }
    default:
      return list(store, POD, ns).filter((p) => selects(matchLabelsOf(obj), p) && ownedBy(obj, p));
  }
}

/**
 * The meshed pods a tap of `type`/`name` reaches (the resource's namespace is `namespace`; for
 * a namespace, `name` is the namespace), or the tap server's error.
 */
export function podsToTap(
  store: ObjectStore,
  target: { type: string; namespace: string; name: string },
  controlPlaneNamespace: string,
): TapTargetPods {
  const t = TYPES[target.type];
  if (!t) return { error: `unimplemented resource type: ${target.type}` };
  const namespaced = target.type !== 'namespace';
  const obj = get(store, t.ref, namespaced ? target.namespace : undefined, target.name);
  if (!obj) return { error: `${t.resource} "${target.name}" not found` };
  // getPods drops a named pod that is neither Pending nor Running before GetPodsFor sees it.
  const pods = podsFor(store, target.type, obj).filter(isPendingOrRunning);
  const meshed = pods.filter(
    (p) => p.metadata.labels?.['linkerd.io/control-plane-ns'] === controlPlaneNamespace,
  );
  // Tap disabled by annotation is left out and named. (The real server also leaves out pods
  // without the tap injector's `viz.linkerd.io/tap-enabled`; every sandbox pod has tap.)
  const disabled = meshed.filter((p) => parseBool(p.metadata.annotations?.[TAP_DISABLED]));
  const tappable = meshed.filter((p) => !disabled.includes(p));
  if (tappable.length === 0) {
    let error = `no pods to tap for type="${target.type}" name="${target.name}"\n`;
    if (disabled.length > 0) {
      error += `${disabled.length} pods found with tap disabled via the ${TAP_DISABLED} annotation:\n`;
      for (const p of disabled) error += `\t* ${p.metadata.name}\n`;
      error += 'remove this annotation to make these pods valid tap targets\n';
    }
    return { error };
  }
  return { pods: tappable };
}
