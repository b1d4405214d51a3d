/**
 * A running change's proof of life (the scale test's, the proxy log level's): every few seconds it renews `heartbeatAt` in its own
 * record on the workload, so any replica of meshbot can tell a dead test (heartbeat older than
 * three intervals) from one running elsewhere, and put the replicas back at once.
 *
 * Each renewal re-reads the workload and patches with that resourceVersion: a record changed
 * meanwhile (removed by the test's end, restored by recovery, a newer test) is never
 * overwritten. A conflict waits for the next beat; a record that is no longer this test's ends
 * the heartbeat.
 */
import type { WorkloadRef, WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import { MeshbotError } from '../../errors.js';
import {
  decodeAnnotation,
  encodeAnnotation,
  HEARTBEAT_MS,
  SCALE_TEST_ANNOTATION,
} from './scale-test-annotation.js';

export interface ScaleTestHeartbeat {
  /** Stops renewing and waits for a renewal in flight, so nothing is written after it returns. */
  stop(): Promise<void>;
}

/**
 * The record a heartbeat renews: its annotation, how to tell whose it is, and how to stamp a new
 * beat in it. The scale test's by default; the proxy log level has its own.
 */
export interface HeartbeatRecord {
  annotation: string;
  /** The id of the record in `raw`, or undefined when it is not one meshbot wrote. */
  idOf(raw: string | undefined): string | undefined;
  /** `raw` with `heartbeatAt` and `heartbeatMs` renewed. */
  renew(raw: string, at: Date, intervalMs: number): string;
}

export const SCALE_TEST_RECORD: HeartbeatRecord = {
  annotation: SCALE_TEST_ANNOTATION,
  idOf: (raw) => decodeAnnotation(raw)?.testId,
  renew: (raw, at, intervalMs) =>
    encodeAnnotation({ ...decodeAnnotation(raw)!, heartbeatAt: at.toISOString(), heartbeatMs: intervalMs }),
};

export interface HeartbeatOptions {
  /** The record renewed; default the scale test's. */
  record?: HeartbeatRecord;
  intervalMs?: number;
  /** Told when a renewal fails for another reason than a conflict (the next beat tries again). */
  onError?: (err: unknown) => void;
  /**
   * Told once when the record is no longer this change's (removed by a Stop on another replica
   * or by recovery, or replaced): the heartbeat has ended.
   */
  onLost?: () => void;
  now?: () => number;
}

/** Renews the record once; false when the record is no longer this test's. */
export async function renewHeartbeat(
  scaling: Pick<WorkloadScaling, 'getWorkload' | 'setAnnotation'>,
  ref: WorkloadRef,
  testId: string,
  at: Date,
  intervalMs: number = HEARTBEAT_MS,
  record: HeartbeatRecord = SCALE_TEST_RECORD,
): Promise<boolean> {
  const current = await scaling.getWorkload(ref);
  const raw = current?.annotations[record.annotation];
  if (!current || raw === undefined || record.idOf(raw) !== testId) return false;
  try {
    await scaling.setAnnotation(
      ref,
      record.annotation,
      record.renew(raw, at, intervalMs),
      current.resourceVersion,
    );
  } catch (err) {
    if (err instanceof MeshbotError && err.kind === 'conflict') return true;
    throw err;
  }
  return true;
}

export function startHeartbeat(
  scaling: Pick<WorkloadScaling, 'getWorkload' | 'setAnnotation'>,
  ref: WorkloadRef,
  testId: string,
  options: HeartbeatOptions = {},
): ScaleTestHeartbeat {
  const intervalMs = options.intervalMs ?? HEARTBEAT_MS;
  const now = options.now ?? Date.now;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const beat = (): void => {
    timer = undefined;
    if (stopped) return;
    inFlight = renewHeartbeat(scaling, ref, testId, new Date(now()), intervalMs, options.record).then(
      (mine) => {
        if (mine && !stopped) timer = setTimeout(beat, intervalMs);
        else if (!mine && !stopped) options.onLost?.();
      },
      (err: unknown) => {
        options.onError?.(err);
        if (!stopped) timer = setTimeout(beat, intervalMs);
      },
    );
  };
  timer = setTimeout(beat, intervalMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
