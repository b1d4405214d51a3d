import { UsageError } from '../errors.js';
import { didYouMean } from '../grammar/did-you-mean.js';
import type { ClusterOptions } from './cluster-options.js';
import { DEFAULT_CLUSTER, openAdapters, type Adapters } from './open-adapters.js';

/**
 * The adapter sets of a process, keyed by cluster name, each opened on first use and shared
 * by every command after (one gRPC channel, one port-forward, one Kubernetes concurrency
 * limit per cluster). A failed open is retried by the next `get`. One cluster today
 * ("default", or the kube context's name); steps never see the pool, only the set they get.
 */
export interface AdapterPool {
  /** The clusters it serves, the default first. */
  readonly clusters: readonly string[];
  /**
   * Whether the clusters come from a `clusters:` section (results then say their cluster);
   * false for the one cluster of flags and environment, which behaves as before.
   */
  readonly configured: boolean;
  /** The adapter set of `cluster` (default: the first). */
  get(cluster?: string): Promise<Adapters>;
  /** Closes every set opened (streams, channels, port-forwards); a later `get` opens again. */
  close(): Promise<void>;
}

export type OpenAdapters = (options: ClusterOptions, cluster: string) => Promise<Adapters>;

export function createAdapterPool(
  clusters: Readonly<Record<string, ClusterOptions>>,
  open: OpenAdapters = openAdapters,
  configured = false,
): AdapterPool {
  const names = Object.keys(clusters);
  if (names.length === 0) throw new UsageError('no cluster to serve');
  const sets = new Map<string, Promise<Adapters>>();
  return {
    clusters: names,
    configured,
    get(cluster = names[0]!) {
      const options = clusters[cluster];
      if (!options) throw unknownCluster(cluster, names);
      let set = sets.get(cluster);
      if (!set) {
        set = open(options, cluster);
        sets.set(cluster, set);
        set.catch(() => {
          if (sets.get(cluster) === set) sets.delete(cluster);
        });
      }
      return set;
    },
    async close() {
      const open = [...sets.values()];
      sets.clear();
      await Promise.all(
        open.map((s) =>
          s.then(
            (a) => a.close(),
            () => undefined,
          ),
        ),
      );
    },
  };
}

/** The pool of one cluster, named after its kube context when one is given, else "default". */
export function singleClusterPool(options: ClusterOptions, open?: OpenAdapters): AdapterPool {
  return createAdapterPool({ [options.context ?? DEFAULT_CLUSTER]: options }, open);
}

/** The answer to a cluster name meshbot does not serve: a did-you-mean and the list. */
export function unknownCluster(name: string, names: readonly string[]): UsageError {
  const guess = didYouMean(name, names);
  return new UsageError(
    `unknown cluster "${name}"${guess ? `; did you mean "${guess}"?` : ''}`,
    `Clusters: ${names.join(', ')}. List them with: clusters`,
  );
}
