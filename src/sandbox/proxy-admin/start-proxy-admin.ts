/**
 * The sandbox's meshed proxies as seen from outside: their admin servers (port 4191, through
 * a port-forward) and the `linkerd-proxy` container's log (through `pods/log`). One call from
 * start-sandbox.ts wires both into the API server.
 */
import type { PodLogSource } from '../kube/pod-log.js';
import type { ObjectStore } from '../kube/store-types.js';
import { LINKERD } from '../cluster/simulation-annotations.js';
import { startProxyAdminEndpoints } from './proxy-admin-endpoints.js';
import { createSimulatedProxies, type SimulatedProxies } from './simulated-proxies.js';

export interface RunningProxyAdmin {
  proxies: SimulatedProxies;
  /** Where a port-forward to a meshed pod's admin port goes (undefined for any other port). */
  portForward(namespace: string, pod: string, port: number): { path: string } | undefined;
  podLogs: PodLogSource;
  close(): Promise<void>;
}

export function startProxyAdmin(options: {
  store: ObjectStore;
  controlPlaneNamespace: string;
  /** The sandbox's proxy metrics URL, once it runs. */
  metricsUrl: () => string | undefined;
  logCapacity?: number;
}): RunningProxyAdmin {
  const proxies = createSimulatedProxies(options.store, {
    controlPlaneNamespace: options.controlPlaneNamespace,
    ...(options.logCapacity !== undefined ? { logCapacity: options.logCapacity } : {}),
  });
  const endpoints = startProxyAdminEndpoints({ proxies, metricsUrl: options.metricsUrl });
  return {
    proxies,
    portForward: (namespace, pod, port) => endpoints.resolve(namespace, pod, port),
    podLogs: (namespace, pod, container) =>
      container === LINKERD.proxyContainer ? proxies.get(namespace, pod)?.log.lines() : undefined,
    async close() {
      await endpoints.close();
      proxies.stop();
    },
  };
}
