/**
 * Decides when an informer event reaches a service's view: at once; N ms late, in order
 * (`lag`); or not at all while the service is frozen (`freeze`), in which case the service is
 * remembered and, once thawed, caught up to the current state in one step.
 *
 * Until `open()` is called (the initial lists of the informers) every event passes at once,
 * so faults given at start act on the changes after the first sync.
 */

export interface GateFaults {
  frozen(key: string): boolean;
  lagMs(key: string): number;
}

interface Queued<E> {
  at: number;
  event: E;
}

interface Queue<E> {
  items: Array<Queued<E>>;
  timer: NodeJS.Timeout | undefined;
}

export class UpdateGate<E> {
  private readonly queues = new Map<string, Queue<E>>();
  private readonly held = new Set<string>();
  private opened = false;
  private closed = false;

  constructor(
    private readonly faults: GateFaults,
    private readonly apply: (key: string, event: E) => void,
    /** Brings `key`'s view to the current state (after a freeze). */
    private readonly catchUp: (key: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** From now on faults apply. */
  open(): void {
    this.opened = true;
  }

  push(key: string, event: E): void {
    if (this.closed) return;
    if (!this.opened) {
      this.apply(key, event);
      return;
    }
    if (this.faults.frozen(key)) {
      this.held.add(key);
      return;
    }
    const queue = this.queues.get(key);
    if (!queue && this.faults.lagMs(key) <= 0) {
      this.apply(key, event);
      return;
    }
    const q = queue ?? { items: [], timer: undefined };
    q.items.push({ at: this.now(), event });
    this.queues.set(key, q);
    if (q.items.length === 1) this.schedule(key, q);
  }

  /** Services held by a freeze (for tests and the admin API). */
  heldKeys(): string[] {
    return [...this.held];
  }

  /** Pending lagged events of `key`. */
  pending(key: string): number {
    return this.queues.get(key)?.items.length ?? 0;
  }

  /** Re-reads the faults: catches thawed services up, re-times lag queues. */
  refresh(): void {
    if (this.closed) return;
    for (const key of [...this.held]) {
      if (this.faults.frozen(key)) continue;
      this.held.delete(key);
      this.dropQueue(key);
      this.catchUp(key);
    }
    for (const [key, q] of [...this.queues]) this.drain(key, q);
  }

  close(): void {
    this.closed = true;
    for (const key of [...this.queues.keys()]) this.dropQueue(key);
    this.held.clear();
  }

  private dropQueue(key: string): void {
    const q = this.queues.get(key);
    if (q?.timer) clearTimeout(q.timer);
    this.queues.delete(key);
  }

  private schedule(key: string, q: Queue<E>): void {
    if (q.timer) clearTimeout(q.timer);
    q.timer = undefined;
    const head = q.items[0];
    if (!head) return;
    const delay = Math.max(0, head.at + this.faults.lagMs(key) - this.now());
    q.timer = setTimeout(() => {
      q.timer = undefined;
      this.drain(key, q);
    }, delay);
    q.timer.unref();
  }

  private drain(key: string, q: Queue<E>): void {
    if (this.closed || this.queues.get(key) !== q) return;
    const lag = this.faults.lagMs(key);
    const now = this.now();
    while (q.items.length > 0) {
      const head = q.items[0];
      if (!head || head.at + lag > now) break;
      q.items.shift();
      if (this.faults.frozen(key)) {
        // Frozen while queued: the catch-up after the thaw covers this event.
        this.held.add(key);
        continue;
      }
      this.apply(key, head.event);
      if (this.queues.get(key) !== q) return; // apply dropped the queue (closed)
    }
    if (q.items.length === 0) {
      if (q.timer) clearTimeout(q.timer);
      this.queues.delete(key);
    } else {
      this.schedule(key, q);
    }
  }
}
