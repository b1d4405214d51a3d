/**
 * The part of an adapter set that needs @kubernetes/client-node: the kubeconfig as client-node
 * loads it (exec plugins, auth providers, in-cluster credentials, merged KUBECONFIG files),
 * the KubeCore its clients go through (sharing the set's one bound on concurrent calls), the
 * control-plane reads and the workload scaling. open-adapters.ts imports this module only when
 * something needs it.
 */
import type { ConcurrencyLimit } from '../concurrency-limit.js';
import type { ControlPlaneReader } from './control-plane-reader.js';
import { createControlPlaneReader } from './control-plane-reads.js';
import { createKubeCore, type KubeCore } from './kube-core.js';
import type { KubeConnectionOptions } from './kube-get.js';
import { loadKubeConfig, type LoadedKubeConfig } from './load-kubeconfig.js';
import { createWorkloadScaling, type WorkloadScaling } from './workload-scaling.js';

export interface ClientNodeKube {
  loaded: LoadedKubeConfig;
  core: KubeCore;
  controlPlane: ControlPlaneReader;
  scaling: WorkloadScaling;
  /** The connection settings client-node applies to a request (TLS, Authorization, proxy agent). */
  connection(): Promise<KubeConnectionOptions>;
}

/** Throws MeshbotError('config') when no credentials can be loaded. */
export function openClientNodeKube(
  options: { kubeconfig?: string; context?: string },
  set: { timeoutMs: number; limit: ConcurrencyLimit },
): ClientNodeKube {
  const loaded = loadKubeConfig(options);
  const core = createKubeCore(loaded.kubeConfig, {
    requestTimeoutMs: set.timeoutMs,
    limit: set.limit,
    context: loaded.context,
    inCluster: loaded.inCluster,
  });
  return {
    loaded,
    core,
    controlPlane: createControlPlaneReader(core),
    scaling: createWorkloadScaling(core),
    async connection() {
      const o: KubeConnectionOptions & { timeout?: number } = {};
      await loaded.kubeConfig.applyToHTTPSOptions(o);
      const { agent, headers, auth, ca, cert, key, rejectUnauthorized, servername } = o;
      return { agent, headers, auth, ca, cert, key, rejectUnauthorized, servername };
    },
  };
}
