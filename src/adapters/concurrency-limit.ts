/**
 * A counting semaphore: at most `max` tasks run at once; the rest wait in order.
 * Adapters use it to bound the load one step puts on the API server or the destination.
 */
export interface ConcurrencyLimit {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Takes a slot for work that outlives one call (a stream); the function gives it back (once). */
  acquire(): Promise<() => void>;
}

export function createConcurrencyLimit(max: number): ConcurrencyLimit {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency limit must be >= 1, got ${max}`);
  let active = 0;
  const waiting: Array<() => void> = [];
  const acquire = async (): Promise<void> => {
    if (active < max) {
      active++;
      return;
    }
    // The releasing task hands its slot over, so `active` stays as it is.
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
    async acquire() {
      await acquire();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
  };
}
