import { createRateLimiter } from '../../../src/slack/rate-limit.js';

describe('per-user rate limit', () => {
  it('allows max per window, then says how long to wait, per user', () => {
    let now = 1_000_000;
    const rl = createRateLimiter({ max: 2, windowMs: 60_000, now: () => now });
    expect(rl.take('U1').allowed).toBe(true);
    now += 10_000;
    expect(rl.take('U1').allowed).toBe(true);
    expect(rl.take('U1')).toEqual({ allowed: false, retryAfterMs: 50_000 });
    expect(rl.take('U2').allowed).toBe(true);
    now += 50_001;
    expect(rl.take('U1').allowed).toBe(true);
    expect(rl.take('U1').allowed).toBe(false);
  });

  it('does not count refused attempts', () => {
    let now = 0;
    const rl = createRateLimiter({ max: 1, windowMs: 1000, now: () => now });
    rl.take('U1');
    for (let i = 0; i < 10; i++) rl.take('U1');
    now = 1001;
    expect(rl.take('U1').allowed).toBe(true);
  });
});
