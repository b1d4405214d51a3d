import type { Command } from 'commander';
import { buildCommand, commandSpec } from '../../grammar/parse-command.js';
import { parseDuration } from '../../grammar/duration.js';
import type { ProxyLogLevelSettings } from '../../steps/proxy-log-level/plan-proxy-log-level.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { processIO, reportError, withAdapters } from '../command-io.js';
import { addGrammarFlags } from '../grammar-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';
import { runConfirmedStep, type ConfirmedStepIO } from '../run-confirmed-step.js';

export interface ProxyLogLevelFlagValues extends ClusterFlagValues {
  for?: string;
  yes?: boolean;
  maxDuration?: string;
  output?: string;
}

/**
 * `meshbot proxy-log-level deploy/NAME.NS LEVEL [--for 10m] [--yes]`: without --yes, lists the
 * pods and their current levels and exits 2; with it, sets the level on every pod, holds it,
 * and puts every pod back when the time is up or on SIGINT/SIGTERM (progress on stderr).
 * Exit codes: 0 put back, 1 refused or not put back, 2 usage or --yes missing, 3 could not ask.
 */
export async function runProxyLogLevelCommand(
  targetArg: string,
  levelArg: string | undefined,
  flags: ProxyLogLevelFlagValues,
  io: ConfirmedStepIO & { settings?: Partial<ProxyLogLevelSettings> } = processIO(),
): Promise<number> {
  try {
    const parsed = buildCommand(
      'proxy-log-level',
      levelArg === undefined ? [targetArg] : [targetArg, levelArg],
      {
        for: flags.for,
      },
    );
    if (parsed.name !== 'proxy-log-level') throw new Error('unreachable');
    const format = readOutputFormat(flags.output);
    const settings: Partial<ProxyLogLevelSettings> = {
      ...(io.settings ?? {}),
      ...(flags.maxDuration !== undefined
        ? { maxDurationSeconds: parseDuration(flags.maxDuration, '--max-duration', { min: 10, max: 86400 }) }
        : {}),
    };
    const { stepOf } = await import('../../steps/step-registry.js');
    return await withAdapters(readClusterOptions(flags), (adapters, label) =>
      runConfirmedStep(
        stepOf('proxy-log-level').confirmation,
        parsed,
        adapters,
        { yes: flags.yes === true, settings, format, label },
        io,
      ),
    );
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('proxy-log-level')
    .argument('<target>', 'deploy/NAME.NAMESPACE or statefulset/NAME.NAMESPACE')
    .argument('<level>', 'off, error, warn, info, debug, trace, or a filter such as warn,linkerd=debug')
    .description(commandSpec('proxy-log-level').summary)
    .option('-y, --yes', 'do it (without it, print the pods and their levels and exit 2)')
    .option('--max-duration <duration>', 'the longest --for allowed (default 1h)')
    .addHelpText(
      'after',
      '\nExit codes: 0 set and put back, 1 refused or not put back, 2 usage error or --yes missing, 3 Kubernetes could not be asked.\nCtrl-C (or SIGTERM) puts every pod back at once. See docs/proxy-log-level.md.',
    );
  addGrammarFlags(cmd, 'proxy-log-level');
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (target: string, level: string, flags: ProxyLogLevelFlagValues) => {
    const stop = new AbortController();
    const onSignal = (): void => {
      process.stderr.write('meshbot: putting every pod back to its log level...\n');
      stop.abort('shutdown');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      process.exitCode = await runProxyLogLevelCommand(target, level, flags, {
        ...processIO(),
        signal: stop.signal,
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
