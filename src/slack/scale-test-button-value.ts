import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { UsageError } from '../errors.js';
import { createButtonCodec } from './button-codec.js';

/**
 * What the Confirm and Cancel buttons of a scale test carry: everything the click needs, so
 * any replica can serve it after any restart. Untrusted on the way back: validated here, the
 * target parsed again by the grammar, the clicker authorized again, and the replicas checked
 * against what the confirmation showed.
 */
export const SCALE_TEST_CONFIRM_ACTION = 'meshbot_scale_test_confirm';
export const SCALE_TEST_CANCEL_ACTION = 'meshbot_scale_test_cancel';
export const SCALE_TEST_ACTION_IDS = new RegExp(
  `^(${SCALE_TEST_CONFIRM_ACTION}|${SCALE_TEST_CANCEL_ACTION})$`,
);

/** How long a confirmation can be clicked. */
export const CONFIRMATION_TTL_MS = 15 * 60_000;

const SLACK_ID = /^[A-Z0-9]{2,20}$/;
const TS = /^\d{1,12}\.\d{1,9}$/;

export const scaleTestButtonSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('scale-test'),
    op: z.enum(['confirm', 'cancel']),
    /** The target in the grammar: `deploy/web.emojivoto` or `web-svc.emojivoto`. */
    target: z
      .string()
      .min(1)
      .max(300)
      .regex(/^[A-Za-z0-9.\-:/_]+$/),
    /** Who asked for the test. */
    requestedBy: z.string().regex(SLACK_ID),
    /** The replicas the confirmation showed: the click is refused if they changed since. */
    from: z.number().int().min(0).max(100_000),
    /** The thread (parent ts) the test reports to. */
    thread: z.string().regex(TS),
    /** Identifies this confirmation in audit lines and messages. */
    nonce: z.string().regex(/^[a-f0-9]{8,32}$/),
    /** Expiry, ms since the epoch. */
    exp: z.number().int().positive(),
    /**
     * The cluster the test was asked on: the click scales there. Absent on confirmations from
     * before clusters: accepted only while meshbot serves one cluster (docs/clusters.md).
     */
    cluster: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .max(63)
      .optional(),
  })
  .strict();

export type ScaleTestButtonValue = z.infer<typeof scaleTestButtonSchema>;

export function newNonce(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}

const codec = createButtonCodec(
  scaleTestButtonSchema,
  () =>
    new UsageError(
      'this button carries no valid scale-test confirmation',
      'Ask again with /mesh scale-test.',
    ),
);

export function encodeScaleTestButton(value: ScaleTestButtonValue): string {
  return codec.encode(value);
}

/** The button's value, or a UsageError when meshbot did not write it (or it has expired). */
export function decodeScaleTestButton(raw: string | undefined, now = Date.now()): ScaleTestButtonValue {
  const value = codec.decode(raw);
  if (value.exp < now) {
    throw new UsageError('this confirmation has expired', 'Ask again with /mesh scale-test.');
  }
  return value;
}
