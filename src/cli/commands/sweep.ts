import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../grammar/duration.js';
import { parseLabelSelector } from '../../grammar/label-selector.js';
import { checkNamespace, printable } from '../../grammar/targets.js';
import {
  DEFAULT_SWEEP_CONCURRENCY,
  MAX_SWEEP_CONCURRENCY,
  type SweepRequest,
} from '../../steps/sweep/sweep-types.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { processIO, reportError, withAdapters, writeStepResult, type CommandIO } from '../command-io.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';
import { exitCodeForStatus } from '../step-exit-code.js';

export interface SweepFlagValues extends ClusterFlagValues {
  namespace?: string[];
  selector?: string;
  concurrency?: string;
  persistence?: string;
  controlPlane?: boolean;
  output?: string;
}

/** Validates the sweep's own flags into a request (the cluster name comes from the adapters). */
export function readSweepFlags(flags: SweepFlagValues): Omit<SweepRequest, 'cluster'> {
  const request: Omit<SweepRequest, 'cluster'> = {};
  if (flags.namespace && flags.namespace.length > 0) {
    request.namespaces = [
      ...new Set(flags.namespace.flatMap((n) => n.split(',')).map((n) => checkNamespace(n.trim()))),
    ];
  }
  if (flags.selector !== undefined) request.selector = parseLabelSelector(flags.selector);
  if (flags.concurrency !== undefined) {
    const n = Number(flags.concurrency);
    if (!/^\d+$/.test(flags.concurrency) || n < 1 || n > MAX_SWEEP_CONCURRENCY) {
      throw new UsageError(
        `--concurrency "${printable(flags.concurrency)}" is not a whole number from 1 to ${MAX_SWEEP_CONCURRENCY}`,
        `At most ${MAX_SWEEP_CONCURRENCY} destination streams at once (default ${DEFAULT_SWEEP_CONCURRENCY}): the sweep must not load the destination it checks.`,
      );
    }
    request.concurrency = n;
  }
  if (flags.persistence !== undefined) {
    request.persistenceMs = Math.round(
      parseDuration(flags.persistence, '--persistence', { min: 0, max: 600 }) * 1000,
    );
  }
  if (flags.controlPlane === false) request.controlPlane = false;
  return request;
}

/**
 * `meshbot sweep`: every meshed service in scope compared with the destination, plus the control
 * plane's drift checks. Exit 0 clean, 1 drift found, 2 usage, 3 could not ask (all or part).
 */
export async function runSweepCommand(flags: SweepFlagValues, io: CommandIO = processIO()): Promise<number> {
  try {
    const request = readSweepFlags(flags);
    const format = readOutputFormat(flags.output);
    const options = readClusterOptions(flags);
    options.maxDestinationStreams = request.concurrency ?? DEFAULT_SWEEP_CONCURRENCY;
    // Loaded when the command runs, so `meshbot --help` and other commands do not pay for it.
    const { runSweepStep } = await import('../../steps/sweep/run-sweep-step.js');
    return await withAdapters(
      options,
      async (adapters, label) => {
        const result = label(
          await runSweepStep({ ...request, cluster: label.cluster ?? adapters.kube.context }, adapters),
        );
        writeStepResult(io, result, format);
        return exitCodeForStatus(result.status);
      },
      { zodJit: true },
    );
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command): void {
  const cmd = program
    .command('sweep')
    .description(
      'Compare every meshed service with what the destination serves, and check the control plane for drift (certificates, proxy versions, destination readiness)',
    )
    .option('-n, --namespace <ns>', 'sweep this namespace (repeatable; default: every namespace)', collect)
    .option('-l, --selector <labels>', 'only services with these labels, e.g. app=web,tier!=db')
    .option(
      '--concurrency <n>',
      `destination streams open at once (1-${MAX_SWEEP_CONCURRENCY})`,
      String(DEFAULT_SWEEP_CONCURRENCY),
    )
    .option(
      '--persistence <duration>',
      'a difference must be seen twice this far apart, with Kubernetes unchanged, to count (0 = one look)',
      '10s',
    )
    .option('--no-control-plane', 'skip the control-plane checks')
    .addHelpText(
      'after',
      '\n--timeout limits each Kubernetes call and each destination stream.\nExit codes: 0 clean, 1 drift found, 2 usage error, 3 Kubernetes or the destination could not be asked (all or part).',
    );
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (flags: SweepFlagValues) => {
    process.exitCode = await runSweepCommand(flags);
  });
}
