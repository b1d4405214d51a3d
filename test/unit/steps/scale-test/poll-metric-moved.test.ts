import { getEventListeners } from 'node:events';
import { pollMetricMoved } from '../../../../src/steps/scale-test/poll-metric-moved.js';

describe('pollMetricMoved', () => {
  it('returns the value once it passes the one before', async () => {
    const values = [3, 3, 4];
    const stop = new AbortController();
    const got = await pollMetricMoved({
      read: async () => values.shift(),
      before: 3,
      deadline: Number.MAX_SAFE_INTEGER,
      now: () => 0,
      pollMs: 1,
      signal: stop.signal,
    });
    expect(got).toBe(4);
  });

  it('leaves no abort listener behind after many polls (regression: MaxListenersExceededWarning)', async () => {
    const stop = new AbortController();
    let polls = 0;
    const got = await pollMetricMoved({
      read: async () => {
        polls++;
        return 7;
      },
      before: 7,
      deadline: 15,
      now: () => polls,
      pollMs: 1,
      signal: stop.signal,
    });
    expect(got).toBeUndefined();
    expect(polls).toBe(15);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('stops at once when the signal aborts', async () => {
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 20);
    const got = await pollMetricMoved({
      read: async () => 1,
      before: 1,
      deadline: Number.MAX_SAFE_INTEGER,
      now: () => Date.now() - started,
      pollMs: 60_000,
      signal: stop.signal,
    });
    expect(got).toBeUndefined();
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
