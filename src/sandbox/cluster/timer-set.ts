/** Named timers of simulated components, all cleared at once when the cluster stops. */
export interface TimerSet {
  /** Runs `fn` once after `ms`, replacing a timer of the same name. */
  after(name: string, ms: number, fn: () => void): void;
  /** Runs `fn` every `ms`, replacing a timer of the same name. */
  every(name: string, ms: number, fn: () => void): void;
  has(name: string): boolean;
  /** Cancels the named timer, and with `prefix` every timer whose name starts with it. */
  cancel(name: string, opts?: { prefix?: boolean }): void;
  clearAll(): void;
}

export function createTimerSet(onError: (err: unknown) => void): TimerSet {
  const timers = new Map<string, { t: NodeJS.Timeout; repeat: boolean }>();
  let stopped = false;

  function cancel(name: string): void {
    const entry = timers.get(name);
    if (!entry) return;
    if (entry.repeat) clearInterval(entry.t);
    else clearTimeout(entry.t);
    timers.delete(name);
  }

  function guarded(fn: () => void): () => void {
    return () => {
      if (stopped) return;
      try {
        fn();
      } catch (err) {
        onError(err);
      }
    };
  }

  return {
    after(name, ms, fn) {
      if (stopped) return;
      cancel(name);
      const run = guarded(fn);
      const t = setTimeout(() => {
        timers.delete(name);
        run();
      }, ms);
      timers.set(name, { t, repeat: false });
    },
    every(name, ms, fn) {
      if (stopped) return;
      cancel(name);
      timers.set(name, { t: setInterval(guarded(fn), ms), repeat: true });
    },
    has: (name) => timers.has(name),
    cancel(name, opts) {
      if (!opts?.prefix) return cancel(name);
      for (const n of [...timers.keys()]) if (n.startsWith(name)) cancel(n);
    },
    clearAll() {
      stopped = true;
      for (const n of [...timers.keys()]) cancel(n);
    },
  };
}
