import type { Command } from 'commander';
import type { ReportActions } from '../../slack/handle-report-actions.js';
import type { ReportCommands } from '../../drift/report-commands.js';
import { MeshbotError } from '../../errors.js';
import { slackErrorCode } from '../../slack/slack-error.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { reportError } from '../command-io.js';

export interface ServeFlagValues extends ClusterFlagValues {
  config?: string;
}

/**
 * Cluster settings may also come from the environment (the Deployment's ConfigMap):
 * MESHBOT_KUBECONFIG, MESHBOT_CONTEXT, MESHBOT_DESTINATION, MESHBOT_CONTROL_PLANE_NAMESPACE,
 * MESHBOT_PROMETHEUS_URL. A flag given on the command line wins.
 */
export function clusterFlagsWithEnv(
  flags: ServeFlagValues,
  env: NodeJS.ProcessEnv,
  isDefault: (name: keyof ClusterFlagValues) => boolean = (name) => flags[name] === undefined,
): ClusterFlagValues {
  const merged: ClusterFlagValues = { ...flags };
  const pick = (name: keyof ClusterFlagValues, envName: string): void => {
    const v = env[envName];
    if (v !== undefined && v !== '' && isDefault(name)) merged[name] = v;
  };
  pick('kubeconfig', 'MESHBOT_KUBECONFIG');
  pick('context', 'MESHBOT_CONTEXT');
  pick('destination', 'MESHBOT_DESTINATION');
  pick('controlPlaneNamespace', 'MESHBOT_CONTROL_PLANE_NAMESPACE');
  return merged;
}

/** Slack's answer to a bad token at start, as a configuration error a person can fix. */
function startError(err: unknown): unknown {
  const code = slackErrorCode(err);
  if (
    code === 'invalid_auth' ||
    code === 'not_authed' ||
    code === 'account_inactive' ||
    code === 'token_revoked'
  ) {
    return new MeshbotError(
      'config',
      `Slack refused the token (${code})`,
      'Check SLACK_BOT_TOKEN (xoxb-...) and SLACK_APP_TOKEN (xapp-..., with connections:write).',
    );
  }
  return err;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export interface ServeIO {
  stderr: { write(t: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Resolves when serving should stop; default: SIGINT or SIGTERM. */
  untilStopped: () => Promise<string>;
  /** Called once the bot serves, with its HTTP port. */
  onStarted?: (info: { port: number; mode: string }) => void;
}

/** How often serve asks every cluster for /version, so /readyz names those that stopped answering. */
const CLUSTER_PROBE_INTERVAL_MS = 30_000;

const processIO = (): ServeIO => ({ stderr: process.stderr, env: process.env, untilStopped: untilSignal });

/**
 * `meshbot serve`: validates the configuration (exit 2 listing every problem), starts the
 * Slack app (Socket Mode or HTTP) over one set of cluster adapters, and runs until SIGTERM.
 */
export async function runServe(
  flags: ServeFlagValues,
  io: ServeIO = processIO(),
  isDefault?: (name: keyof ClusterFlagValues) => boolean,
): Promise<number> {
  try {
    // Loaded when the command runs, so `meshbot --help` and other commands do not pay for them;
    // one at a time (jest's ESM loader fails concurrent imports that share a dependency).
    const { clusterOptionsOf, homeCluster, servedClusterPool } =
      await import('../../adapters/configured-clusters.js');
    const { createClusterReachability, unreachableNote } =
      await import('../../steps/clusters/cluster-reachability.js');
    const { loadConfig, redactConfig } = await import('../../config/load-config.js');
    const { createLogger } = await import('../../logging/create-logger.js');
    const { createClusterExecutor } = await import('../../slack/command-executor.js');
    const { createSlackApp } = await import('../../slack/create-app.js');
    const { startScaleTestRecovery } = await import('../../slack/recover-scale-tests-at-start.js');
    const { createClusterScaleTestRunner, settingsFromConfig } =
      await import('../../slack/scale-test-runner.js');
    const { runCommand } = await import('../../steps/run-command.js');
    const { createMeshbotMetrics } = await import('../../metrics/meshbot-metrics.js');
    const { startReportService } = await import('../../drift/start-report-service.js');
    const { executeReportCommand, listReports } = await import('../../drift/report-commands.js');
    const { loadRunbooks } = await import('../../runbooks/load-runbooks.js');
    const { createClusterRunbooks } = await import('../../slack/runbook/cluster-runbooks.js');
    const { createLogLevelRunner } = await import('../../slack/proxy-log-level/log-level-runner.js');
    const { createWorkloadWatches } = await import('../../adapters/workload-watches.js');
    const { startLogLevelRecovery } =
      await import('../../slack/proxy-log-level/recover-log-levels-at-start.js');
    const config = await loadConfig({ env: io.env, ...(flags.config ? { configFile: flags.config } : {}) });
    const clusterOptions = readClusterOptions(clusterFlagsWithEnv(flags, io.env, isDefault));
    if (io.env.MESHBOT_PROMETHEUS_URL) clusterOptions.prometheusUrl = io.env.MESHBOT_PROMETHEUS_URL;
    const logger = createLogger({ level: config.logLevel });
    logger.info({ config: redactConfig(config), cluster: clusterOptions }, 'meshbot serve starting');
    const metrics = createMeshbotMetrics();
    // One adapter set per cluster for the whole process: commands and scale tests share it.
    // With `clusters:` the file says where each cluster is (docs/clusters.md); without it, the
    // flags and environment name the one cluster, as before.
    const pool = servedClusterPool(config.clusters, clusterOptions);
    const reachability = createClusterReachability(pool);
    const executor = createClusterExecutor({
      pool,
      reachability,
      runCommand: async (command, adapters, ctx) => {
        const result = await runCommand(command, adapters, {
          ...ctx,
          readingSettings: { routes: config.routes, tap: config.tap },
        });
        metrics.observeStep(command.name, result);
        return result;
      },
    });
    // One watch of Deployments and StatefulSets per cluster carries both recoveries' records.
    const watches = createWorkloadWatches(pool, (cluster, err) =>
      logger.warn(
        { cluster, err: err instanceof Error ? err.message : String(err) },
        'workload watch failed',
      ),
    );
    const scaleTests = createClusterScaleTestRunner({
      pool,
      settings: settingsFromConfig(config.scaleTest),
      watches,
    });
    const logLevels = createLogLevelRunner({
      pool,
      watches,
      settings: {
        maxDurationSeconds: config.proxyLogLevel.maxDurationSeconds,
        maxPods: config.proxyLogLevel.maxPods,
      },
    });
    // Every runbook is checked now: a bad file stops serve here, never at click time.
    const runbooks = createClusterRunbooks({
      catalog: loadRunbooks(config.runbooksDir !== undefined ? { extraDir: config.runbooksDir } : {}),
      pool,
      buttonTtlMs: config.runbookButtonTtlHours * 3600_000,
      settings: {
        scaleTest: settingsFromConfig(config.scaleTest),
        restartTimeoutMs: config.restart.timeoutSeconds * 1000,
        ...(config.restart.allow ? { restartAllow: config.restart.allow } : {}),
      },
    });
    const starting = async (): Promise<never> => {
      throw new MeshbotError(
        'unreachable',
        'the scheduled reports are still starting',
        'Click again in a moment.',
      );
    };
    let reportService: ReportActions & ReportCommands = {
      snooze: starting,
      runNow: starting,
      list: () => listReports(config.reports, { leader: false, nextRun: () => null }),
      run: starting,
    };
    const bot = createSlackApp({
      config,
      // `report list|run` answer from the report service; every other command runs a step.
      execute: (command, ctx) =>
        command.name === 'report'
          ? executeReportCommand(command, reportService)
          : executor.execute(command, ctx),
      logger,
      scaleTests,
      logLevels,
      logLevelCluster: pool.clusters[0]!,
      runbooks,
      clusters: { names: pool.clusters, configured: pool.configured },
      readinessNotes: () => unreachableNote(reachability),
      metrics: { contentType: metrics.registry.contentType, metrics: () => metrics.registry.metrics() },
      slackCalls: {
        error: (method, code) => metrics.slackErrors.inc({ method, code }),
        rateLimited: (method) => metrics.slackRateLimited.inc({ method }),
      },
      // Bound once the report service has started (it posts with the app's client).
      reportActions: {
        snooze: (...args) => reportService.snooze(...args),
        runNow: (report) => reportService.runNow(report),
      },
    });
    let port: number;
    try {
      ({ port } = await bot.start());
    } catch (err) {
      await bot.stop();
      await reachability.stop();
      await scaleTests.close();
      await logLevels.close();
      watches.close();
      await pool.close();
      throw startError(err);
    }
    // Workloads a crashed scale test left changed are put back, and the channel is told.
    const recovery = startScaleTestRecovery({
      runner: scaleTests,
      client: bot.app.client,
      channel: config.scaleTest.notifyChannel,
      logger,
      onRestored: (report) => metrics.observeScaleTestRecovery(report),
    });
    // Pods an interrupted proxy-log-level left raised are put back (docs/proxy-log-level.md).
    const logLevelRecovery = startLogLevelRecovery({
      runner: logLevels,
      client: bot.app.client,
      channel: config.proxyLogLevel.notifyChannel,
      logger,
    });
    // Scheduled reports: the Lease-elected leader runs them (docs/reports.md).
    reachability.start(CLUSTER_PROBE_INTERVAL_MS);
    const reports = await startReportService({
      config,
      // Where the Lease and the report state live: the inCluster cluster, else the first (each
      // report sweeps its own clusters from the config).
      clusterOptions: config.clusters
        ? clusterOptionsOf(homeCluster(config.clusters), clusterOptions)
        : clusterOptions,
      client: bot.app.client,
      logger,
      metrics,
      env: io.env,
    });
    reportService = reports;
    io.onStarted?.({ port, mode: bot.mode });
    const reason = await io.untilStopped();
    logger.info({ reason }, 'meshbot serve stopping');
    await reports.stop(); // releases the Lease, so another replica takes over at once
    await reachability.stop();
    await recovery.stop();
    await scaleTests.close(); // cancels running scale tests and waits for their replicas to be back
    await logLevelRecovery.stop();
    watches.close(); // the recoveries' shared watches
    await logLevels.close(); // puts every pod of raised log levels back
    await bot.stop();
    await pool.close();
    return 0;
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('serve')
    .description(
      'Run the Slack bot: /mesh in Socket Mode (SLACK_APP_TOKEN) or HTTP mode (SLACK_SIGNING_SECRET)',
    )
    .option('--config <file>', 'YAML config file (authorization, rate limit, ...); default: MESHBOT_CONFIG')
    .addHelpText(
      'after',
      '\nEnvironment: SLACK_BOT_TOKEN (required), SLACK_APP_TOKEN or SLACK_SIGNING_SECRET, SLACK_API_URL, PORT, LOG_LEVEL, MESHBOT_CONFIG;\nMESHBOT_KUBECONFIG, MESHBOT_CONTEXT, MESHBOT_DESTINATION, MESHBOT_CONTROL_PLANE_NAMESPACE, MESHBOT_PROMETHEUS_URL.\nSee docs/slack.md.',
    );
  addClusterFlags(cmd);
  cmd.action(async (flags: ServeFlagValues) => {
    process.exitCode = await runServe(flags, processIO(), (name) => cmd.getOptionValueSource(name) !== 'cli');
  });
}
