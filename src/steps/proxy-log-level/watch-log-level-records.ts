/**
 * The proxy-log-level records as they change, for `serve`'s recovery loop (recovery-sweeps.ts):
 * every Deployment and StatefulSet carrying `meshbot.io/proxy-log-level`, told as when its
 * record goes stale (its holder's heartbeat three intervals old, or its expiry and a margin: the
 * moment recovery may put its pods back), from a workload reflector: the one the scale test's
 * records are watched on in `serve`, or one of its own. An unreadable record is told as none
 * (recovery leaves it alone).
 */
import type { WorkloadReflector } from '../../adapters/kube/workload-reflector.js';
import type { KubeWorkload, WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import type { RecordHandlers } from '../scale-test/recovery-sweeps.js';
import { watchWorkloadRecords } from '../scale-test/watch-workload-records.js';
import { decodeRecord, LOG_LEVEL_ANNOTATION, staleAt } from './log-level-record.js';

export function logLevelStaleAt(w: KubeWorkload): number | undefined {
  const record = decodeRecord(w.annotations[LOG_LEVEL_ANNOTATION]);
  if (!record) return undefined;
  const at = staleAt(record);
  return Number.isNaN(at) ? 0 : at;
}

export function watchLogLevelRecords(
  adapters: { scaling: Pick<WorkloadScaling, 'watchWorkloads'> },
  handlers: RecordHandlers,
  reflector?: WorkloadReflector,
): { close(): void } {
  return watchWorkloadRecords({ scaling: adapters.scaling, reflector }, logLevelStaleAt, handlers);
}
