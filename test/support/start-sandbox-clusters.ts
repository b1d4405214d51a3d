/**
 * N sandbox clusters in process for integration tests (pods Ready at once): each with its own
 * API server, destination controller, metrics and admin API, one kubeconfig with a context per
 * cluster, and down()/up() to make one unreachable and bring it back. See
 * src/sandbox/clusters/start-clusters.ts; stop() in afterAll.
 *
 *   const sb = await startSandboxClusters(['east', 'west']);
 *   sb.kubeconfig;                       // contexts east, west
 *   sb.cluster('west').destination;      // 127.0.0.1:PORT
 *   await sb.down('west'); await sb.up('west');
 */
import {
  startClusters,
  type RunningClusters,
  type StartClustersOptions,
} from '../../src/sandbox/clusters/start-clusters.js';

export type { RunningClusters, RunningClusterSandbox } from '../../src/sandbox/clusters/start-clusters.js';

export function startSandboxClusters(
  clusters: StartClustersOptions['clusters'] = ['east', 'west'],
  opts: Omit<StartClustersOptions, 'clusters'> = {},
): Promise<RunningClusters> {
  return startClusters({ podReadyDelayMs: 0, ...opts, clusters });
}
