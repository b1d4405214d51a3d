import {
  decodeAnnotation,
  encodeAnnotation,
  HEARTBEAT_MISSED,
  HEARTBEAT_MS,
  isFresh,
  staleAt,
  STALE_MARGIN_MS,
} from '../../../../src/steps/scale-test/scale-test-annotation.js';

const a = {
  v: 1 as const,
  testId: 'abc12345',
  originalReplicas: 2,
  testReplicas: 3,
  startedAt: '2026-11-23T12:00:00.000Z',
  requestedBy: 'U0ALICE',
  overallTimeoutMs: 120_000,
};

describe('the scale-test annotation', () => {
  it('round-trips and rejects what meshbot did not write', () => {
    expect(decodeAnnotation(encodeAnnotation(a))).toEqual(a);
    expect(decodeAnnotation('{"v":2}')).toBeUndefined();
    expect(decodeAnnotation('nope')).toBeUndefined();
    expect(decodeAnnotation(undefined)).toBeUndefined();
  });

  it('goes stale after the test’s own limit plus a margin, or the fallback without one', () => {
    const start = Date.parse(a.startedAt);
    expect(staleAt(a, 1)).toBe(start + 120_000 + STALE_MARGIN_MS);
    const { overallTimeoutMs: _unused, ...old } = a;
    void _unused;
    expect(staleAt(old, 5000)).toBe(start + 5000);
    expect(isFresh(a, start + 1000, 0)).toBe(true);
    expect(isFresh(a, start + 120_000 + STALE_MARGIN_MS, 0)).toBe(false);
    expect(isFresh({ ...a, startedAt: 'yesterday' }, start, 0)).toBe(true);
  });

  it('with a heartbeat, is alive while it is renewed and dead three intervals after the last', () => {
    const beat = Date.parse('2026-11-23T12:00:30.000Z');
    const live = { ...a, heartbeatAt: new Date(beat).toISOString(), heartbeatMs: HEARTBEAT_MS };
    expect(HEARTBEAT_MISSED * HEARTBEAT_MS).toBe(9000);
    // Fresh: renewed a moment ago, long before the test's own limit would end it.
    expect(isFresh(live, beat + 1000, 0)).toBe(true);
    expect(isFresh(live, beat + 8999, 0)).toBe(true);
    // Stale: three intervals without a renewal, although the test's limit is minutes away.
    expect(staleAt(live, 0)).toBe(beat + 9000);
    expect(isFresh(live, beat + 9000, 0)).toBe(false);
    // The record's own interval counts, not the default.
    expect(staleAt({ ...live, heartbeatMs: 1000 }, 0)).toBe(beat + 3000);
    // Renewed or not, a test past its own limit and margin is dead (a wedged process that still beats).
    expect(isFresh(live, Date.parse(a.startedAt) + 120_000 + STALE_MARGIN_MS, 0)).toBe(false);
    // Unreadable heartbeat: refuse rather than guess.
    expect(isFresh({ ...live, heartbeatAt: 'soon' }, beat + 60_000, 0)).toBe(true);
  });

  it('an old record without a heartbeat keeps the old expiry (limit plus margin)', () => {
    const start = Date.parse(a.startedAt);
    expect(decodeAnnotation(JSON.stringify(a))?.heartbeatAt).toBeUndefined();
    expect(isFresh(a, start + 9000, 0)).toBe(true);
    expect(isFresh(a, start + 60_000, 0)).toBe(true);
    expect(isFresh(a, start + 120_000 + STALE_MARGIN_MS, 0)).toBe(false);
  });
});
