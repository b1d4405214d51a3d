/**
 * What a runbook thread's buttons carry: everything the next action needs, so any replica of
 * meshbot continues the run after any restart. The runbook's id and content hash, the target,
 * the cluster the run started on, who asked, the thread, and the run so far (one compact
 * record per step: outcome, start, duration, who confirmed, the key evidence), cut to fit
 * Slack's 2000 characters. Untrusted on the way back: validated here, the runbook's hash
 * compared, the history replayed through the runner, the clicker authorized again.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { UsageError } from '../../errors.js';
import type { StepOutcome } from '../../runbooks/runbook-runner.js';
import { SLACK_LIMITS } from '../render/slack-limits.js';
import { createButtonCodec } from '../button-codec.js';

export const RUNBOOK_ACTION_PREFIX = 'meshbot_runbook_';
export const RUNBOOK_ACTION_IDS = /^meshbot_runbook_(continue|skip|stop|confirm|cancel)$/;
export type RunbookOp = 'continue' | 'skip' | 'stop' | 'confirm' | 'cancel';

/** Default lifetime of a runbook's buttons (configurable: runbooks.buttonTtlHours). */
export const DEFAULT_RUNBOOK_BUTTON_TTL_MS = 12 * 3600_000;

const SLACK_ID = /^[A-Z0-9]{2,20}$/;
const TS = /^\d{1,12}\.\d{1,9}$/;

const OUTCOME_LETTERS = { pass: 'p', warn: 'w', fail: 'f', error: 'e', skipped: 's', stopped: 'x' } as const;
const LETTER_OUTCOMES = Object.fromEntries(Object.entries(OUTCOME_LETTERS).map(([k, v]) => [v, k])) as Record<
  string,
  StepOutcome
>;

export function outcomeLetter(o: StepOutcome): string {
  return OUTCOME_LETTERS[o];
}
export function outcomeOfLetter(l: string): StepOutcome {
  const o = LETTER_OUTCOMES[l];
  if (!o) throw new UsageError('this button carries an unknown step outcome');
  return o;
}

/** One step of the run so far, compact. */
export const runEntrySchema = z
  .object({
    /** Outcome letter: p w f e s x. */
    o: z.enum(['p', 'w', 'f', 'e', 's', 'x']),
    /** Started, ms since the epoch. */
    a: z.number().int().nonnegative(),
    /** Duration, ms. */
    d: z.number().int().nonnegative(),
    /** Who confirmed it (a Slack user id), for a confirmed step. */
    b: z.string().regex(SLACK_ID).optional(),
    /** The key evidence: the summary and the first finding that matters, cut short. */
    k: z.string().max(400),
  })
  .strict();

export type RunEntry = z.infer<typeof runEntrySchema>;

export const runbookButtonSchema = z
  .object({
    v: z.literal(1),
    op: z.enum(['continue', 'skip', 'stop', 'confirm', 'cancel']),
    /** Runbook id and content hash. */
    rb: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .max(63),
    h: z.string().regex(/^[0-9a-f]{16}$/),
    /** The target as given, e.g. `web-svc.emojivoto`. */
    t: z
      .string()
      .min(1)
      .max(300)
      .regex(/^[A-Za-z0-9.\-:/_]+$/),
    /** The cluster the run started on. */
    c: z.string().min(1).max(253),
    /** Who asked. */
    by: z.string().regex(SLACK_ID),
    /** The thread (parent ts). */
    th: z.string().regex(TS),
    /** The run started, ms since the epoch. */
    st: z.number().int().nonnegative(),
    /** The step this decision is about. */
    s: z.string().max(63),
    /** The run so far. */
    r: z.array(runEntrySchema).max(60),
    /** Identifies this decision (a restart runs once per confirmation). */
    n: z.string().regex(/^[a-f0-9]{8,32}$/),
    /** Expiry, ms since the epoch. */
    exp: z.number().int().positive(),
  })
  .strict();

export type RunbookButtonValue = z.infer<typeof runbookButtonSchema>;

export function newDecisionNonce(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}

/** Encodes a value, shortening the oldest key evidence until it fits Slack's limit. */
export function encodeRunbookButton(value: RunbookButtonValue): string {
  const v = runbookButtonSchema.parse(value);
  let json = JSON.stringify(v);
  for (let keep = 200; json.length > SLACK_LIMITS.buttonValue && keep >= 0; keep -= 40) {
    json = JSON.stringify({ ...v, r: v.r.map((e) => ({ ...e, k: e.k.slice(0, keep) })) });
  }
  if (json.length > SLACK_LIMITS.buttonValue) {
    throw new UsageError(`this run is too long to continue in Slack buttons (${json.length} characters)`);
  }
  return json;
}

const codec = createButtonCodec(
  runbookButtonSchema,
  () => new UsageError('this button carries no valid runbook step', 'Start the runbook again: /mesh runbook'),
);

/** The button's value; a UsageError when meshbot did not write it, or when it has expired. */
export function decodeRunbookButton(raw: string | undefined, now = Date.now()): RunbookButtonValue {
  const value = codec.decode(raw);
  if (value.exp < now) {
    throw new UsageError(
      `these buttons expired at ${new Date(value.exp).toISOString()}`,
      `Start the runbook again: /mesh runbook ${value.rb} ${value.t}`,
    );
  }
  return value;
}
