/**
 * The runbook format (docs/runbooks.md): a YAML file with an id, a title, the symptoms it is
 * for, the kind of target it takes and its steps. Each step runs one meshbot command and says
 * what each verdict (pass, warn, fail, error) leads to: the next step, another step, or a stop
 * with a conclusion. Cross-field rules (unknown goto targets, unreachable steps, commands that
 * do not parse) are checked by validate-runbook.ts after this schema.
 */
import * as z from 'zod';

const ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const id = (what: string) =>
  z
    .string({ error: `${what}: lowercase letters, digits and "-", e.g. check-endpoints` })
    .max(63, `${what} is at most 63 characters`)
    .regex(ID, `${what}: lowercase letters, digits and "-", e.g. check-endpoints`);

const text = (what: string, max: number) =>
  z
    .string({ error: `${what} (text)` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} is at most ${max} characters`);

export const stopSchema = z
  .object({ stop: z.object({ conclusion: text('the conclusion', 2000) }).strict() })
  .strict();

export const gotoSchema = z.object({ goto: id('a step id') }).strict();

/** What a verdict leads to. */
export const outcomeSchema = z.union([z.literal('next'), gotoSchema, stopSchema], {
  error: 'one of: next, { goto: STEP_ID }, { stop: { conclusion: TEXT } }',
});

export const runbookStepSchema = z
  .object({
    id: id('the step id'),
    title: text('the title', 120),
    why: text('why', 600),
    run: text('the command', 300),
    on: z
      .object({
        pass: outcomeSchema.optional(),
        warn: outcomeSchema.optional(),
        fail: outcomeSchema.optional(),
        error: outcomeSchema.optional(),
      })
      .strict()
      .default({}),
    pause: z.boolean().default(false),
  })
  .strict();

export const runbookSchema = z
  .object({
    id: id('the runbook id'),
    title: text('the title', 120),
    summary: text('the summary', 1000),
    target: z.enum(['service', 'workload'], {
      error: 'service (SERVICE.NAMESPACE) or workload (deploy/NAME.NAMESPACE)',
    }),
    steps: z.array(runbookStepSchema).min(1, 'a runbook has at least one step').max(30),
  })
  .strict();

export type RunbookOutcome = z.infer<typeof outcomeSchema>;
export type RunbookStepSpec = z.infer<typeof runbookStepSchema>;
export type RunbookSpec = z.infer<typeof runbookSchema>;
export type Verdict = 'pass' | 'warn' | 'fail' | 'error';
export const VERDICTS: readonly Verdict[] = ['pass', 'warn', 'fail', 'error'];
