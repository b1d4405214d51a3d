/**
 * What a report's Snooze and Run again buttons carry (stateless, as every meshbot button: any
 * replica serves the click). Untrusted on the way back: validated here.
 */
import * as z from 'zod';
import { UsageError } from '../errors.js';

export const REPORT_SNOOZE_ACTION = 'meshbot_report_snooze';
export const REPORT_RUN_ACTION = 'meshbot_report_run';
export const REPORT_ACTION_IDS = new RegExp(`^(${REPORT_SNOOZE_ACTION}|${REPORT_RUN_ACTION})(:|$)`);

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
export const reportButtonSchema = z.discriminatedUnion('kind', [
  z.object({
    v: z.literal(1),
    kind: z.literal('snooze'),
    report: name,
    fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
    /** 1 h or 1 day. */
    hours: z.union([z.literal(1), z.literal(24)]),
  }),
  z.object({ v: z.literal(1), kind: z.literal('run'), report: name }),
]);

export type ReportButtonValue = z.infer<typeof reportButtonSchema>;

export function encodeReportButton(value: ReportButtonValue): string {
  return JSON.stringify(reportButtonSchema.parse(value));
}

export function decodeReportButton(raw: string | undefined): ReportButtonValue {
  let json: unknown;
  try {
    json = JSON.parse(raw ?? '');
  } catch {
    json = undefined;
  }
  const parsed = reportButtonSchema.safeParse(json);
  if (!parsed.success) throw new UsageError('this button carries no valid report action');
  return parsed.data;
}
