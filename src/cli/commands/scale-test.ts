import type { Command } from 'commander';
import { parsePrometheusUrl } from '../../adapters/prometheus/prometheus-url.js';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../grammar/duration.js';
import { printable } from '../../grammar/targets.js';
import { stepOf } from '../../steps/step-registry.js';
import type { ScaleTestSettings } from '../../steps/scale-test/scale-test-types.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { commandSpec } from '../../grammar/parse-command.js';
import { commandFromCli } from '../grammar-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';
import { runConfirmedStep, type ConfirmedStepIO } from '../run-confirmed-step.js';
import { processIO, reportError, withAdapters } from '../command-io.js';

export interface ScaleTestFlagValues extends ClusterFlagValues {
  yes?: boolean;
  maxReplicas?: string;
  stageTimeout?: string;
  overallTimeout?: string;
  prometheus?: string;
  output?: string;
}

/** --max-replicas, --stage-timeout, --overall-timeout as scale-test settings. */
export function readScaleTestSettings(flags: ScaleTestFlagValues): Partial<ScaleTestSettings> {
  const settings: Partial<ScaleTestSettings> = {};
  if (flags.maxReplicas !== undefined) {
    const n = Number(flags.maxReplicas);
    if (!/^\d+$/.test(flags.maxReplicas) || n < 1 || n > 1000) {
      throw new UsageError(
        `--max-replicas ${printable(flags.maxReplicas)} is not a whole number from 1 to 1000`,
        'Give the most replicas the test may scale to, e.g. --max-replicas 10.',
      );
    }
    settings.maxReplicas = n;
  }
  if (flags.stageTimeout !== undefined) {
    settings.stageTimeoutMs = Math.round(
      parseDuration(flags.stageTimeout, '--stage-timeout', { min: 1, max: 600 }) * 1000,
    );
  }
  if (flags.overallTimeout !== undefined) {
    settings.overallTimeoutMs = Math.round(
      parseDuration(flags.overallTimeout, '--overall-timeout', { min: 5, max: 3600 }) * 1000,
    );
  }
  return settings;
}

/**
 * `meshbot scale-test deploy/NAME.NS|SVC.NS [--yes]`: first puts back any test a crash left
 * behind, then plans. Without --yes it prints what would change and exits 2 (it never
 * prompts, so it can run unattended). With --yes it runs, printing each stage as it comes
 * (stderr), then the result (stdout). Exit codes: 0 pass, 1 fail or refused, 2 usage or
 * --yes missing, 3 could not ask. SIGINT cancels the test and restores before exit.
 */
export async function runScaleTestCommand(
  targetArg: string,
  flags: ScaleTestFlagValues,
  io: ConfirmedStepIO = processIO(),
): Promise<number> {
  try {
    const parsed = commandFromCli('scale-test', targetArg, {});
    const format = readOutputFormat(flags.output);
    const settings = readScaleTestSettings(flags);
    const options = readClusterOptions(flags);
    if (flags.prometheus !== undefined) {
      options.prometheusUrl = parsePrometheusUrl(flags.prometheus).href.replace(/\/$/, '');
    }
    // Loaded when the command runs, so `meshbot --help` and other commands do not pay for them;
    // one at a time (jest's ESM loader fails concurrent imports that share a dependency).
    const { recoverInterruptedScaleTests } =
      await import('../../steps/scale-test/recover-interrupted-scale-tests.js');
    return await withAdapters(options, async (adapters, label) => {
      await recoverInterruptedScaleTests(adapters, {
        settings,
        notify: (text) => void io.stderr.write(`meshbot: ${text.split('\n').join('\nmeshbot: ')}\n`),
      });
      // Plan -> confirm -> run, as the step registry says; --yes is the CLI's confirmation.
      return runConfirmedStep(
        stepOf('scale-test').confirmation,
        parsed,
        adapters,
        { yes: flags.yes === true, settings, format, label },
        io,
      );
    });
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('scale-test')
    .argument('<target>', commandSpec('scale-test').target!.description)
    .description(
      'Scale a workload up by one, time every propagation stage (pods, EndpointSlices, the destination), and put it back',
    )
    .option('-y, --yes', 'do it (without it, print what would change and exit 2)')
    .option('--max-replicas <n>', 'refuse when replicas would pass this (default 20)')
    .option('--stage-timeout <duration>', 'limit of each stage, e.g. 30s (default 30s)')
    .option('--overall-timeout <duration>', 'limit of the whole test, e.g. 2m (default 2m)')
    .option('--prometheus <url>', 'Prometheus to check that endpoints_updates moves (optional)')
    .addHelpText(
      'after',
      '\nExit codes: 0 pass, 1 fail or refused, 2 usage error or --yes missing, 3 Kubernetes or the destination could not be reached.\nCtrl-C cancels the test and puts the replicas back. See docs/scale-test.md.',
    );
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (target: string, flags: ScaleTestFlagValues) => {
    const cancel = new AbortController();
    const onSigint = (): void => {
      process.stderr.write('meshbot: cancelling the scale test; putting the replicas back...\n');
      cancel.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      process.exitCode = await runScaleTestCommand(target, flags, { ...processIO(), signal: cancel.signal });
    } finally {
      process.off('SIGINT', onSigint);
    }
  });
}
