import { z } from 'zod';
import { UsageError } from '../errors.js';
import { SLACK_LIMITS } from './render/slack-limits.js';

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
  /** Why the button exists: run the same command again, or a suggested next step. */
  origin: z.enum(['rerun', 'next-step']),
});

export type ButtonValue = z.infer<typeof buttonValueSchema>;

/** JSON for a button's `value`; throws when it would pass Slack's 2000-character limit. */
export function encodeButtonValue(value: ButtonValue): string {
  const json = JSON.stringify(buttonValueSchema.parse(value));
  if (json.length > SLACK_LIMITS.buttonValue) {
    throw new UsageError(
      `button value is ${json.length} characters; Slack allows ${SLACK_LIMITS.buttonValue}`,
    );
  }
  return json;
}

/** Parses a clicked button's value; a value meshbot did not write is a UsageError. */
export function decodeButtonValue(raw: string | undefined): ButtonValue {
  if (raw === undefined || raw.length === 0 || raw.length > SLACK_LIMITS.buttonValue) {
    throw new UsageError('this button carries no valid meshbot action', 'Run the command again with /mesh.');
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new UsageError('this button carries no valid meshbot action', 'Run the command again with /mesh.');
  }
  const parsed = buttonValueSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError('this button carries no valid meshbot action', 'Run the command again with /mesh.');
  }
  return parsed.data;
}
