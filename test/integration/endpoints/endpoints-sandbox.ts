/**
 * Helpers for the endpoints integration tests: a scenario with one service per situation, waits
 * on store watches and destination streams (never on timers), scaling, and running the CLI
 * handler in process with its output captured.
 */
import { applyUpdate, emptyEndpointSet } from '../../../src/adapters/destination/apply-updates.js';
import type { DestinationClient } from '../../../src/adapters/destination/destination-client.js';
import { runEndpointsCommand, type EndpointsFlagValues } from '../../../src/cli/commands/endpoints.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import type { KindRef, KubeObject, ListOptions, ObjectStore } from '../../../src/sandbox/kube/store-types.js';
import type { RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { EndpointsData } from '../../../src/steps/endpoints/endpoints-data.js';

export const NS = 'emojivoto';
export const SLICES: KindRef = { group: 'discovery.k8s.io', plural: 'endpointslices' };
export const PODS: KindRef = { group: '', plural: 'pods' };
export const DEPLOYMENTS: KindRef = { group: 'apps', plural: 'deployments' };

export const deployment = (name: string, replicas: number) => ({
  name,
  namespace: NS,
  replicas,
  meshed: true,
  containerPorts: [
    { name: 'http', port: 8080 },
    { name: 'grpc', port: 9090 },
  ],
});
export const service = (name: string, app: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: NS,
  selector: { app },
  ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  ...extra,
});

/** One workload and service per situation, so tests can change them without affecting each other. */
export function endpointsScenario(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'endpoints-integration',
    namespaces: [NS],
    terminationDelayMs: 20,
    linkerd: {},
    deployments: [
      deployment('web', 3),
      deployment('voting', 3),
      deployment('emoji', 3),
      deployment('lagging', 2),
      deployment('idle', 0),
    ],
    services: [
      service('web-svc', 'web', { ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
      service('web-multi', 'web', {
        ports: [
          { name: 'http', port: 80, targetPort: 8080 },
          { name: 'grpc', port: 9090, targetPort: 'grpc' },
        ],
      }),
      service('web-headless', 'web', { headless: true }),
      service('voting-svc', 'voting'),
      service('emoji-svc', 'emoji'),
      service('lagging-svc', 'lagging'),
      service('idle-svc', 'idle'),
      service('gone-svc', 'web'),
    ],
    ...extra,
  };
}

/**
 * Resolves with `check(objects)` once it returns a value, re-evaluated on every watch event
 * (the watch first replays the current state). Rejects after `timeoutMs` as a guard only.
 */
export function waitForObjects<T>(
  store: ObjectStore,
  ref: KindRef,
  opts: ListOptions,
  check: (objects: KubeObject[]) => T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const objects = new Map<string, KubeObject>();
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      fn();
      // After the synchronous replay too: `stop` is assigned by then.
      queueMicrotask(() => stop());
    };
    const guard = setTimeout(
      () =>
        finish(() =>
          reject(new Error(`timed out waiting on ${JSON.stringify(ref)} ${JSON.stringify(opts)}`)),
        ),
      timeoutMs,
    );
    const evaluate = (): void => {
      const value = check([...objects.values()]);
      if (value !== undefined) finish(() => resolve(value));
    };
    const stop = store.watch(ref, opts, (ev) => {
      const key = `${ev.object.metadata.namespace ?? ''}/${ev.object.metadata.name}`;
      if (ev.type === 'DELETED') objects.delete(key);
      else if (ev.type !== 'BOOKMARK') objects.set(key, ev.object);
      if (!done) evaluate();
    });
    if (!done) evaluate();
  });
}

interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean };
}

/** Ready IPs of a service's EndpointSlices. */
export function readyIps(slices: KubeObject[]): string[] {
  return slices
    .flatMap((s) => (s['endpoints'] as SliceEndpoint[] | undefined) ?? [])
    .filter((e) => e.conditions?.ready !== false)
    .flatMap((e) => e.addresses)
    .sort();
}

/** Waits until the service's slices list exactly `count` IPs, all ready (none terminating); returns them. */
export function waitForOnlyReadyEndpoints(store: ObjectStore, svc: string, count: number): Promise<string[]> {
  return waitForObjects(
    store,
    SLICES,
    { namespace: NS, labelSelector: `kubernetes.io/service-name=${svc}` },
    (slices) => {
      const all = slices
        .flatMap((s) => (s['endpoints'] as SliceEndpoint[] | undefined) ?? [])
        .flatMap((e) => e.addresses);
      const ips = readyIps(slices);
      return ips.length === count && all.length === count ? ips : undefined;
    },
  );
}

/** Waits until the service's slices list exactly `count` ready IPs; returns them. */
export function waitForReadyEndpoints(store: ObjectStore, svc: string, count: number): Promise<string[]> {
  return waitForObjects(
    store,
    SLICES,
    { namespace: NS, labelSelector: `kubernetes.io/service-name=${svc}` },
    (slices) => {
      const ips = readyIps(slices);
      return ips.length === count ? ips : undefined;
    },
  );
}

/** Pod IPs of an app's pods that are not being deleted. */
export function podIps(store: ObjectStore, app: string): string[] {
  return store
    .list(PODS, { namespace: NS, labelSelector: `app=${app}` })
    .items.filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => (p['status'] as { podIP?: string } | undefined)?.podIP ?? '')
    .filter((ip) => ip !== '')
    .sort();
}

/** Waits until no pod (terminating or not) of `app` has `ip`. */
export function waitForPodGone(store: ObjectStore, app: string, ip: string): Promise<true> {
  return waitForObjects(store, PODS, { namespace: NS, labelSelector: `app=${app}` }, (pods) =>
    pods.some((p) => (p['status'] as { podIP?: string } | undefined)?.podIP === ip) ? undefined : true,
  );
}

export function scale(store: ObjectStore, name: string, replicas: number): void {
  for (let attempt = 0; ; attempt++) {
    const d = store.get(DEPLOYMENTS, NS, name);
    if (!d) throw new Error(`no deployment ${name}`);
    try {
      store.update({ ...d, spec: { ...(d['spec'] as object), replicas } });
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

/** Waits until the destination serves exactly `count` addresses for `authority` (stream events). */
export function waitForDestinationCount(
  client: DestinationClient,
  authority: string,
  count: number,
): Promise<string[]> {
  return new Promise<string[]>((resolve, reject) => {
    const state = emptyEndpointSet();
    let close: () => void = () => undefined;
    const guard = setTimeout(() => {
      close();
      reject(new Error(`destination never served ${count} addresses for ${authority}`));
    }, 15_000);
    close = client.watch(
      authority,
      (update) => {
        applyUpdate(state, update);
        // Empty: no_endpoints (compat legacy) or the remove of the last address (today's Linkerd).
        const emptied = count === 0 && update.kind !== 'add';
        if (state.addresses.size === count && (count > 0 || emptied)) {
          clearTimeout(guard);
          close();
          resolve([...state.addresses.keys()].sort());
        }
      },
      {
        onError: (err) => {
          clearTimeout(guard);
          reject(err);
        },
      },
    );
  });
}

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The parsed JSON result, when --output json printed one. */
  result?: StepResult<EndpointsData>;
}

/** Runs `meshbot endpoints` in process, as the CLI does, with its output captured. */
export async function runCli(
  target: string,
  flags: EndpointsFlagValues,
  env: NodeJS.ProcessEnv = {},
): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const code = await runEndpointsCommand(target, flags, {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t) },
    env,
  });
  const run: CommandRun = { code, stdout, stderr };
  if (flags.output === 'json' && stdout.trim().startsWith('{'))
    run.result = JSON.parse(stdout) as StepResult<EndpointsData>;
  return run;
}

export const authority = (svc: string, port = 80): string => `${svc}.${NS}.svc.cluster.local:${port}`;

/**
 * Makes the destination's view of a service stale: a subscriber held open (as a client proxy),
 * `freeze` on the service, the workload scaled to `replicas` (one fewer); resolves with the IP of
 * the pod that went, once Kubernetes no longer has it.
 */
export async function staleAfterFreeze(
  sb: RunningSandbox,
  client: DestinationClient,
  opts: { workload: string; service: string; replicas: number },
): Promise<string> {
  const proxy = client.watch(authority(opts.service), () => undefined);
  try {
    sb.setFault({ type: 'freeze', service: `${opts.service}.${NS}` });
    const before = podIps(sb.store, opts.workload);
    scale(sb.store, opts.workload, opts.replicas);
    const after = await waitForOnlyReadyEndpoints(sb.store, opts.service, opts.replicas);
    const gone = before.find((ip) => !after.includes(ip))!;
    await waitForPodGone(sb.store, opts.workload, gone);
    return gone;
  } finally {
    proxy();
  }
}
