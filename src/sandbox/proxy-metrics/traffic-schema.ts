/**
 * The scenario's `traffic` field of a workload: the synthetic inbound traffic its meshed pods'
 * proxies report (src/sandbox/proxy-metrics/). Absent: the sandbox's default traffic.
 */
import { z } from 'zod';
import type { TrafficSpec } from './start-proxy-metrics.js';

const positive = (what: string) =>
  z.number({ error: `expected ${what}, a number` }).positive({ error: `expected ${what} above 0` });

export const trafficSchema = z.strictObject(
  {
    /** Requests per second, all pods together (0: none). */
    rps: z.number({ error: 'expected rps, a number >= 0' }).min(0, { error: 'expected rps >= 0' }),
    /** 0..1 (default 1). */
    successRate: z
      .number({ error: 'expected successRate, a number from 0 to 1' })
      .min(0, { error: 'expected successRate from 0 to 1' })
      .max(1, { error: 'expected successRate from 0 to 1' })
      .default(1),
    latencyMs: z
      .strictObject(
        { p50: positive('latencyMs.p50'), p99: positive('latencyMs.p99') },
        { error: 'expected a map with p50 and p99 (milliseconds)' },
      )
      .refine((l) => l.p99 >= l.p50, { error: 'expected latencyMs.p99 >= latencyMs.p50' })
      .default({ p50: 10, p99: 50 }),
  },
  { error: 'expected a map with rps, successRate and latencyMs: {p50, p99}' },
) satisfies z.ZodType<TrafficSpec, unknown>;

/** Traffic of meshed workloads whose scenario entry has none: emojivoto-like, nearly all successful. */
export const DEFAULT_TRAFFIC: TrafficSpec = { rps: 10, successRate: 0.995, latencyMs: { p50: 12, p99: 80 } };

/** `NAMESPACE/NAME` -> traffic, from workloads that declare it. */
export function trafficOf(
  workloads: Array<{ name: string; namespace: string; traffic?: TrafficSpec | undefined }>,
): Record<string, TrafficSpec> {
  const out: Record<string, TrafficSpec> = {};
  for (const w of workloads) if (w.traffic) out[`${w.namespace}/${w.name}`] = w.traffic;
  return out;
}
