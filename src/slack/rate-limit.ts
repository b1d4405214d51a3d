/**
 * A per-user sliding-window rate limit: at most `max` commands per `windowMs`.
 * In memory, per replica: it protects the cluster from one person's bursts, not a quota.
 */
export interface RateLimitOptions {
  max: number;
  windowMs: number;
  now?: () => number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  take(key: string): RateDecision;
}

export function createRateLimiter({ max, windowMs, now = Date.now }: RateLimitOptions): RateLimiter {
  const log = new Map<string, number[]>();
  let lastSweep = now();
  return {
    take(key) {
      const t = now();
      const since = t - windowMs;
      if (t - lastSweep > windowMs) {
        for (const [k, times] of log) if ((times[times.length - 1] ?? 0) <= since) log.delete(k);
        lastSweep = t;
      }
      const times = (log.get(key) ?? []).filter((x) => x > since);
      if (times.length >= max) {
        log.set(key, times);
        return { allowed: false, retryAfterMs: Math.max(0, (times[0] ?? t) + windowMs - t) };
      }
      times.push(t);
      log.set(key, times);
      return { allowed: true };
    },
  };
}
