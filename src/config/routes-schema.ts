/** The routes step's verdict thresholds in meshbot's config (`routes:`; docs/routes.md). */
import * as z from 'zod';
import { DEFAULT_ROUTE_THRESHOLDS } from '../steps/routes/routes-types.js';

export const routesConfigSchema = z
  .object({
    /** A route succeeding less than this (0..1) fails. */
    minSuccessRate: z
      .number({ error: 'must be a number from 0 to 1, e.g. 0.95' })
      .min(0, 'must be from 0 to 1, e.g. 0.95')
      .max(1, 'must be from 0 to 1, e.g. 0.95')
      .default(DEFAULT_ROUTE_THRESHOLDS.minSuccessRate),
    /** A route whose p99 latency is above this many milliseconds is a warning. */
    maxP99Ms: z
      .number({ error: 'must be a number of milliseconds' })
      .positive('must be above 0')
      .default(DEFAULT_ROUTE_THRESHOLDS.maxP99Ms),
    /** Routes with fewer requests in the window are not judged. */
    minRequests: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .default(DEFAULT_ROUTE_THRESHOLDS.minRequests),
  })
  .strict()
  .default(DEFAULT_ROUTE_THRESHOLDS);
