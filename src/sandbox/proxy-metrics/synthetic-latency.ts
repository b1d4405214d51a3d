/**
 * Latencies for synthetic requests: log-normal, fitted to a p50 and a p99, drawn at evenly
 * spread quantiles (a golden-ratio sequence) so that a few seconds of traffic already show the
 * configured percentiles, and every run is the same.
 */

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function probit(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probit needs 0 < p < 1, got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

const Z99 = probit(0.99);
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/** A latency source for one p50/p99 pair (ms). */
export function latencySampler(p50: number, p99: number): () => number {
  const mu = Math.log(Math.max(p50, 0.001));
  const sigma = Math.max(0, (Math.log(Math.max(p99, p50, 0.001)) - mu) / Z99);
  let u = 0.5;
  return () => {
    u = (u + GOLDEN) % 1;
    const p = Math.min(Math.max(u, 1e-6), 1 - 1e-6);
    return Math.exp(mu + sigma * probit(p));
  };
}
