import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeError, UsageError } from '../../errors.js';
import { parseDuration } from '../../grammar/duration.js';
import { metricsChartFilename } from '../../render/chart/metrics-chart-filename.js';
import { renderStepResultJson } from '../../render/json/render-step-result-json.js';
import { renderStepResultText } from '../../render/text/render-step-result-text.js';
import { useColor } from '../../render/text/use-color.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { commandSpec } from '../../grammar/parse-command.js';
import { addGrammarFlags, commandFromCli } from '../grammar-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';
import { addPrometheusFlags, readPrometheusOptions, type PrometheusFlagValues } from '../prometheus-flags.js';
import { exitCodeForStatus } from '../step-exit-code.js';
import { processIO, reportError, withAdapters, writeStepResult, type CommandIO } from '../command-io.js';
import type { ClusterOptions } from '../../adapters/cluster-options.js';
import type { OutputFormat } from '../output-format.js';

export interface MetricsFlagValues extends ClusterFlagValues, PrometheusFlagValues {
  window?: string;
  chartOut?: string;
  settle?: string;
  /** commander's `--no-chart` */
  chart?: boolean;
  output?: string;
}

/** `./meshbot-metrics-SVC.NS.png` */
export function defaultChartPath(service: string, namespace: string): string {
  return `./${metricsChartFilename(service, namespace)}`;
}

/**
 * `meshbot metrics SVC.NS [--window 30m]`: the destination controller's numbers for the service
 * and its pods' golden metrics from Prometheus, interpreted; the chart written to a PNG file.
 * Exit codes: 0 healthy, 1 a problem found (warn or fail), 2 usage, 3 Prometheus (or
 * Kubernetes) could not be asked. Never throws.
 */
export async function runMetricsCommand(
  targetArg: string | undefined,
  flags: MetricsFlagValues,
  io: CommandIO = processIO(),
): Promise<number> {
  try {
    // The shared grammar decides what a target and a window are, as in Slack.
    const parsed = commandFromCli('metrics', targetArg, { ...flags });
    const format = readOutputFormat(flags.output);
    const options = readPrometheusOptions(flags, readClusterOptions(flags));
    const target = parsed.target;
    if (target === undefined) return await runDestinationMetrics(parsed.windowSeconds, options, format, io);
    const chartPath =
      flags.chart === false
        ? undefined
        : (flags.chartOut ?? defaultChartPath(target.service, target.namespace));
    if (chartPath !== undefined && chartPath.trim() === '')
      throw new UsageError('--chart-out needs a file path');

    const settleSeconds =
      flags.settle !== undefined ? parseDuration(flags.settle, '--settle', { min: 0, max: 3600 }) : undefined;

    // Loaded when the command runs, so `meshbot --help` and other commands do not pay for them;
    // one at a time (jest's ESM loader fails concurrent imports that share a dependency).
    const { runMetricsStep } = await import('../../steps/metrics/run-metrics-step.js');
    const { attachMetricsChart } = await import('../../render/chart/attach-metrics-chart.js');
    return await withAdapters(options, async (adapters, label) => {
      const result = label(
        await runMetricsStep(
          {
            target,
            windowSeconds: parsed.windowSeconds,
            ...(settleSeconds !== undefined ? { settleSeconds } : {}),
          },
          adapters,
        ),
      );
      // Steps do not render: the CLI draws the chart from the step's series and thresholds.
      if (chartPath !== undefined) await attachMetricsChart(result, target);
      let chartNote = '';
      const chart = result.attachments?.[0];
      if (chart && chartPath !== undefined) {
        try {
          await writeFile(chartPath, chart.data);
          chart.path = resolve(chartPath);
          chartNote = `Chart: ${chartPath}\n`;
        } catch (err) {
          chartNote = `Could not write the chart to ${chartPath}: ${describeError(err).message}\n`;
        }
      }
      if (format === 'json') {
        io.stdout.write(renderStepResultJson(result));
        if (chartNote) io.stderr.write(chartNote);
      } else {
        io.stdout.write(
          renderStepResultText(result, { color: useColor(io.stdout, io.env), commandPrefix: 'meshbot ' }),
        );
        // The text renderer already names a written attachment's path; only a failure needs saying.
        if (chart?.path === undefined) io.stdout.write(chartNote);
      }
      return exitCodeForStatus(result.status);
    });
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

/** `meshbot metrics` without a target: the destination controller cluster-wide. */
async function runDestinationMetrics(
  windowSeconds: number,
  options: ClusterOptions,
  format: OutputFormat,
  io: CommandIO,
): Promise<number> {
  const { runDestinationMetricsStep } = await import('../../steps/metrics/run-destination-metrics-step.js');
  return withAdapters(options, async (adapters, label) => {
    const result = label(await runDestinationMetricsStep({ windowSeconds }, adapters));
    writeStepResult(io, result, format);
    return exitCodeForStatus(result.status);
  });
}

export function register(program: Command): void {
  const cmd = program
    .command('metrics')
    .argument('[target]', commandSpec('metrics').target!.description)
    .description(
      "The destination controller's numbers for a service, and the service's golden metrics, from Prometheus; with a PNG chart",
    )
    .option('--chart-out <file>', 'where to write the PNG chart (default: ./meshbot-metrics-SVC.NS.png)')
    .option('--no-chart', 'do not draw the chart')
    .option(
      '--settle <duration>',
      'pod changes younger than this are not held against the controller yet',
      '30s',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 healthy, 1 a problem found, 2 usage error, 3 Prometheus could not be asked.\nSee docs/metrics.md for the queries and thresholds.',
    );
  addPrometheusFlags(cmd);
  addGrammarFlags(cmd, 'metrics');
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (target: string | undefined, flags: MetricsFlagValues) => {
    process.exitCode = await runMetricsCommand(target, flags);
  });
}
