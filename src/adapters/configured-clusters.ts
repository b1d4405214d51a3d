import type { ClusterConfig } from '../config/clusters-schema.js';
import { createAdapterPool, singleClusterPool, type AdapterPool, type OpenAdapters } from './adapter-pool.js';
import type { ClusterOptions } from './cluster-options.js';
import { openAdapters } from './open-adapters.js';

/**
 * How to reach one configured cluster: its `clusters:` entry, with the process-wide settings
 * (`shared`: the step timeout, the context token, stream limits) that are not per cluster.
 */
export function clusterOptionsOf(cluster: ClusterConfig, shared: ClusterOptions = {}): ClusterOptions {
  return {
    ...(shared.timeoutMs !== undefined ? { timeoutMs: shared.timeoutMs } : {}),
    ...(shared.contextToken !== undefined ? { contextToken: shared.contextToken } : {}),
    ...(shared.maxDestinationStreams !== undefined
      ? { maxDestinationStreams: shared.maxDestinationStreams }
      : {}),
    ...(cluster.inCluster ? { inCluster: true } : {}),
    ...(cluster.kubeconfig !== undefined ? { kubeconfig: cluster.kubeconfig } : {}),
    ...(cluster.context !== undefined ? { context: cluster.context } : {}),
    ...(cluster.destination !== undefined ? { destination: cluster.destination } : {}),
    ...(cluster.prometheusUrl !== undefined ? { prometheusUrl: cluster.prometheusUrl } : {}),
    ...(cluster.prometheusPortForward ? { prometheusPortForward: true } : {}),
    controlPlaneNamespace: cluster.controlPlaneNamespace,
    clusterDomain: cluster.clusterDomain,
  };
}

/** The pool of the `clusters:` section, each cluster opened on first use. */
export function configuredClusterPool(
  clusters: readonly ClusterConfig[],
  shared: ClusterOptions = {},
  open: OpenAdapters = openAdapters,
): AdapterPool {
  return createAdapterPool(
    Object.fromEntries(clusters.map((c) => [c.name, clusterOptionsOf(c, shared)])),
    open,
    true,
  );
}

/**
 * The pool `serve` serves: the `clusters:` section when the config has one (docs/clusters.md),
 * else the one cluster the flags and environment name, as before clusters.
 */
export function servedClusterPool(
  clusters: readonly ClusterConfig[] | undefined,
  options: ClusterOptions,
  open: OpenAdapters = openAdapters,
): AdapterPool {
  return clusters ? configuredClusterPool(clusters, options, open) : singleClusterPool(options, open);
}

/**
 * The cluster meshbot keeps its own state in (the reports' Lease and state ConfigMap): the
 * `inCluster` one, where meshbot runs, else the first (docs/clusters.md). `serve` and
 * `meshbot report run --post` must agree on it, or their runs judge against different states.
 */
export function homeCluster<C extends Pick<ClusterConfig, 'inCluster'>>(
  clusters: readonly [C, ...C[]] | readonly C[],
): C {
  const home = clusters.find((c) => c.inCluster) ?? clusters[0];
  if (!home) throw new Error('no cluster configured');
  return home;
}
