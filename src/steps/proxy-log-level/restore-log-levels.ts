/**
 * Putting pods back from a record: each recorded pod still running gets its original filter
 * again (PUT /proxy-log-level); a pod gone since needs nothing; a pod that appeared since was
 * never changed and is left at its default, and said so. Then the record is removed, only as
 * read (resourceVersion precondition): a newer change's record is never touched. Shared by the
 * run's end (expiry, Stop, shutdown) and by crash recovery.
 */
import type { WorkloadRef } from '../../adapters/kube/workload-scaling.js';
import { createConcurrencyLimit } from '../../adapters/concurrency-limit.js';
import { describeError, MeshbotError } from '../../errors.js';
import { decodeRecord, LOG_LEVEL_ANNOTATION, type LogLevelRecord } from './log-level-record.js';
import { runningPodsOf, type ProxyLogLevelAdapters } from './plan-proxy-log-level.js';

export interface PodRestore {
  pod: string;
  original: string;
  /** `replaced`: another change's record took the workload's place; its pods were left to it. */
  outcome: 'restored' | 'gone' | 'failed' | 'replaced';
  error?: string;
}

export interface RestoreOutcome {
  pods: PodRestore[];
  /** Pods running now that the record does not name, with their filter (left as they are). */
  newPods: Array<{ pod: string; level?: string; error?: string }>;
  /** Whether the record was removed here (false: already gone, or no longer this change's). */
  recordRemoved: boolean;
}

/** Removes record `id` from the workload, only as read; false when it is not that record any more. */
export async function removeLogLevelRecord(
  adapters: Pick<ProxyLogLevelAdapters, 'scaling'>,
  ref: WorkloadRef,
  id: string,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const current = await adapters.scaling.getWorkload(ref);
    if (!current || decodeRecord(current.annotations[LOG_LEVEL_ANNOTATION])?.id !== id) return false;
    try {
      await adapters.scaling.setAnnotation(ref, LOG_LEVEL_ANNOTATION, null, current.resourceVersion);
      return true;
    } catch (err) {
      if (!(err instanceof MeshbotError && err.kind === 'conflict') || attempt >= 5) throw err;
    }
  }
}

export async function restoreLogLevels(
  adapters: ProxyLogLevelAdapters,
  ref: WorkloadRef,
  record: LogLevelRecord,
): Promise<RestoreOutcome> {
  const workload = await adapters.scaling.getWorkload(ref);
  const running = new Set(workload ? await runningPodsOf(adapters, workload) : []);
  const limit = createConcurrencyLimit(4);
  const pods = await Promise.all(
    record.pods.map((p) =>
      limit.run(async (): Promise<PodRestore> => {
        if (!running.has(p.pod)) return { ...p, outcome: 'gone' };
        try {
          await adapters.proxyAdmin.setLogLevel(ref.namespace, p.pod, p.original);
          return { ...p, outcome: 'restored' };
        } catch (err) {
          return { ...p, outcome: 'failed', error: describeError(err).message };
        }
      }),
    ),
  );
  const known = new Set(record.pods.map((p) => p.pod));
  const newPods = await Promise.all(
    [...running]
      .filter((p) => !known.has(p))
      .map((pod) =>
        limit.run(async () => {
          try {
            return { pod, level: await adapters.proxyAdmin.getLogLevel(ref.namespace, pod) };
          } catch (err) {
            return { pod, error: describeError(err).message };
          }
        }),
      ),
  );
  // A pod that could not be put back keeps the record, so the next sweep tries again.
  const recordRemoved = pods.some((p) => p.outcome === 'failed')
    ? false
    : await removeLogLevelRecord(adapters, ref, record.id);
  return { pods, newPods, recordRemoved };
}
