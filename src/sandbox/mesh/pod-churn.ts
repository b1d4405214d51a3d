/**
 * Steady pod churn for the destination-overload scenarios: every `60000 / podsPerMinute` ms the
 * oldest running pod of a workload is deleted (gracefully, as `kubectl delete pod` does) and its
 * controller replaces it. Each change reaches every subscriber of the workload's services.
 */
import { POD } from '../cluster/kube-refs.js';
import { createTimerSet } from '../cluster/timer-set.js';
import type { ObjectStore } from '../kube/store-types.js';

export interface ChurnSpec {
  namespace: string;
  /** The workload's pod labels (its selector). */
  labels: Record<string, string>;
  podsPerMinute: number;
}

export interface RunningChurn {
  /** Pods deleted so far. */
  deleted(): number;
  stop(): void;
}

export function startPodChurn(
  store: ObjectStore,
  specs: ChurnSpec[],
  onError: (err: unknown) => void = () => undefined,
): RunningChurn {
  const timers = createTimerSet(onError);
  let deleted = 0;
  specs.forEach((spec, i) => {
    const labelSelector = Object.entries(spec.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    timers.every(`churn/${i}`, Math.max(1, Math.round(60_000 / spec.podsPerMinute)), () => {
      const { items } = store.listStored(POD, { namespace: spec.namespace, labelSelector });
      let oldest: (typeof items)[number] | undefined;
      for (const p of items) {
        if (p.metadata.deletionTimestamp) continue;
        if ((p.status as { phase?: string } | undefined)?.phase !== 'Running') continue;
        if (!oldest || (p.metadata.creationTimestamp ?? '') < (oldest.metadata.creationTimestamp ?? ''))
          oldest = p;
      }
      if (!oldest) return;
      store.delete(POD, spec.namespace, oldest.metadata.name);
      deleted += 1;
    });
  });
  return { deleted: () => deleted, stop: () => timers.clearAll() };
}
