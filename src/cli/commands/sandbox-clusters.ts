/**
 * `meshbot sandbox --clusters east,west` (or `--scenario` naming a set of clusters): starts the
 * clusters in one process (src/sandbox/clusters/start-clusters.ts), prints their addresses as
 * text or as one JSON line (ClusterSetAddresses), writes one kubeconfig with a context per
 * cluster, one Prometheus scrape config covering them all and one per cluster (linkerd-viz runs
 * a Prometheus per cluster: meshbot's `clusters:` point each at its own), and runs until told to stop.
 * Loaded by sandbox.ts with import() when the flags ask for several clusters.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { parseClusterList } from '../../sandbox/clusters/cluster-names.js';
import { startClusters } from '../../sandbox/clusters/start-clusters.js';
import {
  prometheusClustersScrapeConfig,
  writeClusterScrapeConfigs,
  writePrometheusScrapeConfig,
} from '../../sandbox/prometheus-scrape-config.js';
import type { ClusterSetAddresses } from '../../sandbox/sandbox-types.js';
import { readClusterSet, type ClusterSpec } from '../../sandbox/scenario/load-cluster-set.js';
import { prometheusConfigLines, type SandboxCommandIO, type SandboxFlagValues } from './sandbox.js';

/** Flags that fix one cluster's ports: they cannot say which cluster they mean. */
const SINGLE_CLUSTER_FLAGS: Array<[keyof SandboxFlagValues, string]> = [
  ['apiPort', '--api-port'],
  ['destinationPort', '--destination-port'],
  ['metricsPort', '--metrics-port'],
  ['adminPort', '--admin-port'],
];

/**
 * The clusters the flags ask for: `--clusters` (each running `--scenario`), or the clusters of a
 * cluster-set scenario; undefined for a single-cluster sandbox.
 */
export function clustersOfFlags(
  flags: SandboxFlagValues,
): { names: string[]; specs?: ClusterSpec[]; label: string } | undefined {
  const scenario = flags.scenario ?? 'emojivoto';
  const names = flags.clusters !== undefined ? parseClusterList(flags.clusters) : undefined;
  const set = readClusterSet(scenario);
  if (names && set) {
    throw new UsageError(
      `--clusters cannot be combined with --scenario ${scenario}: that scenario names its own clusters (${set.map((c) => c.name).join(', ')})`,
      "Drop --clusters to run the scenario's clusters, or give --clusters with a single-cluster scenario.",
    );
  }
  if (!names && !set) return undefined;
  for (const [key, flag] of SINGLE_CLUSTER_FLAGS) {
    if (flags[key] !== undefined) {
      throw new UsageError(
        `${flag} cannot be used with several clusters: each cluster gets free ports`,
        "Read every cluster's addresses from the output (--json prints them as one line).",
      );
    }
  }
  return set
    ? { names: set.map((c) => c.name), specs: set, label: `scenario ${scenario}` }
    : { names: names ?? [], label: `scenario ${scenario}` };
}

export function formatClustersText(
  a: ClusterSetAddresses,
  label: string,
  scenarios: Record<string, string>,
  prometheus: { path: string; text: string },
): string {
  const names = Object.keys(a.clusters);
  const [first, second] = names;
  return [
    `meshbot sandbox is running: clusters ${names.join(', ')} (${label})`,
    `  kubeconfig:    ${a.kubeconfig} (contexts ${names.join(', ')})`,
    ...Object.entries(a.clusters).flatMap(([name, c]) => [
      '',
      `  ${name} (scenario ${scenarios[name] ?? '?'}; pods ${c.podCidr}, services ${c.serviceCidr})`,
      `    API server:    ${c.apiServer}`,
      `    destination:   ${c.destination}`,
      `    metrics:       ${c.metrics}`,
      `    admin:         ${c.admin}`,
      `    proxy metrics: ${c.proxyMetrics}`,
      ...(c.prometheusConfig ? [`    prometheus:    ${c.prometheusConfig} (this cluster alone)`] : []),
    ]),
    '',
    `Try: KUBECONFIG=${a.kubeconfig} kubectl --context ${second ?? first} get pods -A`,
    `     curl -X POST ${a.clusters[second ?? first ?? '']?.admin ?? ''}/down   # refuse connections; /up brings it back`,
    ...prometheusConfigLines(prometheus),
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

/** Runs the clusters until `until` resolves; returns 0. Errors are thrown for the caller to report. */
export async function runClusterSandbox(
  flags: SandboxFlagValues,
  io: SandboxCommandIO,
  clusters: { names: string[]; specs?: ClusterSpec[]; label: string },
  options: {
    podReadyDelayMs?: number;
    serviceAccountKubeconfigs: Array<{ namespace: string; name: string; path: string }>;
    until: Promise<unknown> | undefined;
  },
): Promise<number> {
  const running = await startClusters({
    clusters: clusters.specs ?? clusters.names,
    scenario: flags.scenario ?? 'emojivoto',
    ...(flags.kubeconfigOut ? { kubeconfigOut: flags.kubeconfigOut } : {}),
    ...(options.podReadyDelayMs !== undefined ? { podReadyDelayMs: options.podReadyDelayMs } : {}),
    serviceAccountKubeconfigs: options.serviceAccountKubeconfigs,
  });
  let tempDir: string | undefined;
  try {
    const text = prometheusClustersScrapeConfig(
      running.names.map((name) => ({ cluster: name, ...running.cluster(name) })),
      clusters.label,
    );
    const written = await writePrometheusScrapeConfig(text, flags.prometheusConfigOut);
    tempDir = written.tempDir;
    // Beside it, one per cluster (prometheus-NAME.yml), removed with it when temporary.
    const perCluster = await writeClusterScrapeConfigs(
      path.dirname(written.path),
      running.names.map((name) => ({ cluster: name, ...running.cluster(name) })),
      clusters.label,
    );
    const addresses: ClusterSetAddresses = {
      kubeconfig: running.kubeconfig,
      prometheusConfig: written.path,
      clusters: Object.fromEntries(
        Object.entries(running.addresses).map(([name, a]) => [
          name,
          { ...a, ...(perCluster[name] ? { prometheusConfig: perCluster[name] } : {}) },
        ]),
      ),
    };
    const scenarios = Object.fromEntries(running.names.map((n) => [n, running.cluster(n).scenario.name]));
    io.stdout.write(
      flags.json
        ? `${JSON.stringify(addresses)}\n`
        : formatClustersText(addresses, clusters.label, scenarios, { path: written.path, text }),
    );
    if (!flags.json) {
      for (const sa of options.serviceAccountKubeconfigs) {
        io.stdout.write(
          `  kubeconfig as ServiceAccount ${sa.namespace}/${sa.name} (contexts ${running.names.join(', ')}): ${sa.path}\n`,
        );
      }
    }
    io.onClustersReady?.(addresses);
    await options.until;
    if (!flags.json) io.stderr.write('stopping the sandbox\n');
  } finally {
    await running.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
  return 0;
}
