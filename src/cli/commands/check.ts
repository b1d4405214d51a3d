import type { Command } from 'commander';
import type { StepStatus } from '../../domain/step-result.js';
import { EXIT } from '../../errors.js';
import { renderStepResultJson } from '../../render/json/render-step-result-json.js';
import { useColor } from '../../render/text/use-color.js';
import { stepOf } from '../../steps/step-registry.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { addGrammarFlags, commandFromCli } from '../grammar-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';
import { processIO, reportError, withAdapters, type CommandIO } from '../command-io.js';

export interface CheckFlagValues extends ClusterFlagValues {
  proxy?: boolean;
  namespace?: string;
  output?: string;
  verbose?: boolean;
}

/**
 * Exit code of a check, as `linkerd check`: warnings alone still exit 0; 1 when a check
 * failed (or could not ask, e.g. a 403); 3 when Kubernetes could not be asked at all.
 */
export function exitCodeForCheck(status: StepStatus): number {
  switch (status) {
    case 'pass':
    case 'warn':
      return EXIT.ok;
    case 'fail':
      return EXIT.problem;
    case 'error':
      return EXIT.unreachable;
  }
}

/**
 * `meshbot check [--proxy] [--namespace NS]`: opens the adapters, runs the checks, prints them
 * grouped by category (or the StepResult as JSON) and returns the exit code: 0 healthy (or only
 * warnings), 1 a check failed, 2 usage, 3 could not ask. Never throws.
 */
export async function runCheckCommand(flags: CheckFlagValues, io: CommandIO = processIO()): Promise<number> {
  try {
    const format = readOutputFormat(flags.output);
    const command = commandFromCli('check', undefined, { ...flags });
    const options = readClusterOptions(flags);
    // Loaded when the command runs, so `meshbot --help` and other commands do not pay for them;
    // one at a time (jest's ESM loader fails concurrent imports that share a dependency).
    const { renderCheckText } = await import('../../render/text/render-check-text.js');
    return await withAdapters(options, async (adapters, label) => {
      const result = label(await stepOf('check').run(command, adapters, {}));
      io.stdout.write(
        format === 'json'
          ? renderStepResultJson(result)
          : renderCheckText(result, { color: useColor(io.stdout, io.env), verbose: flags.verbose === true }),
      );
      return exitCodeForCheck(result.status);
    });
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('check')
    .description(
      'Control-plane and data-plane health: the essentials of `linkerd check`, grouped by category',
    )
    .option('-v, --verbose', 'show what each passing check saw')
    .addHelpText(
      'after',
      '\nExit codes: 0 healthy (warnings allowed), 1 a check failed, 2 usage error, 3 Kubernetes could not be reached.\nEvery check and its hint: docs/check.md.',
    );
  addGrammarFlags(cmd, 'check');
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (flags: CheckFlagValues) => {
    process.exitCode = await runCheckCommand(flags);
  });
}
