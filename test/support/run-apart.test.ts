import { conflicts, runApart, type ApartTask } from './run-apart.js';

/** Tasks the test finishes by hand, recording when each starts. */
function harness() {
  const started: string[] = [];
  const finishers = new Map<string, (fail?: Error) => void>();
  const task = (name: string, reads: string[], writes: string[]): ApartTask<string> => ({
    reads,
    writes,
    run: () =>
      new Promise<string>((resolve, reject) => {
        started.push(name);
        finishers.set(name, (fail) => (fail ? reject(fail) : resolve(name)));
      }),
  });
  /** Finishes a running task, then lets the scheduler start what it may. */
  const finish = async (name: string, fail?: Error) => {
    finishers.get(name)!(fail);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { started, task, finish };
}

describe('runApart', () => {
  it('says which tasks conflict: a writer with whatever touches its keys, * with everything', () => {
    expect(conflicts({ reads: ['a'], writes: [] }, { reads: ['a'], writes: [] })).toBe(false);
    expect(conflicts({ reads: ['a'], writes: [] }, { reads: [], writes: ['a'] })).toBe(true);
    expect(conflicts({ reads: [], writes: ['a'] }, { reads: [], writes: ['a'] })).toBe(true);
    expect(conflicts({ reads: [], writes: ['a'] }, { reads: ['b'], writes: ['c'] })).toBe(false);
    expect(conflicts({ reads: [], writes: ['*'] }, { reads: [], writes: [] })).toBe(true);
  });

  it('runs at most `limit` at once, never two that conflict, and returns results in order', async () => {
    const { started, task, finish } = harness();
    const done = runApart(
      [
        task('w1', [], ['web']),
        task('w2', [], ['web']),
        task('r1', ['db'], []),
        task('r2', ['db'], []),
        task('r3', ['db'], []),
      ],
      2,
    );
    await Promise.resolve();
    expect(started).toEqual(['w1', 'r1']);
    await finish('w1');
    expect(started).toEqual(['w1', 'r1', 'w2']);
    await finish('r1');
    await finish('w2');
    expect(started).toEqual(['w1', 'r1', 'w2', 'r2', 'r3']);
    await finish('r2');
    await finish('r3');
    await expect(done).resolves.toEqual(['w1', 'w2', 'r1', 'r2', 'r3']);
  });

  it('lets a waiting writer go before the readers after it (no starvation)', async () => {
    const { started, task, finish } = harness();
    const done = runApart(
      [task('r1', ['web'], []), task('w', [], ['web']), task('r2', ['web'], []), task('x', ['db'], [])],
      4,
    );
    await Promise.resolve();
    // r2 would not conflict with r1, but it must not pass the writer waiting for r1.
    expect(started).toEqual(['r1', 'x']);
    await finish('r1');
    expect(started).toEqual(['r1', 'x', 'w']);
    await finish('w');
    expect(started).toEqual(['r1', 'x', 'w', 'r2']);
    await finish('r2');
    await finish('x');
    await done;
  });

  it('starts nothing more after a failure, and rejects with it once the running tasks end', async () => {
    const { started, task, finish } = harness();
    const done = runApart([task('a', [], []), task('b', [], []), task('c', [], [])], 2);
    const outcome = done.then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await Promise.resolve();
    await finish('a', new Error('a broke'));
    expect(started).toEqual(['a', 'b']);
    await finish('b');
    await expect(outcome).resolves.toBe('a broke');
  });
});
