import { unknownCluster } from '../adapters/adapter-pool.js';
import type { ClusterOptions } from '../adapters/cluster-options.js';
import { clusterOptionsOf } from '../adapters/configured-clusters.js';
import { DEFAULT_CLUSTER, openAdapters, type Adapters } from '../adapters/open-adapters.js';
import { UsageError } from '../errors.js';

/** Which cluster a CLI command runs against: `--cluster`, and the `--config` file naming the clusters. */
export interface ClusterChoiceOptions {
  cluster?: string;
  configFile?: string;
}

/**
 * The adapters of the cluster a CLI command names. With `--config FILE` holding `clusters:`,
 * `--cluster NAME` picks one (where it is comes from the file; --timeout and --context-token
 * still apply); the only cluster needs no name; several and none named is a usage error (exit
 * 2) listing them. Without `clusters:` the flags name the one cluster, as before (named
 * "default"; --cluster also accepts its context's name).
 */
export async function openClusterAdapters(
  options: ClusterOptions & ClusterChoiceOptions,
): Promise<{ adapters: Adapters; configured: boolean }> {
  // The config file's reader (YAML, the config schemas, node-cron for reports) loads only when
  // a command names one: `meshbot endpoints` with flags alone does not pay for it.
  const clusters = options.configFile
    ? await (await import('../config/load-clusters-file.js')).loadClustersFile(options.configFile)
    : undefined;
  if (!clusters) {
    // The one cluster is "default" (what findings are keyed by, as before); its context's name
    // is accepted too.
    const names = options.context !== undefined ? [DEFAULT_CLUSTER, options.context] : [DEFAULT_CLUSTER];
    if (options.cluster !== undefined && !names.includes(options.cluster)) {
      throw unknownCluster(options.cluster, names);
    }
    return { adapters: await openAdapters(options, DEFAULT_CLUSTER), configured: false };
  }
  const names = clusters.map((c) => c.name);
  let chosen = options.cluster;
  if (chosen === undefined) {
    if (names.length !== 1) {
      throw new UsageError(
        `${options.configFile} lists ${names.length} clusters; say which with --cluster`,
        `Clusters: ${names.join(', ')}. E.g. --cluster ${names[0]}`,
      );
    }
    chosen = names[0]!;
  }
  const entry = clusters.find((c) => c.name === chosen);
  if (!entry) throw unknownCluster(chosen, names);
  return { adapters: await openAdapters(clusterOptionsOf(entry, options), entry.name), configured: true };
}
