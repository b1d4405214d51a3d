/**
 * meshbot's own Prometheus metrics (prom-client), served at /metrics on the HTTP port: commands
 * by name and status, step durations, sweeps, open findings, leadership, report runs. Names
 * follow Prometheus' conventions (`_total` counters, base units in seconds).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StepResult } from '../domain/step-result.js';

export interface MeshbotMetrics {
  registry: Registry;
  commands: Counter<'command' | 'status'>;
  stepDuration: Histogram<'command'>;
  sweepDuration: Histogram<'cluster'>;
  servicesSwept: Counter<'cluster' | 'outcome'>;
  sweepFailures: Counter<'cluster' | 'reason'>;
  openFindings: Gauge<'report' | 'kind'>;
  isLeader: Gauge<'lease'>;
  reportRuns: Counter<'report' | 'outcome'>;
  reportStateProblems: Counter;
  scaleTestsRestored: Counter<'outcome'>;
  slackErrors: Counter<'method' | 'code'>;
  slackRateLimited: Counter<'method'>;
  /** Records one step run: its command name, status and duration. */
  observeStep(command: string, result: StepResult): void;
  /** Counts what a scale-test recovery did: workloads put back, and restores that failed. */
  observeScaleTestRecovery(report: { restored: unknown[]; failed: unknown[] }): void;
  /** Records a sweep's duration and service counts. */
  observeSweep(
    cluster: string,
    data: { services: { swept: number; drifted: number; notAsked: number } },
    durationMs: number,
  ): void;
}

export function createMeshbotMetrics(options: { processMetrics?: boolean } = {}): MeshbotMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'meshbot_' });
  const m: MeshbotMetrics = {
    registry,
    commands: new Counter({
      name: 'meshbot_commands_total',
      help: 'Commands run, by command name and result status (pass, warn, fail, error).',
      labelNames: ['command', 'status'],
      registers,
    }),
    stepDuration: new Histogram({
      name: 'meshbot_step_duration_seconds',
      help: 'Time a step took, by command name.',
      labelNames: ['command'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    sweepDuration: new Histogram({
      name: 'meshbot_sweep_duration_seconds',
      help: 'Time a mesh-wide sweep took.',
      labelNames: ['cluster'],
      buckets: [1, 2.5, 5, 10, 20, 30, 60, 120, 300],
      registers,
    }),
    servicesSwept: new Counter({
      name: 'meshbot_sweep_services_total',
      help: 'Services looked at by sweeps, by outcome (swept, drifted, not_asked).',
      labelNames: ['cluster', 'outcome'],
      registers,
    }),
    sweepFailures: new Counter({
      name: 'meshbot_sweep_failures_total',
      help: "Clusters a report run could not sweep (the sweep failed, or ran past the report's sweepTimeout), by cluster and reason (timeout, unreachable, forbidden, ...).",
      labelNames: ['cluster', 'reason'],
      registers,
    }),
    openFindings: new Gauge({
      name: 'meshbot_open_findings',
      help: 'Findings open in a scheduled report after its last run, by kind.',
      labelNames: ['report', 'kind'],
      registers,
    }),
    isLeader: new Gauge({
      name: 'meshbot_is_leader',
      help: '1 when this replica holds the Lease and runs the scheduled reports.',
      labelNames: ['lease'],
      registers,
    }),
    reportRuns: new Counter({
      name: 'meshbot_report_runs_total',
      help: 'Scheduled report runs, by report and outcome (ok, error).',
      labelNames: ['report', 'outcome'],
      registers,
    }),
    reportStateProblems: new Counter({
      name: 'meshbot_report_state_problems_total',
      help: 'Times the report state ConfigMap was foreign or corrupted and replaced.',
      registers,
    }),
    scaleTestsRestored: new Counter({
      name: 'meshbot_scale_tests_restored_total',
      help: 'Workloads an interrupted scale test left changed, put back by recovery (outcome: restored, failed).',
      labelNames: ['outcome'],
      registers,
    }),
    slackErrors: new Counter({
      name: 'meshbot_slack_api_errors_total',
      help: 'Slack Web API answers that were not ok, by method and error code (http_<status> or request_failed when no code came).',
      labelNames: ['method', 'code'],
      registers,
    }),
    slackRateLimited: new Counter({
      name: 'meshbot_slack_api_rate_limit_retries_total',
      help: 'Slack Web API calls answered 429 (rate limited) and retried after Retry-After, by method.',
      labelNames: ['method'],
      registers,
    }),
    observeScaleTestRecovery(report) {
      if (report.restored.length > 0)
        m.scaleTestsRestored.inc({ outcome: 'restored' }, report.restored.length);
      if (report.failed.length > 0) m.scaleTestsRestored.inc({ outcome: 'failed' }, report.failed.length);
    },
    observeStep(command, result) {
      m.commands.inc({ command, status: result.status });
      m.stepDuration.observe({ command }, result.durationMs / 1000);
    },
    observeSweep(cluster, data, durationMs) {
      m.sweepDuration.observe({ cluster }, durationMs / 1000);
      m.servicesSwept.inc({ cluster, outcome: 'swept' }, data.services.swept);
      m.servicesSwept.inc({ cluster, outcome: 'drifted' }, data.services.drifted);
      m.servicesSwept.inc({ cluster, outcome: 'not_asked' }, data.services.notAsked);
    },
  };
  return m;
}

/** Sets a report's open-findings gauge from its open alerts (kinds no longer open go to 0). */
export function setOpenFindings(
  metrics: MeshbotMetrics,
  report: string,
  kinds: readonly string[],
  previous: ReadonlySet<string>,
): Set<string> {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const k of previous) if (!counts.has(k)) metrics.openFindings.set({ report, kind: k }, 0);
  for (const [kind, n] of counts) metrics.openFindings.set({ report, kind }, n);
  return new Set(counts.keys());
}
