/**
 * The schema of a destination-controller fault as a person writes it (scenario files, the
 * admin API), with messages that name the field and list what is valid.
 */
import * as z from 'zod';
import type { Fault, FaultType } from '../fault-types.js';

export const FAULT_TYPES: readonly FaultType[] = [
  'freeze',
  'lag',
  'drop-removes',
  'unavailable',
  'slow-first',
  'reset',
];

const ms = z
  .number({ error: 'expected a whole number of milliseconds (0 to 3600000)' })
  .int({ error: 'expected a whole number of milliseconds (0 to 3600000)' })
  .min(0, { error: 'expected a whole number of milliseconds (0 to 3600000)' })
  .max(3_600_000, { error: 'expected a whole number of milliseconds (0 to 3600000)' });
const service = z
  .string({ error: 'expected a service as NAME.NAMESPACE (e.g. web-svc.emojivoto)' })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    error: 'expected a service as NAME.NAMESPACE (e.g. web-svc.emojivoto)',
  })
  .optional();
const count = z
  .number({ error: 'expected a whole number >= 0' })
  .int({ error: 'expected a whole number >= 0' })
  .min(0, { error: 'expected a whole number >= 0' });

export const faultSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('freeze'), service }),
    z.strictObject({ type: z.literal('lag'), ms, service }),
    z.strictObject({ type: z.literal('drop-removes'), service }),
    z.strictObject({ type: z.literal('unavailable'), service }),
    z.strictObject({ type: z.literal('slow-first'), ms, service }),
    z.strictObject({ type: z.literal('reset'), afterMessages: count, service }),
  ],
  { error: `expected a fault type, one of: ${FAULT_TYPES.join(', ')}` },
);

// The schema's output is exactly the Fault contract.
export type ParsedFault = z.infer<typeof faultSchema>;
const _check: (f: ParsedFault) => Fault = (f) => f;
void _check;
