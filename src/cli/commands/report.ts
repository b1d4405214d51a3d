import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { buildCommand, commandSpec, type MeshCommand } from '../../grammar/parse-command.js';
import type { ReportConfig } from '../../config/reports-schema.js';
import type { StepResult } from '../../domain/step-result.js';
import type { Adapters } from '../../adapters/open-adapters.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { processIO, reportError, withAdapters, writeStepResult, type CommandIO } from '../command-io.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';
import { exitCodeForStatus } from '../step-exit-code.js';

export interface ReportFlagValues extends ClusterFlagValues {
  config?: string;
  output?: string;
  post?: boolean;
  stateNamespace?: string;
}

/** The next time of a cron schedule, as its node-cron task computes it (the task is not started). */
async function nextRunOf(report: ReportConfig): Promise<Date | null> {
  const { default: cron } = await import('node-cron');
  const task = cron.createTask(report.schedule, () => undefined, {
    ...(report.timezone ? { timezone: report.timezone } : {}),
  });
  try {
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    await task.destroy();
  }
}

/**
 * `--post`: the run a scheduler would do (slot `manual-...`, not fenced): judged against the
 * report state ConfigMap, new/worse/resolved findings told to the report's channel.
 */
async function postRun(
  report: ReportConfig,
  adapters: Adapters,
  flags: ReportFlagValues,
  env: NodeJS.ProcessEnv,
): Promise<StepResult> {
  const token = env.SLACK_BOT_TOKEN;
  if (!token) {
    throw new UsageError(
      'report run --post needs SLACK_BOT_TOKEN (the bot token, xoxb-...)',
      'Without --post the report is printed here and nothing is posted.',
    );
  }
  const { webApi } = await import('@slack/bolt');
  const { createSlackReportNotifier } = await import('../../slack/report-notifier.js');
  const { openReportStateStore } = await import('../../drift/open-report-state-store.js');
  const { runReport } = await import('../../drift/run-report.js');
  const { runSweepStep } = await import('../../steps/sweep/run-sweep-step.js');
  const { hostname } = await import('node:os');
  const namespace = flags.stateNamespace ?? (env.POD_NAMESPACE || 'meshbot');
  // The state `serve` judges against: with clusters:, in the home cluster, whichever is swept.
  const clusters = flags.config
    ? await (await import('../../config/load-clusters-file.js')).loadClustersFile(flags.config)
    : undefined;
  const { clusterOptionsOf, homeCluster } = await import('../../adapters/configured-clusters.js');
  const stateOptions = clusters
    ? clusterOptionsOf(homeCluster(clusters), adapters.options)
    : adapters.options;
  const { store } = openReportStateStore(stateOptions, namespace, (problem) =>
    process.stderr.write(`Warning: ${problem}\n`),
  );
  const client = new webApi.WebClient(token, env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {});
  const run = await runReport({
    report,
    cluster: adapters.cluster,
    sweep: (request, signal) => runSweepStep(request, adapters, { signal }),
    store,
    notifier: createSlackReportNotifier(client),
    slot: `manual-${new Date().toISOString()}`,
    identity: `cli-${hostname()}`,
  });
  return run.result;
}

/**
 * `meshbot report list` and `meshbot report run NAME [--post]`, parsed by the grammar as
 * `/mesh report` is. `list` reads only the config file's `reports:`; `run` sweeps the report's
 * scope with its checks and thresholds and prints the result (exit codes as `meshbot sweep`),
 * posting nothing unless `--post`.
 */
export async function runReportCommand(
  args: string[],
  flags: ReportFlagValues,
  io: CommandIO = processIO(),
): Promise<number> {
  try {
    const command = buildCommand('report', args, {}) as Extract<MeshCommand, { name: 'report' }>;
    const format = readOutputFormat(flags.output);
    if (flags.post && command.action !== 'run') {
      throw new UsageError('--post goes with report run NAME', 'meshbot report run NAME --post');
    }
    const { loadReportsConfig } = await import('../../config/load-config.js');
    const { listReports, reportNamed } = await import('../../drift/report-commands.js');
    const reports = await loadReportsConfig({
      env: io.env,
      ...(flags.config ? { configFile: flags.config } : {}),
    });
    if (command.action === 'list') {
      const next = new Map<string, Date | null>();
      for (const r of reports) next.set(r.name, await nextRunOf(r));
      writeStepResult(io, listReports(reports, { nextRun: (name) => next.get(name) ?? null }), format);
      return 0;
    }
    const report = reportNamed(command.report, reports);
    const options = readClusterOptions(flags);
    options.maxDestinationStreams = report.concurrency;
    // With clusters:, the report's own cluster unless --cluster names one (one cluster per CLI run).
    options.cluster ??=
      report.cluster ??
      (Array.isArray(report.clusters) && report.clusters.length === 1 ? report.clusters[0] : undefined);
    return await withAdapters(
      options,
      async (adapters) => {
        let result: StepResult;
        if (flags.post) result = await postRun(report, adapters, flags, io.env);
        else {
          const { sweepRequestOf } = await import('../../drift/run-report.js');
          const { runSweepStep } = await import('../../steps/sweep/run-sweep-step.js');
          result = await runSweepStep(sweepRequestOf(report, adapters.cluster), adapters);
        }
        writeStepResult(io, result, format);
        return exitCodeForStatus(result.status);
      },
      { zodJit: true },
    );
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const spec = commandSpec('report');
  const cmd = program
    .command('report')
    .argument('[action]', 'list, or run')
    .argument('[name]', 'the report to run')
    .description(spec.summary)
    .option('--config <file>', 'YAML config file with reports:; default: MESHBOT_CONFIG')
    .option('--post', "run: also tell the report's channel, as the schedule would (needs SLACK_BOT_TOKEN)")
    .option(
      '--state-namespace <ns>',
      'with --post: the namespace of the report state ConfigMap (default POD_NAMESPACE or meshbot)',
    )
    .addHelpText(
      'after',
      `\nUsage: meshbot ${spec.usage}\nrun prints the report and posts nothing unless --post.\nExit codes (run): 0 clean, 1 drift found, 2 usage or config error, 3 Kubernetes or the destination could not be asked (all or part).`,
    );
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (action: string | undefined, name: string | undefined, flags: ReportFlagValues) => {
    process.exitCode = await runReportCommand(
      [action, name].filter((a): a is string => a !== undefined),
      flags,
    );
  });
}
