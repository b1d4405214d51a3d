import * as z from 'zod';
import { UsageError } from '../../errors.js';
import { createButtonCodec } from '../button-codec.js';

/**
 * What the buttons of a proxy-log-level thread carry, so any replica can serve the click after
 * any restart: Confirm / Cancel (the command, who asked, the thread) and Stop (the change's
 * record id). Untrusted on the way back: validated here, the command parsed again by the
 * grammar, the clicker authorized again.
 */
export const LOG_LEVEL_CONFIRM_ACTION = 'meshbot_log_level_confirm';
export const LOG_LEVEL_CANCEL_ACTION = 'meshbot_log_level_cancel';
export const LOG_LEVEL_STOP_ACTION = 'meshbot_log_level_stop';
export const LOG_LEVEL_ACTION_IDS = new RegExp(
  `^(${LOG_LEVEL_CONFIRM_ACTION}|${LOG_LEVEL_CANCEL_ACTION}|${LOG_LEVEL_STOP_ACTION})$`,
);

const SLACK_ID = /^[A-Z0-9]{2,20}$/;
const TS = /^\d{1,12}\.\d{1,9}$/;

export const logLevelButtonSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('proxy-log-level'),
    op: z.enum(['confirm', 'cancel', 'stop']),
    /** The command in the grammar, e.g. `proxy-log-level deploy/web.emojivoto debug --for 10m`. */
    command: z.string().min(1).max(700),
    /** The cluster the command runs against (the pool's name). */
    cluster: z.string().min(1).max(100),
    requestedBy: z.string().regex(SLACK_ID),
    thread: z.string().regex(TS),
    /** Stop: the change's record id. */
    id: z
      .string()
      .regex(/^[a-f0-9-]{1,64}$/)
      .optional(),
    nonce: z.string().regex(/^[a-f0-9]{8,32}$/),
    /** Expiry of a confirmation (ms since the epoch); a Stop button lasts as long as the change. */
    exp: z.number().int().positive(),
  })
  .strict();

export type LogLevelButtonValue = z.infer<typeof logLevelButtonSchema>;

const codec = createButtonCodec(
  logLevelButtonSchema,
  () =>
    new UsageError(
      'this button carries no valid proxy-log-level action',
      'Ask again with /mesh proxy-log-level.',
    ),
);

export const encodeLogLevelButton = (v: LogLevelButtonValue): string => codec.encode(v);

export function decodeLogLevelButton(raw: string | undefined, now = Date.now()): LogLevelButtonValue {
  const value = codec.decode(raw);
  if (value.op !== 'stop' && value.exp < now) {
    throw new UsageError('this confirmation has expired', 'Ask again with /mesh proxy-log-level.');
  }
  return value;
}
