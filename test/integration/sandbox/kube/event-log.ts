/**
 * Collects events from callbacks (watches, informers, streams) and lets a test wait for one
 * that matches, instead of sleeping. A wait fails after a deadline with what was seen.
 */
export class EventLog<T> {
  readonly items: T[] = [];
  private waiters: Array<{ match: (item: T) => boolean; resolve: (item: T) => void }> = [];

  push = (item: T): void => {
    this.items.push(item);
    for (const w of [...this.waiters]) {
      if (w.match(item)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(item);
      }
    }
  };

  /** Resolves with the first item (already seen or to come) that matches. */
  waitFor(match: (item: T) => boolean, what: string, timeoutMs = 5000): Promise<T> {
    const seen = this.items.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x.resolve !== done);
        reject(new Error(`timed out waiting for ${what}; saw ${JSON.stringify(this.items).slice(0, 2000)}`));
      }, timeoutMs);
      const done = (item: T): void => {
        clearTimeout(timer);
        resolve(item);
      };
      this.waiters.push({ match, resolve: done });
    });
  }
}
