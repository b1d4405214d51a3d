/**
 * From what a person named (`deploy/web.emojivoto` or `web-svc.emojivoto`) to the workload to
 * scale and the services whose destination streams show the change. A service leads to its
 * workload through its pods' owners: Pod -> ReplicaSet -> Deployment, or Pod -> StatefulSet.
 */
import type { KubeAdapter, KubeService } from '../../adapters/kube/kube-adapter.js';
import type { KubeWorkload, WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import { MeshbotError } from '../../errors.js';
import {
  formatServiceTarget,
  formatWorkloadTarget,
  isWorkloadTarget,
  type ScaleTarget,
  type ServiceTarget,
  type WorkloadTarget,
} from '../../grammar/targets.js';

export { formatScaleTarget, isWorkloadTarget, type ScaleTarget } from '../../grammar/targets.js';

export interface ResolvedScaleTarget {
  workload: KubeWorkload;
  services: KubeService[];
}

/** Whether a service's selector picks the workload's pods (its template labels). */
export function selects(service: KubeService, templateLabels: Record<string, string>): boolean {
  const selector = service.selector;
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => templateLabels[k] === v);
}

/** Services the destination serves for load balancing: with a selector, not headless, not ExternalName. */
function balanced(service: KubeService): boolean {
  return service.type !== 'ExternalName' && !service.headless && service.ports.length > 0;
}

function refused(message: string, hint?: string): MeshbotError {
  return new MeshbotError('refused', message, hint);
}

async function workloadOfService(
  target: ServiceTarget,
  deps: { kube: KubeAdapter; scaling: WorkloadScaling },
): Promise<ResolvedScaleTarget> {
  const text = formatServiceTarget(target);
  const service = await deps.kube.getService(target.namespace, target.service);
  if (!service) {
    throw new MeshbotError(
      'not-found',
      `service ${target.service} does not exist in namespace ${target.namespace}`,
      `List the services: kubectl -n ${target.namespace} get services`,
    );
  }
  if (!service.selector || !balanced(service)) {
    throw refused(
      `${text} has no selector or is headless/ExternalName: the destination does not balance its pods, so there is nothing to time`,
      'Name a workload behind a ClusterIP service instead: deploy/NAME.NAMESPACE.',
    );
  }
  if (target.port !== undefined) {
    const port = target.port;
    service.ports = service.ports.filter((p) =>
      typeof port === 'number' ? p.port === port : p.name === port,
    );
    if (service.ports.length === 0) {
      throw new MeshbotError('usage', `service ${text} has no port ${String(port)}`);
    }
  }
  const pods = await deps.kube.listPods(target.namespace, { labelSelector: service.selector });
  const owners = new Map<string, { kind: 'deployment' | 'statefulset'; name: string }>();
  const replicaSets = new Set<string>();
  for (const pod of pods) {
    if (pod.owner?.kind === 'StatefulSet')
      owners.set(`statefulset/${pod.owner.name}`, { kind: 'statefulset', name: pod.owner.name });
    if (pod.owner?.kind === 'ReplicaSet') replicaSets.add(pod.owner.name);
  }
  for (const rs of replicaSets) {
    const owner = await deps.scaling.getReplicaSetOwner(target.namespace, rs);
    if (owner?.kind === 'Deployment')
      owners.set(`deployment/${owner.name}`, { kind: 'deployment', name: owner.name });
  }
  const found = [...owners.values()];
  if (found.length === 0) {
    throw refused(
      pods.length === 0
        ? `${text} selects no pods, so meshbot cannot tell which workload to scale`
        : `no pod of ${text} belongs to a Deployment or StatefulSet`,
      'Name the workload instead: deploy/NAME.NAMESPACE or statefulset/NAME.NAMESPACE.',
    );
  }
  if (found.length > 1) {
    throw refused(
      `${text} selects pods of ${found.length} workloads (${found.map((w) => formatWorkloadTarget({ ...w, namespace: target.namespace })).join(', ')}); meshbot will not guess which to scale`,
      'Name one of them: deploy/NAME.NAMESPACE.',
    );
  }
  const only = found[0]!;
  const workload = await deps.scaling.getWorkload({ ...only, namespace: target.namespace });
  if (!workload) {
    throw new MeshbotError(
      'not-found',
      `${formatWorkloadTarget({ ...only, namespace: target.namespace })} no longer exists`,
    );
  }
  return { workload, services: [service] };
}

async function servicesOfWorkload(
  target: WorkloadTarget,
  deps: { kube: KubeAdapter; scaling: WorkloadScaling },
): Promise<ResolvedScaleTarget> {
  const workload = await deps.scaling.getWorkload(target);
  if (!workload) {
    throw new MeshbotError(
      'not-found',
      `${target.kind} ${target.name} does not exist in namespace ${target.namespace}`,
      `List them: kubectl -n ${target.namespace} get ${target.kind}s`,
    );
  }
  const services = (await deps.kube.listServices(target.namespace)).filter(
    (s) => balanced(s) && selects(s, workload.templateLabels),
  );
  if (services.length === 0) {
    throw refused(
      `no ClusterIP service selects the pods of ${formatWorkloadTarget(target)}: the destination would never see them, so there is nothing to time`,
      `Check the services' selectors: kubectl -n ${target.namespace} get services -o wide`,
    );
  }
  return { workload, services };
}

export async function resolveScaleTarget(
  target: ScaleTarget,
  deps: { kube: KubeAdapter; scaling: WorkloadScaling },
): Promise<ResolvedScaleTarget> {
  return isWorkloadTarget(target) ? servicesOfWorkload(target, deps) : workloadOfService(target, deps);
}
