/**
 * Several independent sandbox clusters in one process (`meshbot sandbox --clusters east,west`,
 * or a cluster-set scenario): each a whole sandbox (its store and controllers, API server,
 * destination controller, proxy metrics and admin API) with address ranges of its own
 * (cluster-networks.ts), behind gates so it can be taken down and brought back
 * (`reachability`, admin `POST /down`, `POST /up`). One kubeconfig holds a context per cluster,
 * named after it. Also the helper tests use to get N clusters.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MeshbotError } from '../../errors.js';
import { ensureServiceAccount } from '../kube/service-account-kubeconfig.js';
import type { ClusterAddresses, SandboxNetwork } from '../sandbox-types.js';
import { forCluster, inCluster, type ClusterSpec } from '../scenario/load-cluster-set.js';
import type { Scenario } from '../scenario/scenario-schema.js';
import { resolveScenario, startSandbox, type Reachability, type RunningSandbox } from '../start-sandbox.js';
import { clusterListProblem } from './cluster-names.js';
import { clusterNetwork } from './cluster-networks.js';
import { clusterNodes } from './cluster-nodes.js';
import { mergeKubeconfigs, writeMergedKubeconfig } from './merge-kubeconfigs.js';
import type { ShutMode } from './port-gate.js';

export interface StartClustersOptions {
  /**
   * The clusters, in order (the first is the kubeconfig's current context): a name alone runs
   * `scenario`; a spec names its own (a built-in name, a path, or a scenario object).
   */
  clusters: ReadonlyArray<string | { name: string; scenario: string | Scenario | unknown }>;
  /** Scenario of the clusters given by name alone; default `emojivoto`. */
  scenario?: string | unknown;
  /** Where to write the kubeconfig with one context per cluster; default a temp file removed on stop. */
  kubeconfigOut?: string;
  /** Overrides every scenario's pod readiness delay (ms). Tests use 0. */
  podReadyDelayMs?: number;
  /** Kubeconfigs acting as a ServiceAccount, one context per cluster (created in each when missing). */
  serviceAccountKubeconfigs?: Array<{ namespace: string; name: string; path: string }>;
}

/** One cluster of a multi-cluster sandbox. */
export interface RunningClusterSandbox extends RunningSandbox {
  name: string;
  network: SandboxNetwork;
  reachability: Reachability;
}

export interface RunningClusters {
  /** Cluster names, in order. */
  names: string[];
  clusters: Record<string, RunningClusterSandbox>;
  /** Each cluster's addresses by name, in order (as `meshbot sandbox --clusters --json` prints them). */
  addresses: Record<string, ClusterAddresses>;
  /** Kubeconfig with one context per cluster (context, cluster and user named after it). */
  kubeconfig: string;
  /** The cluster of that name; throws one that lists the names. */
  cluster(name: string): RunningClusterSandbox;
  /**
   * Takes that cluster's API server, destination and metrics off the network: connections
   * refused, or (`silent`) accepted and never answered.
   */
  down(name: string, mode?: ShutMode): Promise<void>;
  /** Brings them back on the same ports. */
  up(name: string): Promise<void>;
  /** Stops every cluster; twice is harmless. */
  stop(): Promise<void>;
}

/** Each cluster's name and scenario, validated before anything starts (messages name the cluster). */
export function resolveClusterSpecs(
  opts: Pick<StartClustersOptions, 'clusters' | 'scenario'>,
): ClusterSpec[] {
  const entries = opts.clusters.map((c) =>
    typeof c === 'string' ? { name: c, scenario: opts.scenario ?? 'emojivoto' } : c,
  );
  const problem = clusterListProblem(entries.map((e) => e.name));
  if (problem) throw new MeshbotError('usage', `clusters: ${problem}`);
  return entries.map((e) =>
    forCluster(e.name, () => ({ name: e.name, scenario: resolveScenario(e.scenario) })),
  );
}

export async function startClusters(opts: StartClustersOptions): Promise<RunningClusters> {
  const specs = resolveClusterSpecs(opts);
  const started = await Promise.allSettled(
    specs.map(async (spec, i): Promise<RunningClusterSandbox> => {
      const network = clusterNetwork(i);
      const sandbox = await startSandbox({
        scenario: spec.scenario,
        contextName: spec.name,
        network,
        nodes: clusterNodes(spec.name, i),
        gated: true,
        ...(opts.podReadyDelayMs !== undefined ? { podReadyDelayMs: opts.podReadyDelayMs } : {}),
      });
      if (!sandbox.reachability) throw new Error('a gated sandbox has reachability');
      return { ...sandbox, name: spec.name, network, reachability: sandbox.reachability };
    }),
  );
  const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.findIndex((s) => s.status === 'rejected');
  const stopAll = (): Promise<unknown> => Promise.allSettled(running.map((c) => c.stop()));
  if (failed >= 0) {
    await stopAll();
    throw inCluster(specs[failed]?.name ?? '?', (started[failed] as PromiseRejectedResult).reason);
  }

  let tempDir: string | undefined;
  try {
    if (!opts.kubeconfigOut) tempDir = await mkdtemp(path.join(os.tmpdir(), 'meshbot-kube-clusters-'));
    const kubeconfig = opts.kubeconfigOut ?? path.join(tempDir ?? '', 'kubeconfig');
    await writeMergedKubeconfig(
      kubeconfig,
      running.map((c) => ({ name: c.name, path: c.kubeconfig })),
    );
    for (const sa of opts.serviceAccountKubeconfigs ?? []) {
      const parts = await Promise.all(
        running.map(async (c) => {
          ensureServiceAccount(c.store, sa.namespace, sa.name);
          return { name: c.name, yaml: await c.kubeconfigFor(sa.namespace, sa.name) };
        }),
      );
      await writeFile(sa.path, mergeKubeconfigs(parts), { mode: 0o600 });
    }

    const clusters = Object.fromEntries(running.map((c) => [c.name, c]));
    const cluster = (name: string): RunningClusterSandbox => {
      const c = clusters[name];
      if (!c) {
        throw new MeshbotError(
          'usage',
          `no cluster named "${name}" in this sandbox; its clusters: ${specs.map((s) => s.name).join(', ')}`,
        );
      }
      return c;
    };
    let stopping: Promise<void> | undefined;
    return {
      names: specs.map((s) => s.name),
      clusters,
      addresses: Object.fromEntries(running.map((c) => [c.name, addressesOf(c)])),
      kubeconfig,
      cluster,
      down: (name, mode) => cluster(name).reachability.down(mode),
      up: (name) => cluster(name).reachability.up(),
      stop() {
        stopping ??= (async () => {
          await stopAll();
          if (tempDir) await rm(tempDir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw err;
  }
}

function addressesOf(c: RunningClusterSandbox): ClusterAddresses {
  return {
    context: c.name,
    apiServer: c.apiServer,
    kubeconfig: c.kubeconfig,
    destination: c.destination,
    metrics: c.metrics,
    admin: c.admin,
    proxyMetrics: c.proxyMetrics,
    podCidr: c.network.podCidr,
    serviceCidr: c.network.serviceCidr,
  };
}
