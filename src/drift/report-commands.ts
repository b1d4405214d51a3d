/**
 * `/mesh report list` and `/mesh report run NAME` as step results: the configured reports
 * (schedule with its time zone, channel, scope, next run, whether this replica leads), and
 * a report run now through the scheduler (the same run code as the schedule).
 */
import type { ReportConfig } from '../config/reports-schema.js';
import type { StepResult } from '../domain/step-result.js';
import { UsageError } from '../errors.js';
import { didYouMean } from '../grammar/did-you-mean.js';

export interface ReportListing {
  /** Whether the replica that answered leads; absent on the command line (no replica). */
  leader?: boolean;
  reports: Array<{
    name: string;
    schedule: string;
    timezone: string;
    channel: string;
    namespaces: string[];
    selector?: string;
    checks: string[];
    nextRun: string | null;
  }>;
}

/** What the report service tells the commands (src/drift/start-report-service.ts). */
export interface ReportCommands {
  list(): StepResult<ReportListing>;
  /** Runs NAME now and returns its sweep's result; an unknown NAME is a UsageError. */
  run(name: string): Promise<StepResult>;
}

export function unknownReport(name: string, reports: readonly ReportConfig[]): UsageError {
  const names = reports.map((r) => r.name);
  if (names.length === 0)
    return new UsageError('no report is configured', 'Add one under reports: in the config.');
  const guess = didYouMean(name, names);
  return new UsageError(
    `no report named "${name}"${guess ? `; did you mean "${guess}"?` : ''}`,
    `Reports: ${names.join(', ')}.`,
  );
}

/** The report NAME, or a UsageError with a did-you-mean. */
export function reportNamed(name: string, reports: readonly ReportConfig[]): ReportConfig {
  const report = reports.find((r) => r.name === name);
  if (!report) throw unknownReport(name, reports);
  return report;
}

export function listReports(
  reports: readonly ReportConfig[],
  o: { leader?: boolean; nextRun: (name: string) => Date | null; now?: Date },
): StepResult<ReportListing> {
  const startedAt = o.now ?? new Date();
  const data: ReportListing = {
    ...(o.leader !== undefined ? { leader: o.leader } : {}),
    reports: reports.map((r) => ({
      name: r.name,
      schedule: r.schedule,
      timezone: r.timezone ?? 'UTC',
      channel: r.channel,
      namespaces: r.scope.namespaces,
      ...(r.scope.selector ? { selector: r.scope.selector } : {}),
      checks: r.checks,
      nextRun: o.nextRun(r.name)?.toISOString() ?? null,
    })),
  };
  const leads =
    o.leader === undefined
      ? ''
      : o.leader
        ? '; this replica leads: it runs the schedules'
        : '; this replica does not lead: another replica runs the schedules';
  return {
    step: 'report',
    target: 'reports',
    status: 'pass',
    summary:
      reports.length === 0
        ? 'No report is configured.'
        : `${reports.length} report${reports.length === 1 ? '' : 's'} configured${leads}.`,
    findings: [],
    evidence:
      reports.length === 0
        ? []
        : [
            {
              title: 'Reports',
              columns: ['name', 'schedule', 'channel', 'scope', 'next run'],
              rows: data.reports.map((r) => [
                r.name,
                `${r.schedule} (${r.timezone})`,
                `<#${r.channel}>`,
                [r.namespaces.length ? r.namespaces.join(', ') : 'all namespaces', r.selector]
                  .filter(Boolean)
                  .join('; '),
                r.nextRun ?? 'not scheduled',
              ]),
            },
          ],
    next: data.reports.map((r) => ({
      label: `Run ${r.name} now`,
      command: { name: 'report', action: 'run', report: r.name },
    })),
    data,
    startedAt: startedAt.toISOString(),
    durationMs: 0,
  };
}

/** Runs a parsed `report` command against the report service. */
export function executeReportCommand(
  command: { name: 'report'; action: 'list' } | { name: 'report'; action: 'run'; report: string },
  reports: ReportCommands,
): Promise<StepResult> {
  return command.action === 'list' ? Promise.resolve(reports.list()) : reports.run(command.report);
}
