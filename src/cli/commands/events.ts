import type { Command } from 'commander';
import { commandSpec } from '../../grammar/parse-command.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { processIO, reportError, runStepCommand, type CommandIO } from '../command-io.js';
import { addGrammarFlags, commandFromCli } from '../grammar-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';

export interface EventsFlagValues extends ClusterFlagValues {
  window?: string;
  output?: string;
}

/**
 * `meshbot events deploy/NAME.NS|SVC.NS [--window 1h]`: the recent trouble of the pods
 * (restarts, termination reasons, failing probes, Warning events). Exit codes: 0 quiet, 1
 * trouble found, 2 usage, 3 could not ask.
 */
export async function runEventsCommand(
  targetArg: string,
  flags: EventsFlagValues,
  io: CommandIO = processIO(),
): Promise<number> {
  try {
    const command = commandFromCli('events', targetArg, { ...flags });
    const format = readOutputFormat(flags.output);
    return await runStepCommand(command, readClusterOptions(flags), format, io);
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('events')
    .argument('<target>', commandSpec('events').target!.description)
    .description(commandSpec('events').summary)
    .addHelpText(
      'after',
      '\nExit codes: 0 no trouble, 1 trouble found, 2 usage error, 3 Kubernetes could not be asked.',
    );
  addGrammarFlags(cmd, 'events');
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (target: string, flags: EventsFlagValues) => {
    process.exitCode = await runEventsCommand(target, flags);
  });
}
