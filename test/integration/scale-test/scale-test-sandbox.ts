/**
 * The scale test's sandbox: one workload per situation (so tests do not disturb each other),
 * adapters over the sandbox's real API server and destination controller, and small limits so
 * failing stages end in seconds. Waits are on store watches, never timers.
 */
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import type { KindRef, KubeObject, ObjectStore } from '../../../src/sandbox/kube/store-types.js';
import type { ScaleTestSettings } from '../../../src/steps/scale-test/scale-test-types.js';
import { waitForObjects } from '../endpoints/endpoints-sandbox.js';

export const NS = 'shop';
export const DEPLOYMENTS: KindRef = { group: 'apps', plural: 'deployments' };
export const SLICES: KindRef = { group: 'discovery.k8s.io', plural: 'endpointslices' };

const deployment = (name: string, replicas: number, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: NS,
  replicas,
  meshed: true,
  readyDelayMs: 30,
  containerPorts: [{ name: 'http', port: 8080 }],
  ...extra,
});
const service = (name: string, app: string) => ({
  name,
  namespace: NS,
  selector: { app },
  ports: [{ name: 'http', port: 80, targetPort: 'http' }],
});

export const WORKLOADS = [
  'web',
  'frozen',
  'stuck',
  'auto',
  'twice',
  'killed',
  'cli',
  'slack',
  'cancel',
] as const;

export function scaleTestScenario(): Record<string, unknown> {
  return {
    name: 'scale-test-integration',
    namespaces: [NS, 'other'],
    terminationDelayMs: 20,
    linkerd: {},
    deployments: [
      deployment('web', 2),
      deployment('frozen', 2),
      deployment('stuck', 1, { neverReady: true }),
      deployment('auto', 2),
      deployment('twice', 1),
      deployment('killed', 2),
      deployment('cli', 1),
      deployment('slack', 1),
      deployment('cancel', 1),
      { ...deployment('elsewhere', 1), namespace: 'other' },
    ],
    services: [
      service('web-svc', 'web'),
      service('frozen-svc', 'frozen'),
      service('stuck-svc', 'stuck'),
      service('auto-svc', 'auto'),
      service('twice-svc', 'twice'),
      service('killed-svc', 'killed'),
      service('cli-svc', 'cli'),
      service('slack-svc', 'slack'),
      service('cancel-svc', 'cancel'),
      { ...service('elsewhere-svc', 'elsewhere'), namespace: 'other' },
    ],
    hpas: [{ name: 'auto', namespace: NS, target: { kind: 'Deployment', name: 'auto' }, maxReplicas: 5 }],
  };
}

/** Short limits: a stage that never comes fails in 3 s. */
export const FAST: Partial<ScaleTestSettings> = { stageTimeoutMs: 3000, overallTimeoutMs: 30_000 };

export async function openSandboxAdapters(sb: {
  kubeconfig: string;
  destination: string;
}): Promise<Adapters> {
  return openAdapters({ kubeconfig: sb.kubeconfig, destination: sb.destination, timeoutMs: 8000 });
}

export function deploymentOf(store: ObjectStore, name: string, ns = NS): KubeObject {
  const d = store.get(DEPLOYMENTS, ns, name);
  if (!d) throw new Error(`no deployment ${name}`);
  return d;
}

export function replicasOf(store: ObjectStore, name: string, ns = NS): number {
  return (deploymentOf(store, name, ns)['spec'] as { replicas: number }).replicas;
}

export function annotationOf(store: ObjectStore, name: string, ns = NS): string | undefined {
  return deploymentOf(store, name, ns).metadata.annotations?.['meshbot.io/scale-test'];
}

/** Waits until the deployment's pods are `count`, all ready and none terminating. */
export function waitForSettled(store: ObjectStore, app: string, count: number, ns = NS): Promise<true> {
  return waitForObjects(
    store,
    { group: '', plural: 'pods' },
    { namespace: ns, labelSelector: `app=${app}` },
    (pods) => {
      const live = pods.filter((p) => !p.metadata.deletionTimestamp);
      const ready = live.filter((p) =>
        (
          (p['status'] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ??
          []
        ).some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return live.length === count && ready.length === count && pods.length === count ? true : undefined;
    },
  );
}

/** Writes what a test that died mid-way leaves: the record and the changed replicas. */
export function leaveCrashedTest(
  store: ObjectStore,
  name: string,
  record: { originalReplicas: number; testReplicas: number; startedAt: string; overallTimeoutMs?: number },
): void {
  for (let attempt = 0; ; attempt++) {
    const d = deploymentOf(store, name);
    try {
      store.update({
        ...d,
        metadata: {
          ...d.metadata,
          annotations: {
            ...(d.metadata.annotations ?? {}),
            'meshbot.io/scale-test': JSON.stringify({
              v: 1,
              testId: 'crashed1',
              requestedBy: 'U0GONE',
              ...record,
            }),
          },
        },
        spec: { ...(d['spec'] as object), replicas: record.testReplicas },
      });
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}
