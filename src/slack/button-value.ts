import * as z from 'zod';
import { UsageError } from '../errors.js';
import { createButtonCodec } from './button-codec.js';

/**
 * What a button carries. A click must be servable by any replica after any restart, so the
 * value holds everything the action needs: the command (in the shared grammar, parsed again
 * on click) and who asked first. It is untrusted input on the way back: validated here,
 * and the command goes through `parseCommand` and authorization again.
 */
export const RUN_ACTION_ID = 'meshbot_run';

const SLACK_ID = /^[A-Z0-9]{2,20}$/;

export const buttonValueSchema = z.object({
  v: z.literal(1),
  kind: z.literal('run'),
  /** The command text in meshbot's grammar, e.g. `endpoints web-svc.emojivoto:80`. */
  command: z.string().min(1).max(1000),
  /** Slack user id of the person whose result carried the button. */
  requestedBy: z.string().regex(SLACK_ID),
  /** Why the button exists: run the same command again, a suggested next step, or the cluster picker. */
  origin: z.enum(['rerun', 'next-step', 'pick-cluster']),
  /**
   * The cluster the button acts on (the one its result came from, or the one picked). Absent
   * on buttons from before clusters: resolved as a typed command is (docs/clusters.md).
   */
  cluster: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .max(63)
    .optional(),
});

export type ButtonValue = z.infer<typeof buttonValueSchema>;

const codec = createButtonCodec(
  buttonValueSchema,
  () => new UsageError('this button carries no valid meshbot action', 'Run the command again with /mesh.'),
);

/** JSON for a button's `value`; throws when it would pass Slack's 2000-character limit. */
export function encodeButtonValue(value: ButtonValue): string {
  return codec.encode(value);
}

/** Parses a clicked button's value; a value meshbot did not write is a UsageError. */
export function decodeButtonValue(raw: string | undefined): ButtonValue {
  return codec.decode(raw);
}
