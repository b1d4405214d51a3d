import type { Command } from 'commander';
import { commandSpec, type FlagValues } from '../grammar/parse-command.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from './cluster-flags.js';
import { processIO, reportError, runStepCommand, type CommandIO } from './command-io.js';
import { addGrammarFlags, commandFromCli } from './grammar-flags.js';
import { addOutputFlag, readOutputFormat } from './output-format.js';

/** The values commander hands a reading command: its grammar flags, the cluster flags, --output. */
export type ReadingFlagValues = ClusterFlagValues & { output?: string };

/** The reading steps on one target that run this way. */
export type ReadingCommandName = 'events' | 'tap' | 'proxy-logs';

export interface ReadingStepCommand<F extends ReadingFlagValues> {
  /** Runs `meshbot NAME TARGET --flags` and returns its exit code (errors are written, not thrown). */
  run(targetArg: string, flags: F, io?: CommandIO): Promise<number>;
  /** Declares the subcommand to commander: target, the grammar's flags, cluster flags, --output. */
  register(program: Command): void;
}

/**
 * A CLI command that runs one reading step on one target (`events`, `tap`, `proxy-logs`):
 * parsed by the grammar as `/mesh` text is, run on the chosen cluster's adapters, the result
 * written as text or JSON, the exit code from its status. `exitCodes` is the help's last line.
 */
export function readingStepCommand<F extends ReadingFlagValues>(
  name: ReadingCommandName,
  exitCodes: string,
): ReadingStepCommand<F> {
  const run = async (targetArg: string, flags: F, io: CommandIO = processIO()): Promise<number> => {
    try {
      const values: FlagValues = {};
      for (const [flag, value] of Object.entries(flags)) {
        if (typeof value === 'string' || typeof value === 'boolean') values[flag] = value;
      }
      const command = commandFromCli(name, targetArg, values);
      const format = readOutputFormat(flags.output);
      return await runStepCommand(command, readClusterOptions(flags), format, io);
    } catch (err) {
      return reportError(io.stderr, err);
    }
  };
  const register = (program: Command): void => {
    const spec = commandSpec(name);
    const cmd = program
      .command(name)
      .argument('<target>', spec.target?.description ?? 'the target')
      .description(spec.summary)
      .addHelpText('after', `\n${exitCodes}`);
    addGrammarFlags(cmd, name);
    addClusterFlags(cmd);
    addOutputFlag(cmd);
    cmd.action(async (target: string, flags: F) => {
      process.exitCode = await run(target, flags);
    });
  };
  return { run, register };
}
