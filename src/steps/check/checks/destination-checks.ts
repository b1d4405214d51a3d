/**
 * Category linkerd-destination (meshbot's own, for the case where services flap into
 * fail-fast while they exist): destination pods ready at the desired replica count, and no
 * readiness-probe failures (`Unhealthy`) or restarts (`BackOff`) in recent events.
 */
import type { CoreV1Event, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { CONTROL_PLANE_COMPONENT_LABEL } from '../check-context.js';
import type { CheckDefinition, CheckOutcome } from '../check-types.js';
import { describePodHealth, evaluatePod } from '../pod-health.js';

const COMPONENT = 'destination';
const HINT_ANCHOR = 'l5d-api-control-ready';

function destinationPods(pods: readonly V1Pod[]): V1Pod[] {
  return pods.filter((p) => p.metadata?.labels?.[CONTROL_PLANE_COMPONENT_LABEL] === COMPONENT);
}

export function evaluateDestinationReplicas(
  deployments: readonly V1Deployment[],
  pods: readonly V1Pod[],
): CheckOutcome {
  const own = destinationPods(pods)
    .map(evaluatePod)
    .filter((h) => !h.deleting);
  const ready = own.filter((h) => h.ready).length;
  const deployment =
    deployments.find((d) => d.metadata?.labels?.[CONTROL_PLANE_COMPONENT_LABEL] === COMPONENT) ??
    deployments.find((d) => d.metadata?.name === 'linkerd-destination');
  const desired = deployment?.spec?.replicas ?? (deployment ? 1 : undefined);
  const details = own.map((h) => `pod/${h.name} ${describePodHealth(h)}`);
  const of = desired === undefined ? '' : ` of ${desired} desired`;
  if (ready === 0) {
    return {
      status: 'fail',
      message: `no destination pod is ready (${ready}${of}): proxies cannot resolve services and fail fast`,
      hint: "Look at the destination pods' events and logs (kubectl -n <linkerd namespace> logs deploy/linkerd-destination -c destination --previous).",
      details,
    };
  }
  if (desired !== undefined && ready < desired) {
    return {
      status: 'warn',
      message: `${ready}${of} destination replicas ready`,
      hint: 'Some destination replicas are not ready; proxies connected to them may see stale or no endpoints. Check their events and logs.',
      details,
    };
  }
  return { status: 'pass', message: `${ready}${of} destination replicas ready`, details };
}

/** When an event last happened (ms), from the newest timestamp it carries. */
export function eventTime(e: CoreV1Event): number | undefined {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  if (t === undefined || t === null) return undefined;
  const ms = new Date(t as unknown as string).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Readiness-probe failures (`Unhealthy`) warn; `BackOff` (restarting a failed container) fails;
 * restarts counted from the pods. Only events of destination pods seen within the window count.
 */
export function evaluateDestinationEvents(
  events: readonly CoreV1Event[],
  pods: readonly V1Pod[],
  now: Date,
  windowMs: number,
): CheckOutcome {
  const own = destinationPods(pods);
  const names = new Set(own.map((p) => p.metadata?.name));
  const since = now.getTime() - windowMs;
  const recent = events.filter((e) => {
    const involved = e.involvedObject;
    if (involved?.kind !== 'Pod') return false;
    const isDestination =
      names.has(involved.name) || (involved.name ?? '').startsWith('linkerd-destination-');
    const t = eventTime(e);
    return isDestination && (t === undefined || t >= since);
  });
  const unhealthy = recent.filter((e) => e.reason === 'Unhealthy');
  const backoff = recent.filter((e) => e.reason === 'BackOff');
  const count = (list: CoreV1Event[]): number => list.reduce((n, e) => n + (e.count ?? 1), 0);
  const restarts = own.map(evaluatePod).reduce((n, h) => n + h.restarts, 0);
  const minutes = Math.round(windowMs / 60_000);
  const details = [...backoff, ...unhealthy].map((e) =>
    `pod/${e.involvedObject?.name}: ${e.reason} x${e.count ?? 1}: ${e.message ?? ''}`.trim(),
  );
  const parts = [
    ...(backoff.length ? [`${count(backoff)} BackOff (restarting a failed container)`] : []),
    ...(unhealthy.length ? [`${count(unhealthy)} readiness-probe failures (Unhealthy)`] : []),
  ];
  const restartText = `${restarts} restart${restarts === 1 ? '' : 's'}`;
  if (backoff.length > 0) {
    return {
      status: 'fail',
      message: `destination is crash-looping: ${parts.join(', ')} in the last ${minutes} min; ${restartText}`,
      hint: "Read the crashed container's logs (kubectl logs --previous) and describe the pod; while it restarts, proxies lose discovery and services fail fast.",
      details,
    };
  }
  if (unhealthy.length > 0 || restarts > 0) {
    return {
      status: 'warn',
      message: `${parts.length ? `${parts.join(', ')} in the last ${minutes} min; ` : ''}${restartText}`,
      hint: 'A destination that flaps between ready and not ready makes proxies fail fast for services that exist; check its logs, resources and the API server latency.',
      details,
    };
  }
  return { status: 'pass', message: `no readiness-probe failures or restarts in the last ${minutes} min` };
}

export const destinationChecks: CheckDefinition[] = [
  {
    id: 'l5d-destination-ready',
    category: 'linkerd-destination',
    description: 'destination pods are ready at the desired replica count',
    hintAnchor: HINT_ANCHOR,
    async run(ctx) {
      const [deployments, pods] = await Promise.all([
        ctx.reader.listDeployments(ctx.options.controlPlaneNamespace),
        ctx.controlPlanePods(),
      ]);
      return evaluateDestinationReplicas(deployments, pods);
    },
  },
  {
    id: 'l5d-destination-events',
    category: 'linkerd-destination',
    description: 'destination has no recent readiness-probe failures or restarts',
    hintAnchor: HINT_ANCHOR,
    async run(ctx) {
      const [events, pods] = await Promise.all([
        ctx.reader.listEvents(ctx.options.controlPlaneNamespace),
        ctx.controlPlanePods(),
      ]);
      return evaluateDestinationEvents(events, pods, ctx.now, ctx.eventWindowMs);
    },
  },
];
