/**
 * Category linkerd-data-plane (`--proxy`, or a namespace): the meshed pods' proxies are ready,
 * and each proxy runs the control plane's version (drifted pods named).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { CheckDefinition, CheckOutcome } from '../check-types.js';
import { evaluatePod, PROXY_CONTAINER } from '../pod-health.js';
import { compareLinkerdVersions } from '../versions.js';

const FINISHED = new Set(['Succeeded', 'Failed']);

function podRef(p: V1Pod): string {
  return `${p.metadata?.name ?? '?'}.${p.metadata?.namespace ?? '?'}`;
}

/** Every meshed pod that should run is Running with its linkerd-proxy container ready. */
export function evaluateProxiesReady(pods: readonly V1Pod[], scope: string): CheckOutcome {
  const live = pods.filter((p) => !FINISHED.has(p.status?.phase ?? '') && !p.metadata?.deletionTimestamp);
  if (live.length === 0) {
    return {
      status: 'fail',
      message: `no meshed pods (linkerd-proxy) found in ${scope}`,
      hint: 'Inject the workloads (annotate the namespace or pod template with linkerd.io/inject: enabled) and restart them.',
    };
  }
  const bad = live.flatMap((p) => {
    const h = evaluatePod(p);
    const proxy = p.status?.containerStatuses?.find((c) => c.name === PROXY_CONTAINER);
    const why = proxy?.state?.waiting?.reason;
    if (h.phase !== 'Running') return [`pod/${podRef(p)} is ${h.phase}`];
    if (proxy && !proxy.ready)
      return [`pod/${podRef(p)}: container ${PROXY_CONTAINER} is not ready${why ? ` (${why})` : ''}`];
    if (!proxy && !h.ready) return [`pod/${podRef(p)} is not ready`];
    return [];
  });
  if (bad.length > 0) {
    return {
      status: 'fail',
      message: `${bad.length} of ${live.length} meshed pods in ${scope} have no ready proxy`,
      hint: "Describe the pods and read the proxy's logs (kubectl logs POD -c linkerd-proxy); a proxy that cannot reach identity or destination never becomes ready.",
      details: bad,
    };
  }
  return {
    status: 'pass',
    message: `${live.length} meshed pod${live.length === 1 ? '' : 's'} in ${scope}, every proxy ready`,
  };
}

/** Proxies of Running pods whose version differs from the control plane's (warn, as linkerd check). */
export function evaluateProxyVersions(
  pods: readonly V1Pod[],
  controlPlaneVersion: string | undefined,
  scope: string,
): CheckOutcome {
  if (!controlPlaneVersion) {
    return {
      status: 'warn',
      message:
        "cannot determine the control plane's version (no linkerdVersion in linkerd-config, no proxy-version on control-plane pods)",
      hint: 'Upgrade the control plane so linkerd-config records its version.',
    };
  }
  const running = pods.filter((p) => p.status?.phase === 'Running');
  const drifted = running.flatMap((p) => {
    const v = evaluatePod(p).proxyVersion;
    if (!v) return [];
    const drift = compareLinkerdVersions(v, controlPlaneVersion);
    return drift === 'same' ? [] : [{ pod: podRef(p), version: v, drift }];
  });
  if (drifted.length > 0) {
    const older = drifted.filter((d) => d.drift === 'older').length;
    return {
      status: 'warn',
      message: `${drifted.length} of ${running.length} proxies in ${scope} do not run the control plane's version ${controlPlaneVersion}${older ? ` (${older} older)` : ''}: ${drifted.map((d) => d.pod).join(', ')}`,
      hint: 'Restart those workloads so the injector gives them the current proxy (kubectl rollout restart deploy/NAME -n NAMESPACE).',
      details: drifted.map(
        (d) =>
          `pod/${d.pod} runs ${d.version} (${d.drift === 'different' ? 'a different release from' : `${d.drift} than`} ${controlPlaneVersion})`,
      ),
    };
  }
  return { status: 'pass', message: `${running.length} proxies run ${controlPlaneVersion}` };
}

function scopeOf(namespace: string | undefined): string {
  return namespace ? `namespace ${namespace}` : 'all namespaces';
}

export const dataPlaneChecks: CheckDefinition[] = [
  {
    id: 'l5d-data-plane-exists',
    category: 'linkerd-data-plane',
    description: 'data plane namespace exists',
    hintAnchor: 'l5d-data-plane-exists',
    fatal: true,
    async run(ctx) {
      const ns = ctx.options.namespace;
      if (!ns) return { status: 'pass', message: 'checking every namespace' };
      const found = await ctx.reader.getNamespace(ns);
      return found
        ? { status: 'pass', message: `namespace ${ns} exists` }
        : {
            status: 'fail',
            message: `namespace ${ns} does not exist`,
            hint: 'Check the name with kubectl get namespaces.',
          };
    },
  },
  {
    id: 'l5d-data-plane-ready',
    category: 'linkerd-data-plane',
    description: 'data plane proxies are ready',
    hintAnchor: 'l5d-data-plane-ready',
    run: async (ctx) => evaluateProxiesReady(await ctx.dataPlanePods(), scopeOf(ctx.options.namespace)),
  },
  {
    id: 'l5d-data-plane-version',
    category: 'linkerd-data-plane',
    description: 'data plane is up-to-date',
    hintAnchor: 'l5d-data-plane-version',
    async run(ctx) {
      const [pods, version] = await Promise.all([ctx.dataPlanePods(), ctx.controlPlaneVersion()]);
      return evaluateProxyVersions(pods, version?.version, scopeOf(ctx.options.namespace));
    },
  },
];
