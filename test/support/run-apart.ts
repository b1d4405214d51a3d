/**
 * Runs tasks concurrently, at most `limit` at once, never two that conflict: a task names the
 * state it reads and the state it writes, and one that writes a key never overlaps another
 * that reads or writes it. The writer `*` conflicts with everything. Tasks start in the order
 * given (put the long serial chains first): a task that must wait lets later ones pass, but
 * not those that conflict with it, so a writer waits for the readers before it, never for a
 * stream of readers after it.
 */
export interface TaskKeys {
  reads: readonly string[];
  writes: readonly string[];
}

export interface ApartTask<T> extends TaskKeys {
  run(): Promise<T>;
}

/** The key every task conflicts with. */
export const EVERYTHING = '*';

export function conflicts(a: TaskKeys, b: TaskKeys): boolean {
  if (a.writes.includes(EVERYTHING) || b.writes.includes(EVERYTHING)) return true;
  const touches = (t: TaskKeys, key: string) => t.reads.includes(key) || t.writes.includes(key);
  return a.writes.some((k) => touches(b, k)) || b.writes.some((k) => touches(a, k));
}

/** The tasks' results, in the tasks' order; rejects with the first error once none is running. */
export function runApart<T>(tasks: ReadonlyArray<ApartTask<T>>, limit: number): Promise<T[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be >= 1, got ${limit}`);
  const results: T[] = new Array<T>(tasks.length);
  const pending = tasks.map((task, index) => ({ task, index }));
  const running = new Set<ApartTask<T>>();
  let failure: { error: unknown } | undefined;
  return new Promise<T[]>((resolve, reject) => {
    const pump = (): void => {
      if (failure === undefined) {
        const waiting: Array<ApartTask<T>> = [];
        for (let i = 0; i < pending.length && running.size < limit;) {
          const { task, index } = pending[i]!;
          if ([...running, ...waiting].some((r) => conflicts(r, task))) {
            waiting.push(task);
            i++;
            continue;
          }
          pending.splice(i, 1);
          running.add(task);
          task.run().then(
            (value) => {
              results[index] = value;
              running.delete(task);
              pump();
            },
            (error: unknown) => {
              failure ??= { error };
              running.delete(task);
              pump();
            },
          );
        }
      }
      if (running.size > 0) return;
      if (failure !== undefined) reject(failure.error);
      else resolve(results);
    };
    pump();
  });
}
