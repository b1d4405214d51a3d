/**
 * The scale-test records as they change: Deployments and StatefulSets (from a workload
 * reflector, shared or its own) of the namespaces where scale tests may run (recovery's scope),
 * each told as when its record goes stale (`staleAt`: heartbeat plus three intervals, or the
 * test's limit), 0 for an unreadable record (the next sweep removes it), or undefined when it
 * carries none (or lies outside the scope). For recovery-sweeps.ts.
 */
import type { WorkloadReflector } from '../../adapters/kube/workload-reflector.js';
import type { KubeWorkload } from '../../adapters/kube/workload-scaling.js';
import { staleAfterMs } from './check-scale-safety.js';
import { resolveSettings, type ScaleTestAdapters } from './plan-scale-test.js';
import type { RecordHandlers } from './recovery-sweeps.js';
import { decodeAnnotation, SCALE_TEST_ANNOTATION, staleAt } from './scale-test-annotation.js';
import { scaleTestNamespaces } from './scale-test-namespaces.js';
import type { ScaleTestSettings } from './scale-test-types.js';
import { watchWorkloadRecords } from './watch-workload-records.js';

export function scaleTestStaleAt(
  partial?: Partial<ScaleTestSettings>,
): (workload: KubeWorkload) => number | undefined {
  const settings = resolveSettings(partial);
  const fallback = staleAfterMs(settings);
  const allowed = scaleTestNamespaces(settings);
  return (w) => {
    if (allowed !== 'all' && !allowed.includes(w.namespace)) return undefined;
    const raw = w.annotations[SCALE_TEST_ANNOTATION];
    if (raw === undefined) return undefined;
    const record = decodeAnnotation(raw);
    const at = record ? staleAt(record, fallback) : 0;
    return Number.isNaN(at) ? 0 : at;
  };
}

export async function watchScaleTestRecords(
  adapters: ScaleTestAdapters,
  handlers: RecordHandlers,
  partial?: Partial<ScaleTestSettings>,
  reflector?: WorkloadReflector,
): Promise<{ close(): void }> {
  return watchWorkloadRecords({ scaling: adapters.scaling, reflector }, scaleTestStaleAt(partial), handlers);
}
