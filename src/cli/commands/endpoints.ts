import type { Command } from 'commander';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { commandSpec } from '../../grammar/parse-command.js';
import { commandFromCli } from '../grammar-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';
import { processIO, reportError, runStepCommand, type CommandIO } from '../command-io.js';

export type { CommandIO } from '../command-io.js';

export interface EndpointsFlagValues extends ClusterFlagValues {
  output?: string;
}

/**
 * `meshbot endpoints SVC.NS[:PORT]`: validates the input, opens the adapters, runs the step,
 * prints text or JSON, and returns the exit code (0 consistent, 1 differences, 2 usage,
 * 3 could not ask). Never throws; errors are printed as a message and a hint.
 */
export async function runEndpointsCommand(
  targetArg: string,
  flags: EndpointsFlagValues,
  io: CommandIO = processIO(),
): Promise<number> {
  try {
    const command = commandFromCli('endpoints', targetArg, {});
    const format = readOutputFormat(flags.output);
    return await runStepCommand(command, readClusterOptions(flags), format, io);
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('endpoints')
    .alias('ep')
    .argument('<target>', commandSpec('endpoints').target!.description)
    .description(
      "Compare Kubernetes' endpoints with what the Linkerd destination controller serves; name stale and missing addresses",
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 consistent, 1 differences found, 2 usage error, 3 Kubernetes or the destination could not be reached.',
    );
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (target: string, flags: EndpointsFlagValues) => {
    process.exitCode = await runEndpointsCommand(target, flags);
  });
}
