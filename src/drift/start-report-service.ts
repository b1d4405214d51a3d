/**
 * What `serve` runs for scheduled reports: leader election on the Lease, the schedules (run on
 * the leader only; what an earlier leader left unfinished is run when this replica starts
 * leading), the report state ConfigMap, the Slack notifier and the metrics. Nothing starts when
 * no report is configured. `stop()` stops the schedules, waits for a run in flight and releases
 * the Lease (SIGTERM).
 */
import { hostname } from 'node:os';
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ClusterOptions } from '../adapters/cluster-options.js';
import { createLeaseClient } from '../adapters/kube/lease-client.js';
import type { MeshbotConfig } from '../config/config-schema.js';
import { reportClusters } from '../config/reports-schema.js';
import type { StepResult } from '../domain/step-result.js';
import { MeshbotError } from '../errors.js';
import { setOpenFindings, type MeshbotMetrics } from '../metrics/meshbot-metrics.js';
import type { ReportActions } from '../slack/handle-report-actions.js';
import { createSlackReportNotifier } from '../slack/report-notifier.js';
import { createLeaderElector } from './leader-election.js';
import { createReportScheduler, type ReportScheduler } from './report-scheduler.js';
import { openReportStateStore } from './open-report-state-store.js';
import { listReports, reportNamed, type ReportCommands } from './report-commands.js';
import { runReport } from './run-report.js';

export interface ReportServiceOptions {
  config: MeshbotConfig;
  clusterOptions: ClusterOptions;
  client: webApi.WebClient;
  logger: Logger;
  metrics: MeshbotMetrics;
  env: NodeJS.ProcessEnv;
}

export interface ReportService extends ReportActions, ReportCommands {
  scheduler?: ReportScheduler;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export async function startReportService(o: ReportServiceOptions): Promise<ReportService> {
  const { config, logger, metrics } = o;
  if (config.reports.length === 0) {
    const none = async (): Promise<never> => {
      throw new MeshbotError('usage', 'no report is configured', 'Add one under reports: in the config.');
    };
    return {
      isLeader: () => false,
      stop: async () => undefined,
      snooze: none,
      runNow: none,
      list: () => listReports([], { leader: false, nextRun: () => null }),
      run: async (name) => {
        throw reportNamed(name, []);
      },
    };
  }
  const identity = o.env.POD_NAME || hostname();
  const namespace = o.env.POD_NAMESPACE || 'meshbot';
  const { kube, store } = openReportStateStore(o.clusterOptions, namespace, (problem) => {
    metrics.reportStateProblems.inc();
    logger.warn({ problem }, 'report state replaced');
  });
  const { openAdapters } = await import('../adapters/open-adapters.js');
  const { runSweepStep } = await import('../steps/sweep/run-sweep-step.js');
  const maxConcurrency = Math.max(...config.reports.map((r) => r.concurrency));
  // One adapter set per swept cluster (opened on first use), with streams for the sweep's
  // concurrency; with `clusters:` each report sweeps its own clusters (docs/clusters.md).
  // Without, the one cluster's name in the pool is what findings and fingerprints are keyed by.
  const { createAdapterPool } = await import('../adapters/adapter-pool.js');
  const { clusterOptionsOf } = await import('../adapters/configured-clusters.js');
  const { DEFAULT_CLUSTER } = await import('../adapters/open-adapters.js');
  const swept = { ...o.clusterOptions, maxDestinationStreams: maxConcurrency };
  const cluster = DEFAULT_CLUSTER;
  const adapters = createAdapterPool(
    config.clusters
      ? Object.fromEntries(config.clusters.map((c) => [c.name, clusterOptionsOf(c, swept)]))
      : { [cluster]: swept },
    openAdapters,
    config.clusters !== undefined,
  );
  const notifier = createSlackReportNotifier(o.client, { namedClusters: config.clusters !== undefined });
  const lease = config.leaderElection.leaseName;
  const openKinds = new Map<string, Set<string>>();

  // Schedules run only while `elector` (below) says this replica leads.
  const scheduler: ReportScheduler = createReportScheduler({
    reports: config.reports,
    store,
    isLeader: () => elector.isLeader(),
    run: async (report, slot) => {
      const run = await runReport({
        report,
        cluster: config.clusters ? reportClusters(report, adapters.clusters) : cluster,
        sweep: async (request, signal) => {
          const result = await runSweepStep(request, await adapters.get(request.cluster), { signal });
          metrics.observeSweep(request.cluster, result.data, result.durationMs);
          return result;
        },
        store,
        notifier,
        slot,
        identity,
        // Unfenced when asked by hand on a replica that does not lead.
        ...(elector.isLeader() ? { fence: elector.fencingToken() ?? 0 } : {}),
      });
      metrics.reportRuns.inc({ report: report.name, outcome: 'ok' });
      for (const { cluster, reason } of run.notSwept) metrics.sweepFailures.inc({ cluster, reason });
      openKinds.set(
        report.name,
        setOpenFindings(
          metrics,
          report.name,
          Object.values(run.evaluation.open).map((a) => a.kind),
          openKinds.get(report.name) ?? new Set(),
        ),
      );
      logger.info({ report: report.name, slot, summary: run.result.summary }, 'report run finished');
      return run.result;
    },
    onRecover: (report, slot, reason) =>
      logger.info({ report: report.name, slot, reason }, 'running a slot the previous leader left'),
    onError: (report, err) => {
      metrics.reportRuns.inc({ report: report.name, outcome: 'error' });
      logger.error({ err, report: report.name }, 'report run failed');
    },
  });
  const elector = createLeaderElector({
    leases: createLeaseClient(kube),
    namespace,
    name: lease,
    identity,
    leaseDurationMs: config.leaderElection.leaseDuration,
    renewDeadlineMs: config.leaderElection.renewDeadline,
    retryPeriodMs: config.leaderElection.retryPeriod,
    onStartedLeading: (term) => {
      metrics.isLeader.set({ lease }, 1);
      logger.info({ identity, term }, 'leading: this replica runs the scheduled reports');
      void scheduler.recover().catch((err: unknown) => logger.error({ err }, 'report recovery failed'));
    },
    onStoppedLeading: () => {
      metrics.isLeader.set({ lease }, 0);
      logger.info({ identity }, 'no longer leading: the scheduled reports run elsewhere');
    },
    onNewLeader: (holder) => logger.info({ holder }, 'report leader'),
    onError: (err) => logger.warn({ err }, 'leader election: the Lease could not be read or written'),
  });
  metrics.isLeader.set({ lease }, 0);

  elector.start();
  scheduler.start();

  return {
    scheduler,
    isLeader: () => elector.isLeader(),
    async snooze(report, fingerprint, ms, by) {
      const now = new Date();
      await store.update((s) => {
        s.snoozes[fingerprint] = {
          fingerprint,
          until: new Date(now.getTime() + ms).toISOString(),
          by,
          at: now.toISOString(),
        };
        return s;
      });
      logger.info({ report, fingerprint, ms, by }, 'finding snoozed');
    },
    async runNow(report) {
      reportNamed(report, config.reports);
      await scheduler.runNow(report);
    },
    list: () =>
      listReports(config.reports, { leader: elector.isLeader(), nextRun: (name) => scheduler.nextRun(name) }),
    async run(name) {
      reportNamed(name, config.reports);
      return (await scheduler.runNow(name)) as StepResult;
    },
    async stop() {
      await scheduler.stop();
      await elector.stop();
      await adapters.close();
    },
  };
}
