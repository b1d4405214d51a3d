import type { RecoveryReport } from '../../../../src/steps/scale-test/recover-interrupted-scale-tests.js';
import {
  startRecoverySweeps,
  type RecordHandlers,
} from '../../../../src/steps/scale-test/recovery-sweeps.js';

const empty = (): RecoveryReport => ({ restored: [], running: [], unreadable: [], failed: [] });

/** A recovery loop over a hand-driven record watch; each sweep resolves a waiter. */
function rig() {
  const sweeps: number[] = [];
  const waiters: Array<() => void> = [];
  const opened: RecordHandlers[] = [];
  const openWaiters: Array<{ n: number; resolve: () => void }> = [];
  const closed: number[] = [];
  const loop = startRecoverySweeps(
    async () => {
      sweeps.push(Date.now());
      waiters.splice(0).forEach((w) => w());
      return empty();
    },
    {
      watchRecords: async (handlers) => {
        const n = opened.push(handlers);
        for (const w of openWaiters.filter((x) => x.n <= n)) w.resolve();
        return { close: () => void closed.push(n) };
      },
      onError: () => undefined,
    },
  );
  const nextSweep = () => new Promise<void>((r) => waiters.push(r));
  /** Resolves once the watches have been opened `n` times. */
  const opens = (n: number) =>
    new Promise<void>((resolve) => (opened.length >= n ? resolve() : openWaiters.push({ n, resolve })));
  return { loop, sweeps, opened, closed, nextSweep, opens };
}

describe('the scale-test recovery loop', () => {
  it('sweeps at once, then when a watched record goes stale, not before', async () => {
    const r = rig();
    await r.opens(1);
    expect(r.sweeps).toHaveLength(1);
    const staleAt = Date.now() + 300;
    const swept = r.nextSweep();
    r.opened[0]!.onRecord('deployment/shop/web', staleAt);
    await swept;
    expect(r.sweeps).toHaveLength(2);
    expect(r.sweeps[1]!).toBeGreaterThanOrEqual(staleAt);
    await r.loop.stop();
    expect(r.closed).toEqual([1]);
  });

  it('a renewed heartbeat moves the sweep; a watch that ends is opened again, with a sweep', async () => {
    const r = rig();
    await r.opens(1);
    const h = r.opened[0]!;
    h.onRecord('deployment/shop/web', Date.now() + 200);
    h.onRecord('deployment/shop/web', Date.now() + 400);
    const swept = r.nextSweep();
    const later = Date.now() + 400;
    await swept;
    expect(r.sweeps.at(-1)!).toBeGreaterThanOrEqual(later);
    h.onRecord('deployment/shop/api', Date.now() + 100);
    h.onRecord('deployment/shop/api', undefined);
    const count = r.sweeps.length;
    // A watch that ends is opened again, with a sweep (events may have been missed).
    const reopened = r.opens(2);
    const resweep = r.nextSweep();
    h.onEnd(undefined);
    await Promise.all([reopened, resweep]);
    expect(r.opened).toHaveLength(2);
    expect(r.sweeps).toHaveLength(count + 1);
    await r.loop.stop();
    expect(r.closed.sort()).toEqual([1, 2]);
  });
});
