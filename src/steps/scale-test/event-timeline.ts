/**
 * What the watches saw, in order, each with the time it arrived; and waiting for a fact
 * without polling: a waiter is woken by the fact that satisfies it, by its deadline, or by
 * the signal that ends the test.
 */

export type Fact =
  | { kind: 'pod-added'; pod: string; atMs: number }
  | { kind: 'pod-ready'; pod: string; ip: string; atMs: number }
  | { kind: 'pod-terminating'; pod: string; ip?: string; atMs: number }
  | { kind: 'slice-ready'; ip: string; atMs: number }
  | { kind: 'slice-unready'; ip: string; atMs: number }
  | { kind: 'destination-add'; ip: string; address: string; authority: string; atMs: number }
  | { kind: 'destination-remove'; ip: string; address: string; authority: string; atMs: number }
  | { kind: 'destination-first'; authority: string; atMs: number };

export type FactKind = Fact['kind'];
export type FactOf<K extends FactKind> = Extract<Fact, { kind: K }>;

/** Why a wait ended without its fact. */
export type WaitMiss = 'deadline' | 'aborted';

interface Waiter {
  match: (f: Fact) => boolean;
  resolve: (f: Fact | WaitMiss) => void;
}

export class EventTimeline {
  readonly facts: Fact[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly t0: number;

  constructor(private readonly clock: () => number = () => performance.now()) {
    this.t0 = clock();
  }

  /** Milliseconds since the timeline began. */
  now(): number {
    return this.clock() - this.t0;
  }

  record(fact: Fact): void {
    this.facts.push(fact);
    for (const w of [...this.waiters]) {
      if (w.match(fact)) {
        this.waiters.delete(w);
        w.resolve(fact);
      }
    }
  }

  find<K extends FactKind>(kind: K, pred: (f: FactOf<K>) => boolean = () => true): FactOf<K> | undefined {
    return this.facts.find((f): f is FactOf<K> => f.kind === kind && pred(f as FactOf<K>));
  }

  /**
   * The first fact of `kind` matching `pred` (already seen, or the next to come), or why none
   * came: its deadline (timeline ms) passed, or `signal` aborted.
   */
  waitFor<K extends FactKind>(
    kind: K,
    pred: (f: FactOf<K>) => boolean,
    deadlineMs: number,
    signal?: AbortSignal,
  ): Promise<FactOf<K> | WaitMiss> {
    const seen = this.find(kind, pred);
    if (seen) return Promise.resolve(seen);
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      const finish = (v: Fact | WaitMiss): void => {
        this.waiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(v as FactOf<K> | WaitMiss);
      };
      const onAbort = (): void => finish('aborted');
      const waiter: Waiter = {
        match: (f) => f.kind === kind && pred(f as FactOf<K>),
        resolve: finish,
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => finish('deadline'), Math.max(0, deadlineMs - this.now()));
    });
  }
}
