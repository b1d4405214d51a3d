/**
 * Records kept in annotations of Deployments and StatefulSets (the scale test's, proxy-log-level's),
 * told to the recovery loop (recovery-sweeps.ts) as when each goes stale, from a workload
 * reflector: a shared one (`serve` watches each cluster once for every kind of record), or one
 * of its own, closed with the watch. Several clusters: keys are prefixed with the cluster's name.
 */
import {
  startWorkloadReflector,
  workloadKey,
  type WorkloadReflector,
} from '../../adapters/kube/workload-reflector.js';
import type { KubeWorkload, WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import type { RecordHandlers } from './recovery-sweeps.js';

export function watchWorkloadRecords(
  source: { scaling: Pick<WorkloadScaling, 'watchWorkloads'>; reflector?: WorkloadReflector | undefined },
  /** When a workload's record goes stale (ms since epoch; 0 = now), undefined when it has none. */
  staleAtOf: (workload: KubeWorkload) => number | undefined,
  handlers: RecordHandlers,
): { close(): void } {
  const own = source.reflector
    ? undefined
    : startWorkloadReflector(source.scaling, {
        onError: (err) => handlers.onError?.(err),
      });
  const reflector = source.reflector ?? own!;
  const unsubscribe = reflector.subscribe({
    onUpsert: (w) => handlers.onRecord(workloadKey(w), staleAtOf(w)),
    onDelete: (w) => handlers.onRecord(workloadKey(w), undefined),
  });
  return {
    close() {
      unsubscribe();
      own?.close();
    },
  };
}

/** The same records watched in each cluster, keys prefixed `cluster:` when there are several. */
export async function watchRecordsInClusters(
  clusters: ReadonlyArray<string | undefined>,
  open: (cluster: string | undefined, handlers: RecordHandlers) => Promise<{ close(): void }>,
  handlers: RecordHandlers,
): Promise<{ close(): void }> {
  const opened: Array<{ close(): void }> = [];
  const closeAll = (): void => {
    for (const w of opened.splice(0)) w.close();
  };
  try {
    for (const cluster of clusters) {
      const prefix = clusters.length > 1 ? `${cluster ?? ''}:` : '';
      opened.push(
        await open(cluster, {
          ...handlers,
          onRecord: (key, staleAt) => handlers.onRecord(prefix + key, staleAt),
        }),
      );
    }
  } catch (err) {
    closeAll();
    throw err;
  }
  return { close: closeAll };
}
