/** The q-quantile (nearest rank) of ascending-sorted samples: 0.5 the median, 0.95 the p95. */
export function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? NaN;
}
