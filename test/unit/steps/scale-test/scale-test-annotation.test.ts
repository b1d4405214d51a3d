import {
  decodeAnnotation,
  encodeAnnotation,
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
});
