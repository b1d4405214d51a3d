import { EventTimeline } from '../../../../src/steps/scale-test/event-timeline.js';

describe('EventTimeline', () => {
  it('answers at once with a fact already seen, and wakes a waiter on the matching fact', async () => {
    const t = new EventTimeline();
    t.record({ kind: 'pod-added', pod: 'a', atMs: 1 });
    await expect(t.waitFor('pod-added', (f) => f.pod === 'a', t.now() + 1000)).resolves.toMatchObject({
      pod: 'a',
    });
    const waiting = t.waitFor('slice-ready', (f) => f.ip === '10.0.0.2', t.now() + 5000);
    t.record({ kind: 'slice-ready', ip: '10.0.0.1', atMs: 2 });
    t.record({ kind: 'slice-ready', ip: '10.0.0.2', atMs: 3 });
    await expect(waiting).resolves.toMatchObject({ ip: '10.0.0.2', atMs: 3 });
  });

  it('ends a wait at its deadline or when the signal aborts', async () => {
    const t = new EventTimeline();
    await expect(t.waitFor('pod-added', () => true, t.now() + 5)).resolves.toBe('deadline');
    const stop = new AbortController();
    const waiting = t.waitFor('pod-added', () => true, t.now() + 60_000, stop.signal);
    stop.abort();
    await expect(waiting).resolves.toBe('aborted');
  });
});
