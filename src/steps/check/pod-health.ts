/**
 * Pure evaluation of pods for `check`: Running and Ready, unschedulable (PodScheduled False),
 * restarts and the reason a container waits (CrashLoopBackOff). Works on client-node's V1Pod.
 */
import type { V1Pod } from '@kubernetes/client-node';

export interface PodHealth {
  name: string;
  namespace: string;
  phase: string;
  ready: boolean;
  /** Sum of restartCount over containers and init containers. */
  restarts: number;
  /** Set when PodScheduled is False: the scheduler's reason and message. */
  unschedulable?: string;
  /** Containers that are not ready, with why when known: `destination (CrashLoopBackOff)`. */
  notReady: string[];
  /** The proxy's version (annotation `linkerd.io/proxy-version`), when annotated. */
  proxyVersion?: string;
  deleting: boolean;
}

export const PROXY_VERSION_ANNOTATION = 'linkerd.io/proxy-version';
export const PROXY_CONTAINER = 'linkerd-proxy';

export function evaluatePod(pod: V1Pod): PodHealth {
  const status = pod.status ?? {};
  const conditions = status.conditions ?? [];
  const statuses = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  const readyCondition = conditions.find((c) => c.type === 'Ready');
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  const phase = status.phase ?? 'Unknown';
  const notReady = (status.containerStatuses ?? [])
    .filter((c) => !c.ready)
    .map((c) => {
      const why = c.state?.waiting?.reason ?? c.state?.terminated?.reason;
      return why ? `${c.name} (${why})` : c.name;
    });
  const health: PodHealth = {
    name: pod.metadata?.name ?? '?',
    namespace: pod.metadata?.namespace ?? '',
    phase,
    ready:
      phase === 'Running' &&
      (readyCondition
        ? readyCondition.status === 'True'
        : (status.containerStatuses ?? []).length > 0 && notReady.length === 0),
    restarts: statuses.reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
    notReady,
    deleting: pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
  };
  if (scheduled?.status === 'False') {
    health.unschedulable = [scheduled.reason ?? 'Unschedulable', scheduled.message]
      .filter(Boolean)
      .join(': ');
  }
  const proxyVersion = pod.metadata?.annotations?.[PROXY_VERSION_ANNOTATION];
  if (proxyVersion) health.proxyVersion = proxyVersion;
  return health;
}

/** A pod's state in a few words: `Running, ready`, `Running, not ready: destination (CrashLoopBackOff)`. */
export function describePodHealth(h: PodHealth): string {
  if (h.unschedulable) return `unschedulable: ${h.unschedulable}`;
  const readiness = h.ready
    ? 'ready'
    : h.notReady.length > 0
      ? `not ready: ${h.notReady.join(', ')}`
      : 'not ready';
  const restarts = h.restarts > 0 ? `, ${h.restarts} restart${h.restarts === 1 ? '' : 's'}` : '';
  return `${h.phase}, ${readiness}${restarts}`;
}

/** Whether a pod carries a Linkerd proxy (container or native sidecar init container). */
export function hasProxy(pod: V1Pod): boolean {
  const names = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.name);
  return (
    names.includes(PROXY_CONTAINER) || pod.metadata?.annotations?.[PROXY_VERSION_ANNOTATION] !== undefined
  );
}
