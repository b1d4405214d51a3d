import { createConcurrencyLimit } from '../../../src/adapters/concurrency-limit.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('createConcurrencyLimit', () => {
  it('never runs more than the limit at once, and runs everything in order', async () => {
    const limit = createConcurrencyLimit(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const tasks = Array.from({ length: 6 }, (_, i) =>
      limit.run(async () => {
        started.push(i);
        active++;
        peak = Math.max(peak, active);
        await tick();
        active--;
        return i;
      }),
    );
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('releases its slot when a task fails', async () => {
    const limit = createConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('lends a slot to long-lived work (a stream) until it is given back, once', async () => {
    const limit = createConcurrencyLimit(1);
    const release = await limit.acquire();
    let ran = false;
    const waiting = limit.run(async () => {
      ran = true;
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(ran).toBe(false);
    release();
    release();
    await waiting;
    expect(ran).toBe(true);
    const again = await limit.acquire();
    again();
  });
});
