/**
 * Recovery as `serve` runs it, driven by watches: a sweep at once; then records kept on
 * Deployments and StatefulSets (the scale test's `meshbot.io/scale-test`, proxy-log-level's
 * `meshbot.io/proxy-log-level`: one loop for each, both fed by one workload reflector per
 * cluster, workload-reflector.ts) are watched, and a sweep runs when the earliest record goes
 * stale (a timer re-armed by every change the watch sees), so a change whose process died is
 * put back about three heartbeats after its last one, by whichever replica sees it first.
 * Bounded without the watch too: a sweep at least every `resyncMs`. The reflector resumes,
 * relists and backs off by itself; a record watch that ends anyway is opened again (at once when
 * the server closed it, else after a growing pause) with a sweep. One sweep at a time.
 */
import type { RecoveryReport } from './recover-interrupted-scale-tests.js';

/** A sweep at least this often, whatever the watches say. */
export const RECOVERY_RESYNC_MS = 60_000;
/** Pauses before opening a failed watch again: 1 s, doubling, at most 30 s. */
const REOPEN_MIN_MS = 1000;
const REOPEN_MAX_MS = 30_000;
/** A sweep this long after a record's stale time, so the sweep's own clock sees it stale. */
const STALE_SLACK_MS = 50;

export interface RecordHandlers {
  /** A workload's record: when it goes stale (ms since epoch; 0 = now), or undefined when it has none. */
  onRecord(key: string, staleAt: number | undefined): void;
  /** The watches ended (error, or undefined when the server closed them). */
  onEnd(err: Error | undefined): void;
  /** A watch failed and is being opened again by its reflector (the loop only tells it). */
  onError?(err: unknown): void;
}

export interface RecoverySweeps {
  /** Stops the loop: closes the watches, aborts a sweep in flight and waits for it to end. */
  stop(): Promise<void>;
}

export function startRecoverySweeps<Report = RecoveryReport>(
  sweep: (signal: AbortSignal) => Promise<Report>,
  options: {
    /** Opens the watches of the scale-test records; without it, a sweep every `resyncMs`. */
    watchRecords?(handlers: RecordHandlers): Promise<{ close(): void }>;
    resyncMs?: number;
    /** Told when a sweep as a whole, or opening the watches, fails (tried again). */
    onError(err: unknown): void;
    /** Told after each sweep, with its report. */
    onSweep?(report: Report): void;
    now?: () => number;
  },
): RecoverySweeps {
  const resyncMs = options.resyncMs ?? RECOVERY_RESYNC_MS;
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  const staleAt = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let reopenTimer: NodeJS.Timeout | undefined;
  let lastSweepAt = now();
  let sweeping: Promise<void> | undefined;
  let again = false;
  let watch: { close(): void } | undefined;
  let reopenMs = REOPEN_MIN_MS;
  /** Which opening of the watches is current (events of an older one are ignored). */
  let generation = 0;

  /** Next sweep: the earliest stale time, or the resync deadline. */
  const arm = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (stopping.signal.aborted || sweeping) return;
    let at = lastSweepAt + resyncMs;
    for (const t of staleAt.values()) at = Math.min(at, t + STALE_SLACK_MS);
    timer = setTimeout(runSweep, Math.max(0, at - now()));
  };

  function runSweep(): void {
    if (stopping.signal.aborted) return;
    if (sweeping) {
      again = true;
      return;
    }
    clearTimeout(timer);
    sweeping = (async () => {
      try {
        const report = await sweep(stopping.signal);
        options.onSweep?.(report);
      } catch (err) {
        options.onError(err);
      }
      lastSweepAt = now();
      // A record the sweep left (fresh, or failed to restore) keeps its time only if still ahead.
      for (const [k, t] of staleAt) if (t + STALE_SLACK_MS <= lastSweepAt) staleAt.delete(k);
    })();
    void sweeping.then(() => {
      sweeping = undefined;
      if (again) {
        again = false;
        runSweep();
      } else arm();
    });
  }

  async function open(): Promise<void> {
    if (!options.watchRecords || stopping.signal.aborted) return;
    const gen = ++generation;
    staleAt.clear();
    try {
      const w = await options.watchRecords({
        onRecord(key, at) {
          if (gen !== generation) return;
          if (at === undefined) staleAt.delete(key);
          else staleAt.set(key, at);
          arm();
        },
        onError(err) {
          if (gen === generation) options.onError(err);
        },
        onEnd(err) {
          if (gen !== generation) return;
          generation++;
          watch?.close();
          watch = undefined;
          if (err) options.onError(err);
          const pause = err ? reopenMs : 0;
          reopenMs = err ? Math.min(reopenMs * 2, REOPEN_MAX_MS) : REOPEN_MIN_MS;
          reopenTimer = setTimeout(() => void open().then(runSweep), pause);
        },
      });
      if (stopping.signal.aborted || gen !== generation) {
        w.close();
        return;
      }
      watch = w;
      reopenMs = REOPEN_MIN_MS;
      arm();
    } catch (err) {
      options.onError(err);
      reopenTimer = setTimeout(() => void open(), reopenMs);
      reopenMs = Math.min(reopenMs * 2, REOPEN_MAX_MS);
    }
  }

  runSweep();
  void open();
  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      clearTimeout(reopenTimer);
      watch?.close();
      watch = undefined;
      await sweeping;
    },
  };
}
