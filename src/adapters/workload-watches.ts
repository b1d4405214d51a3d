import type { AdapterPool } from './adapter-pool.js';
import { startWorkloadReflector, type WorkloadReflector } from './kube/workload-reflector.js';

/**
 * One reflector of Deployments and StatefulSets (every namespace) per cluster of the pool,
 * started on first use and shared by whoever watches records on them (`serve`'s scale-test and
 * proxy-log-level recoveries): one watch per kind and cluster instead of one per feature.
 * `close()` ends them all.
 */
export interface WorkloadWatches {
  /** The reflector of `cluster` (default: the pool's first). */
  of(cluster?: string): Promise<WorkloadReflector>;
  close(): void;
}

export function createWorkloadWatches(
  pool: Pick<AdapterPool, 'get'>,
  onError: (cluster: string, err: unknown) => void,
): WorkloadWatches {
  const started = new Map<string, Promise<WorkloadReflector>>();
  let closed = false;
  return {
    of(cluster) {
      const key = cluster ?? '';
      let r = started.get(key);
      if (!r) {
        r = pool.get(cluster).then((adapters) => {
          if (closed) throw new Error('the workload watches are closed');
          return startWorkloadReflector(adapters.scaling, {
            onError: (err) => onError(adapters.cluster, err),
          });
        });
        started.set(key, r);
        // A cluster that could not be opened is tried again by the next caller.
        r.catch(() => {
          if (started.get(key) === r) started.delete(key);
        });
      }
      return r;
    },
    close() {
      closed = true;
      for (const r of started.values()) void r.then((x) => x.close()).catch(() => undefined);
      started.clear();
    },
  };
}
