/**
 * Starts a whole sandbox from a scenario: the object store with the scenario applied, the
 * simulated cluster's controllers, the Kubernetes API server (with the scenario's access
 * rules; port-forwards to destination pods reach the destination controller), a
 * kubeconfig, the destination controller (with the scenario's faults) and the admin API.
 * Resolves once workloads have their pods (Ready, when pods turn ready at once) and the
 * destination's informers have synced. stop() closes all in reverse order.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { startCluster, createClusterBasics, type RunningCluster } from './cluster/start-cluster.js';
import { LINKERD, SIM } from './cluster/simulation-annotations.js';
import { POD, type Workload } from './cluster/kube-refs.js';
import { waitForWorkloads } from './cluster/wait-until.js';
import { createIpAllocator } from './cluster/ip-allocator.js';
import { startAdminApi, type RunningAdminApi } from './admin-api.js';
import { watchDestinationRestarts } from './destination-restarts.js';
import { startDestinationController } from './destination/start-destination-controller.js';
import { startApiServer, type AccessRule, type RunningApiServer } from './kube/api-server.js';
import { createObjectStore } from './kube/object-store.js';
import { startProxyMetrics } from './proxy-metrics/start-proxy-metrics.js';
import { startProxyAdmin } from './proxy-admin/start-proxy-admin.js';
import { PROXY_ADMIN_PORT } from './proxy-admin/proxy-admin-endpoints.js';
import { startMeshClients, type RunningMeshClients } from './mesh/mesh-clients.js';
import { startPodChurn } from './mesh/pod-churn.js';
import { callsByWorkload, trafficModelOf } from './traffic/traffic-model.js';
import type { ObjectStore } from './kube/store-types.js';
import { CONTROL_PLANE_TOKEN } from './kube/sandbox-identities.js';
import { writeKubeconfig } from './kube/write-kubeconfig.js';
import { createGateSet } from './clusters/gate-set.js';
import type { ShutMode } from './clusters/port-gate.js';
import { writeFile } from 'node:fs/promises';
import { ensureServiceAccount, serviceAccountKubeconfigYaml } from './kube/service-account-kubeconfig.js';
import type { RunningDestinationController, Sandbox, StartSandboxOptions } from './sandbox-types.js';
import { applyScenario } from './scenario/apply-scenario.js';
import { withScenarioIdentity } from './scenario/generate-identity.js';
import { loadScenario, parseScenario } from './scenario/load-scenario.js';
import type { Scenario } from './scenario/scenario-schema.js';
import { installVizTap } from './tap/install-viz-tap.js';

/** Ports of the destination pods that port-forwards reach: gRPC and the metrics (admin) port. */
export const DESTINATION_GRPC_PORT = 8086;
export const DESTINATION_ADMIN_PORT = 9996;

/** What startSandbox returns: the contract's Sandbox, plus the scenario and access-rule control. */
export interface RunningSandbox extends Sandbox {
  scenario: Scenario;
  /** Replaces the API server's deny rules (the scenario's at start). */
  setAccessRules(rules: AccessRule[]): void;
  /**
   * Kubeconfig YAML acting as an existing ServiceAccount (token valid for a day).
   * @throws StatusError 404 when the ServiceAccount does not exist.
   */
  kubeconfigFor(namespace: string, name: string): Promise<string>;
  /** The meshed clients' Get streams (held in process), from the traffic model. */
  mesh: RunningMeshClients;
  /** With `gated`: take the cluster's servers off the network and bring them back. */
  reachability?: Reachability;
}

/** Makes a sandbox cluster unreachable from outside (connections refused) and reachable again. */
export interface Reachability {
  reachable(): boolean;
  /**
   * Ends open connections to the API server, destination and metrics; new ones are refused
   * (`refuse`, default) or accepted and never answered (`silent`: a cluster that hangs).
   */
  down(mode?: ShutMode): Promise<void>;
  /** Listens again on the same ports. */
  up(): Promise<void>;
}

export function resolveScenario(input: unknown): Scenario {
  return typeof input === 'string'
    ? loadScenario(input)
    : parseScenario(input, 'the scenario given to startSandbox');
}

/** Whether startup should wait for this workload's pods to be Ready (they turn ready at once). */
function readyAtOnce(w: Workload, defaultDelayMs: number, overrideMs: number | undefined): boolean {
  if (overrideMs !== undefined) return overrideMs === 0;
  const own = w.spec.template.metadata?.annotations?.[SIM.readyDelayMs];
  return (own !== undefined ? Number(own) : defaultDelayMs) === 0;
}

export async function startSandbox(opts: StartSandboxOptions): Promise<RunningSandbox> {
  const scenario = await withScenarioIdentity(resolveScenario(opts.scenario));
  const store: ObjectStore = createObjectStore();
  const undo: Array<() => Promise<void> | void> = [() => store.close()];
  // With `gated`, the servers listen on free ports behind gates that hold the asked-for ports.
  const gates = opts.gated ? createGateSet() : undefined;
  if (gates) undo.push(() => gates.close());
  const ownPort = (port: number | undefined): { port?: number } =>
    !gates && port !== undefined ? { port } : {};
  const exposed = async (address: string, port?: number): Promise<string> =>
    gates ? gates.expose(address, port) : address;
  const cleanup = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // keep closing the rest
      }
    }
  };

  try {
    createClusterBasics(store, opts.network && createIpAllocator(opts.network.serviceCidr).allocate());
    applyScenario(store, scenario);
    const cluster: RunningCluster = startCluster(store, {
      podReadyDelayMs: scenario.podReadyDelayMs ?? 0,
      ...(opts.podReadyDelayMs !== undefined ? { podReadyDelayOverrideMs: opts.podReadyDelayMs } : {}),
      ...(scenario.terminationDelayMs !== undefined
        ? { terminationDelayMs: scenario.terminationDelayMs }
        : {}),
      ...(scenario.linkerd
        ? { linkerd: { namespace: scenario.linkerd.namespace, version: scenario.linkerd.version } }
        : {}),
      ipFamilies: scenario.network.ipFamilies,
      ...opts.network,
      ...(opts.nodes ? { nodes: opts.nodes } : {}),
      // Nobody watches yet: no creation events, endpoints computed once the pods have settled.
      quietStart: true,
    });
    undo.push(() => cluster.stop());

    // Let the cluster settle before anything watches it over HTTP: the destination controller
    // then starts from one list instead of a storm of watch events (much faster at scale).
    // A scenario with faults waits for Ready pods first, so that a fault such as `freeze`
    // holds the healthy cluster's endpoints (faults apply after the controller's first list),
    // not an empty view taken while pods were still starting.
    const defaultDelay = scenario.podReadyDelayMs ?? 0;
    const hasFaults = scenario.faults.length > 0;
    const settled = (): Promise<void> =>
      waitForWorkloads(store, {
        ready: (w) => hasFaults || readyAtOnce(w, defaultDelay, opts.podReadyDelayMs),
        timeoutMs: 120_000,
      });
    await settled();
    await cluster.finishStart();

    const controlPlaneNs = scenario.linkerd?.namespace ?? 'linkerd';
    const late: { destination?: RunningDestinationController; proxyMetricsUrl?: string } = {};
    // linkerd-viz's tap, an aggregated API behind the API server (docs/tap.md).
    const tapApi = installVizTap(store, scenario);
    if (tapApi) undo.push(() => tapApi.close());
    // The meshed pods' proxies: admin port 4191 through port-forwards, their logs through pods/log.
    const proxyAdmin = startProxyAdmin({
      store,
      controlPlaneNamespace: controlPlaneNs,
      metricsUrl: () => late.proxyMetricsUrl,
    });
    undo.push(() => proxyAdmin.close());
    const api: RunningApiServer = await startApiServer({
      store,
      ...ownPort(opts.apiServerPort),
      accessRules: scenario.accessRules,
      ...(opts.apiAudit ? { audit: opts.apiAudit } : {}),
      ...(tapApi ? { aggregatedApis: [tapApi] } : {}),
      podLogs: proxyAdmin.podLogs,
      portForward: (namespace, pod, port) => {
        if (port === PROXY_ADMIN_PORT) return proxyAdmin.portForward(namespace, pod, port);
        const dst = late.destination;
        if (!dst || namespace !== controlPlaneNs) return undefined;
        const p = store.get(POD, namespace, pod);
        if (p?.metadata.labels?.[LINKERD.controlPlaneComponent] !== 'destination') return undefined;
        if (port === DESTINATION_GRPC_PORT) return { host: '127.0.0.1', port: portOf(dst.address) };
        if (port === DESTINATION_ADMIN_PORT)
          return { host: '127.0.0.1', port: portOf(new URL(dst.metricsUrl).host) };
        return undefined;
      },
    });
    undo.push(() => api.close());
    const apiUrl = await exposed(api.url, opts.apiServerPort);
    const apiHttpsUrl = await exposed(api.httpsUrl);

    const kubeconfig = await writeKubeconfig({
      server: apiUrl,
      ...(opts.contextName ? { name: opts.contextName } : {}),
      ...(opts.kubeconfigOut ? { path: opts.kubeconfigOut } : {}),
    });
    if (!opts.kubeconfigOut) undo.push(() => rm(path.dirname(kubeconfig), { recursive: true, force: true }));

    // The destination controller is a control-plane component with an identity of its own,
    // so access rules that restrict meshbot do not blind it (as RBAC separates the two).
    const controlPlaneKubeconfig = await writeKubeconfig({ server: api.url, token: CONTROL_PLANE_TOKEN });
    undo.push(() => rm(path.dirname(controlPlaneKubeconfig), { recursive: true, force: true }));

    const destination = await startDestinationController({
      kubeconfigPath: controlPlaneKubeconfig,
      ...ownPort(opts.destinationPort),
      ...(!gates && opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort } : {}),
      ...(scenario.linkerd ? { clusterDomain: scenario.linkerd.clusterDomain } : {}),
      faults: scenario.faults,
      compat: scenario.destination.compat,
    });
    late.destination = destination;
    undo.push(() => destination.close());
    const destinationAddress = await exposed(destination.address, opts.destinationPort);
    const destinationMetricsUrl = await exposed(destination.metricsUrl, opts.metricsPort);
    if (!scenario.keepFaultsOnRestart) {
      // A restarted destination starts from scratch: its faults go with the old pods.
      undo.push(watchDestinationRestarts(store, controlPlaneNs, () => destination.clearFaults()));
    }

    const kubeconfigFor = async (namespace: string, name: string): Promise<string> =>
      serviceAccountKubeconfigYaml({
        server: apiHttpsUrl,
        caPem: await api.servingCaPem(),
        namespace,
        name,
        token: api.mintServiceAccountToken(namespace, name),
      });
    for (const sa of opts.serviceAccountKubeconfigs ?? []) {
      ensureServiceAccount(store, sa.namespace, sa.name);
      await writeFile(sa.path, await kubeconfigFor(sa.namespace, sa.name), { mode: 0o600 });
    }

    const reachability: Reachability | undefined = gates && {
      reachable: () => gates.isOpen(),
      down: (mode) => gates.shut(mode),
      up: () => gates.open(),
    };
    const admin: RunningAdminApi = await startAdminApi({
      faults: destination,
      kubeconfigFor,
      ...(reachability ? { reachability } : {}),
      ...(opts.adminPort !== undefined ? { port: opts.adminPort } : {}),
    });
    undo.push(() => admin.close());

    // The meshed pods' proxy metrics, from the scenario's traffic model, for Prometheus.
    const traffic = trafficModelOf(scenario);
    const proxyMetrics = await startProxyMetrics({
      store,
      edges: traffic.edges,
      ...ownPort(opts.proxyMetricsPort),
      ...(scenario.linkerd ? { clusterDomain: scenario.linkerd.clusterDomain } : {}),
    });
    undo.push(() => proxyMetrics.stop());
    late.proxyMetricsUrl = proxyMetrics.url;
    const proxyMetricsUrl = await exposed(proxyMetrics.url, opts.proxyMetricsPort);

    await Promise.all([destination.ready(), settled()]);

    // The living mesh: meshed pods that call a service hold a Get stream for it, as proxies do;
    // the scenario's churn replaces pods at a steady pace.
    const simulationError =
      (where: string) =>
      (err: unknown): void => {
        process.stderr.write(`sandbox ${where}: ${err instanceof Error ? err.message : String(err)}\n`);
      };
    const mesh = startMeshClients({
      store,
      onError: simulationError('meshed clients'),
      destination,
      calls: callsByWorkload(traffic),
      ...(scenario.linkerd ? { clusterDomain: scenario.linkerd.clusterDomain } : {}),
      ...(scenario.mesh.destinationMessagesPerSecond !== undefined
        ? { messagesPerSecond: scenario.mesh.destinationMessagesPerSecond }
        : {}),
      reconnectMs: scenario.mesh.reconnectMs,
    });
    undo.push(() => mesh.stop());
    const workloads = [...scenario.deployments, ...scenario.statefulsets];
    const churn = startPodChurn(
      store,
      scenario.mesh.churn.map((c) => {
        const w = workloads.find((x) => x.namespace === c.namespace && x.name === c.workload);
        return {
          namespace: c.namespace,
          labels: w?.labels ?? { app: c.workload },
          podsPerMinute: c.podsPerMinute,
        };
      }),
    );
    undo.push(() => churn.stop());

    let stopping: Promise<void> | undefined;
    const sandbox: RunningSandbox = {
      apiServer: apiUrl,
      kubeconfig,
      destination: destinationAddress,
      metrics: destinationMetricsUrl,
      proxyMetrics: proxyMetricsUrl,
      admin: admin.url,
      store,
      destinationController: destination,
      scenario,
      setFault: (fault) => destination.setFault(fault),
      clearFaults: (service) => destination.clearFaults(service),
      setAccessRules: (rules) => api.setAccessRules(rules),
      kubeconfigFor,
      mesh,
      ...(reachability ? { reachability } : {}),
      stop() {
        stopping ??= cleanup();
        return stopping;
      },
    };
    return sandbox;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function portOf(hostPort: string): number {
  return Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));
}
