/** Route numbers as `linkerd viz routes` prints them: `98.50%`, `1.5rps`, `123ms`, `-` without data. */

export function formatPercent(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

export function formatMs(ms: number): string {
  return `${Math.round(ms)}ms`;
}

export function formatRps(rps: number): string {
  return `${rps.toFixed(1)}rps`;
}

export function orDash<T>(v: T | null, f: (v: T) => string): string {
  return v === null ? '-' : f(v);
}
