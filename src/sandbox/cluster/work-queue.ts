/**
 * A deduplicating work queue, as client-go's: watch handlers add keys, one drain per
 * macrotask processes each key once. Handlers never write to the store from inside a
 * watch callback, and a burst of events for one object costs one sync.
 */
export interface WorkQueue {
  add(key: string): void;
  /** Adds the key after `ms` (a timer cleared by stop()). */
  addAfter(key: string, ms: number): void;
  /** Resolves once no key is pending or being processed. */
  idle(): Promise<void>;
  stop(): void;
}

export function createWorkQueue(
  sync: (key: string) => void,
  onError: (err: unknown, key: string) => void,
): WorkQueue {
  let pending = new Set<string>();
  let scheduled: NodeJS.Immediate | undefined;
  const delayed = new Set<NodeJS.Timeout>();
  let stopped = false;
  let waiters: Array<() => void> = [];
  const wakeIfIdle = (): void => {
    if (pending.size > 0 || scheduled || waiters.length === 0) return;
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  };

  function drain(): void {
    scheduled = undefined;
    const batch = pending;
    pending = new Set();
    for (const key of batch) {
      if (stopped) return;
      try {
        sync(key);
      } catch (err) {
        onError(err, key);
      }
    }
    wakeIfIdle();
  }

  function add(key: string): void {
    if (stopped) return;
    pending.add(key);
    if (!scheduled) scheduled = setImmediate(drain);
  }

  return {
    add,
    addAfter(key, ms) {
      if (stopped) return;
      const t = setTimeout(() => {
        delayed.delete(t);
        add(key);
      }, ms);
      delayed.add(t);
    },
    idle() {
      if (stopped || (pending.size === 0 && !scheduled)) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    stop() {
      stopped = true;
      const w = waiters;
      waiters = [];
      for (const fn of w) fn();
      if (scheduled) clearImmediate(scheduled);
      scheduled = undefined;
      for (const t of delayed) clearTimeout(t);
      delayed.clear();
      pending.clear();
    },
  };
}
