/**
 * Recovery as a loop, as `serve` runs it: a sweep at once, then one every `intervalMs`, one at a
 * time (the next is timed from the end of the last), until stopped. With heartbeats (a running
 * test renews its record every 3 s, stale after three missed), a test whose process died is
 * put back within about three heartbeats plus one interval, by whichever replica sweeps first.
 */
import type { RecoveryReport } from './recover-interrupted-scale-tests.js';

/** Default time between two sweeps: with 9 s to go stale, replicas are back within ~15 s. */
export const RECOVERY_SWEEP_MS = 5000;

export interface RecoverySweeps {
  /** Stops the loop: aborts a sweep in flight and waits for it to end. */
  stop(): Promise<void>;
}

export function startRecoverySweeps<Report = RecoveryReport>(
  sweep: (signal: AbortSignal) => Promise<Report>,
  options: {
    intervalMs?: number;
    /** Told when a sweep as a whole fails (the next one tries again). */
    onError(err: unknown): void;
    /** Told after each sweep, with its report. */
    onSweep?(report: Report): void;
  },
): RecoverySweeps {
  const intervalMs = options.intervalMs ?? RECOVERY_SWEEP_MS;
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const run = (): void => {
    timer = undefined;
    if (stopping.signal.aborted) return;
    inFlight = (async () => {
      try {
        options.onSweep?.(await sweep(stopping.signal));
      } catch (err) {
        options.onError(err);
      }
      if (!stopping.signal.aborted) timer = setTimeout(run, intervalMs);
    })();
  };
  run();
  return {
    async stop() {
      stopping.abort();
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
