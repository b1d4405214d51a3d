/**
 * The `reports:` section of the config (docs/reports.md): scheduled drift reports, each a sweep
 * on a cron schedule (node-cron, with an optional seconds field and a time zone) posted to a
 * channel with Alertmanager-like semantics; and how the replicas elect the one that runs them.
 */
import cron from 'node-cron';
import * as z from 'zod';
import { validateTimings } from '../drift/leader-election.js';
import { parseDuration } from '../grammar/duration.js';
import { EXPIRY_WARNING_DAYS } from '../steps/check/certificates.js';
import { clusterNameSchema } from './clusters-schema.js';

const namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace (DNS-1123 label)');

/** A duration as meshbot writes them (`10s`, `4h`), in milliseconds, within bounds (seconds). */
const duration = (min: number, max: number) =>
  z.string().transform((raw, ctx) => {
    try {
      return Math.round(parseDuration(raw, 'duration', { min, max }) * 1000);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Clusters a report sweeps at once (each opens up to `concurrency` destination streams). */
export const DEFAULT_CLUSTER_CONCURRENCY = 4;
/** A cluster's sweep, second look included, within 5 minutes. */
export const DEFAULT_SWEEP_TIMEOUT_MS = 5 * 60 * 1000;

export const reportSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a name such as nightly-drift'),
    schedule: z.string().refine((s) => cron.validate(s), {
      message: 'not a cron expression (five fields, or six with seconds first: "0 */15 * * * *")',
    }),
    timezone: z
      .string()
      .refine(validTimeZone, { message: 'not an IANA time zone such as Europe/Paris' })
      .optional(),
    channel: z.string().regex(/^[CG][A-Z0-9]{2,20}$/, 'a channel id such as C012AB3CD'),
    scope: z
      .object({ namespaces: z.array(namespace).default([]), selector: z.string().optional() })
      .strict()
      .default({ namespaces: [] }),
    checks: z
      .array(z.enum(['endpoints', 'control-plane']))
      .min(1)
      .default(['endpoints', 'control-plane']),
    /** A finding still open is reminded once per interval. */
    repeatInterval: duration(60, 30 * 86_400).default(4 * 3600 * 1000),
    /** Post nothing when nothing changed. */
    quiet: z.boolean().default(true),
    /** A difference must persist this long with Kubernetes unchanged (the sweep's --persistence). */
    persistence: duration(0, 600).default(10_000),
    concurrency: z.number().int().min(1).max(64).default(32),
    /** When a drift becomes a finding. */
    thresholds: z
      .object({
        /** A certificate (trust anchor, issuer, webhook) expiring within this many days (linkerd check: 60). */
        certificateWarningDays: z.number().int().min(1).max(3650).default(EXPIRY_WARNING_DAYS),
      })
      .strict()
      .default({ certificateWarningDays: EXPIRY_WARNING_DAYS }),
    /** The one cluster it sweeps (a name of `clusters:`); default: the first cluster. */
    cluster: clusterNameSchema.optional(),
    /** Several clusters, or `all`, swept in one report whose findings are grouped by cluster. */
    clusters: z.union([z.literal('all'), z.array(clusterNameSchema).min(1)]).optional(),
    /** Of a report over several clusters, how many are swept at once. */
    clusterConcurrency: z.number().int().min(1).max(16).default(DEFAULT_CLUSTER_CONCURRENCY),
    /** Each cluster's sweep must finish within this; past it that cluster's part is an error. */
    sweepTimeout: duration(1, 3600).default(DEFAULT_SWEEP_TIMEOUT_MS),
  })
  .strict()
  .refine((r) => r.cluster === undefined || r.clusters === undefined, {
    message: 'give cluster or clusters, not both',
    path: ['clusters'],
  });

/** The clusters a report sweeps, of those served (the first when it names none). */
export function reportClusters(
  report: Pick<ReportConfig, 'cluster' | 'clusters'>,
  served: readonly string[],
): string[] {
  if (report.cluster !== undefined) return [report.cluster];
  if (report.clusters === 'all') return [...served];
  if (report.clusters !== undefined) return [...report.clusters];
  return served.slice(0, 1);
}

export const leaderElectionSchema = z
  .object({
    leaseName: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .default('meshbot-scheduler'),
    leaseDuration: duration(0.1, 3600).default(15_000),
    renewDeadline: duration(0.1, 3600).default(10_000),
    retryPeriod: duration(0.05, 3600).default(2_000),
  })
  .strict()
  .superRefine((l, ctx) => {
    try {
      validateTimings({
        leaseDurationMs: l.leaseDuration,
        renewDeadlineMs: l.renewDeadline,
        retryPeriodMs: l.retryPeriod,
      });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    }
  })
  .default({
    leaseName: 'meshbot-scheduler',
    leaseDuration: 15_000,
    renewDeadline: 10_000,
    retryPeriod: 2_000,
  });

export const reportsConfigSchema = z
  .array(reportSchema)
  .default([])
  .superRefine((reports, ctx) => {
    const seen = new Set<string>();
    reports.forEach((r, i) => {
      if (seen.has(r.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `report ${r.name} is defined twice` });
      seen.add(r.name);
    });
  });

export type ReportConfig = z.infer<typeof reportSchema>;
export type LeaderElectionConfig = z.infer<typeof leaderElectionSchema>;
