/**
 * Category linkerd-existence: the control-plane namespace, `linkerd-config`, and the
 * control-plane pods (destination, identity, proxy-injector) Running and Ready, none
 * unschedulable, restarts counted.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { CONTROL_PLANE_COMPONENT_LABEL, CONTROL_PLANE_COMPONENTS, LINKERD_CONFIG } from '../check-context.js';
import type { CheckDefinition, CheckOutcome } from '../check-types.js';
import { describePodHealth, evaluatePod } from '../pod-health.js';

/**
 * Every required component has at least one Running and Ready pod. A component with no ready
 * pod fails; ready components whose other pods are not ready, or which restarted, warn.
 */
export function evaluateControlPlanePods(
  pods: readonly V1Pod[],
  components: readonly string[] = CONTROL_PLANE_COMPONENTS,
): CheckOutcome {
  const details: string[] = [];
  const missing: string[] = [];
  const notReady: string[] = [];
  const degraded: string[] = [];
  let restarts = 0;
  for (const component of components) {
    const own = pods
      .filter((p) => p.metadata?.labels?.[CONTROL_PLANE_COMPONENT_LABEL] === component)
      .map(evaluatePod)
      .filter((h) => !h.deleting);
    if (own.length === 0) {
      missing.push(component);
      details.push(`${component}: no pods`);
      continue;
    }
    for (const h of own) {
      details.push(`${component}: pod/${h.name} ${describePodHealth(h)}`);
      restarts += h.restarts;
    }
    if (!own.some((h) => h.ready)) notReady.push(component);
    else if (own.some((h) => !h.ready || h.restarts > 0)) degraded.push(component);
  }
  const restartText = restarts > 0 ? `; ${restarts} restart${restarts === 1 ? '' : 's'} in all` : '';
  if (missing.length > 0 || notReady.length > 0) {
    const parts = [
      ...(missing.length ? [`no pods for ${missing.map((c) => `linkerd-${c}`).join(', ')}`] : []),
      ...(notReady.length ? [`no ready pod for ${notReady.map((c) => `linkerd-${c}`).join(', ')}`] : []),
    ];
    return {
      status: 'fail',
      message: `${parts.join('; ')}${restartText}`,
      hint: "Look at the pods with `kubectl -n <linkerd namespace> get pods` and `kubectl describe pod`; read the crashing container's logs with `kubectl logs --previous`.",
      details,
    };
  }
  if (degraded.length > 0) {
    return {
      status: 'warn',
      message: `every component has a ready pod, but ${degraded.map((c) => `linkerd-${c}`).join(', ')} has pods not ready or restarting${restartText}`,
      hint: 'Find why with `kubectl describe pod` and `kubectl logs --previous`; repeated restarts point at the crashing container.',
      details,
    };
  }
  return { status: 'pass', message: `${components.join(', ')} are Running and Ready`, details };
}

export function evaluateUnschedulable(pods: readonly V1Pod[]): CheckOutcome {
  const stuck = pods.map(evaluatePod).filter((h) => h.unschedulable);
  if (stuck.length === 0) return { status: 'pass', message: `${pods.length} control-plane pods scheduled` };
  return {
    status: 'fail',
    message: `${stuck.length} control-plane pod${stuck.length === 1 ? ' is' : 's are'} unschedulable`,
    hint: 'The scheduler cannot place them: check node capacity, taints and tolerations, and node selectors (`kubectl describe pod`).',
    details: stuck.map((h) => `pod/${h.name}: ${h.unschedulable}`),
  };
}

export const existenceChecks: CheckDefinition[] = [
  {
    id: 'l5d-existence-ns',
    category: 'linkerd-existence',
    description: 'control plane Namespace exists',
    hintAnchor: 'l5d-existence-ns',
    fatal: true,
    async run(ctx) {
      const ns = ctx.options.controlPlaneNamespace;
      const found = await ctx.reader.getNamespace(ns);
      if (!found) {
        return {
          status: 'fail',
          message: `namespace ${ns} does not exist`,
          hint: `Install Linkerd (linkerd install | kubectl apply -f -), or name its namespace with --control-plane-namespace if it is not ${ns}.`,
        };
      }
      return { status: 'pass', message: `namespace ${ns} exists` };
    },
  },
  {
    id: 'l5d-existence-linkerd-config',
    category: 'linkerd-existence',
    description: `'${LINKERD_CONFIG}' config map exists`,
    hintAnchor: 'l5d-existence-linkerd-config',
    async run(ctx) {
      const config = await ctx.linkerdConfig();
      const version = config.linkerdVersion ? ` (Linkerd ${config.linkerdVersion})` : '';
      return { status: 'pass', message: `${LINKERD_CONFIG} found${version}` };
    },
  },
  {
    id: 'l5d-existence-unschedulable-pods',
    category: 'linkerd-existence',
    description: 'no unschedulable pods',
    hintAnchor: 'l5d-existence-unschedulable-pods',
    async run(ctx) {
      return evaluateUnschedulable(await ctx.controlPlanePods());
    },
  },
  {
    id: 'l5d-api-control-ready',
    category: 'linkerd-existence',
    description: 'control plane pods are ready',
    hintAnchor: 'l5d-api-control-ready',
    async run(ctx) {
      return evaluateControlPlanePods(await ctx.controlPlanePods());
    },
  },
];
