/**
 * Synthetic traffic as a scenario writes it: `{ rps, successRate, latencyMs: {p50, p99} }`, on a
 * `traffic:` edge (who calls whom) or on a workload (calls from outside the mesh). See
 * src/sandbox/traffic/traffic-model.ts.
 */
import * as z from 'zod';
import type { TrafficSpec } from '../traffic/traffic-model.js';

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

/**
 * What the requests of a traffic edge look like to tap (src/sandbox/tap/): their path, method
 * and protocol. Default: `GET /` over HTTP (gRPC: `POST`, status in the trailers).
 */
export const tapRequestShape = {
  path: z
    .string({ error: 'expected a path starting with /' })
    .regex(/^\/[\x21-\x7e]*$/, { error: 'expected a path starting with / (no spaces)' })
    .optional(),
  method: z
    .enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'], {
      error: 'expected an HTTP method: GET, POST, PUT, DELETE, PATCH, OPTIONS or HEAD',
    })
    .optional(),
  protocol: z.enum(['http', 'grpc'], { error: 'expected protocol http or grpc' }).optional(),
};
