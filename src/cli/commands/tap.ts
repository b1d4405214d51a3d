import type { Command } from 'commander';
import { commandSpec } from '../../grammar/parse-command.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { processIO, reportError, runStepCommand, type CommandIO } from '../command-io.js';
import { addGrammarFlags, commandFromCli } from '../grammar-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';

export interface TapFlagValues extends ClusterFlagValues {
  to?: string;
  path?: string;
  method?: string;
  duration?: string;
  max?: string;
  output?: string;
}

/**
 * `meshbot tap deploy/NAME.NS [--to svc/NAME.NS] [--path PREFIX] [--method GET] [--duration 10s]
 * [--max 100]`: a bounded sample of the workload's live requests through linkerd-viz tap,
 * summarized per route; `--output json` carries every request. Exit codes: 0 healthy, 1 a
 * failing route (or no requests), 2 usage, 3 could not tap (viz missing, forbidden, unreachable).
 */
export async function runTapCommand(
  targetArg: string,
  flags: TapFlagValues,
  io: CommandIO = processIO(),
): Promise<number> {
  try {
    const command = commandFromCli('tap', targetArg, { ...flags });
    const format = readOutputFormat(flags.output);
    return await runStepCommand(command, readClusterOptions(flags), format, io);
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('tap')
    .argument('<target>', commandSpec('tap').target!.description)
    .description(commandSpec('tap').summary)
    .addHelpText(
      'after',
      '\nExit codes: 0 every route healthy, 1 a failing route or no requests, 2 usage error, 3 no tap (linkerd-viz missing, forbidden, unreachable).',
    );
  addGrammarFlags(cmd, 'tap');
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (target: string, flags: TapFlagValues) => {
    process.exitCode = await runTapCommand(target, flags);
  });
}
