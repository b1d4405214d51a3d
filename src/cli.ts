#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { describeError, EXIT } from './errors.js';
import { reportError } from './cli/command-io.js';
import { registerCommands } from './cli/register-commands.js';

/** The `meshbot` command. Each subcommand lives in src/cli/commands/<name>.ts. */
export function buildProgram(): Command {
  const program = new Command('meshbot')
    .description('Linkerd incident runbooks as commands: endpoints, check, metrics, scale-test')
    .showHelpAfterError('(run meshbot --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (or help/version).
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
        ? EXIT.ok
        : EXIT.usage;
    }
    return reportError(process.stderr, err);
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`Error: ${describeError(err).message}\n`);
    process.exitCode = EXIT.unreachable;
  },
);
