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

/**
 * A reader that stops early (`meshbot tap --help | head -3`) closes the pipe: the next write
 * fails with EPIPE. That is not the command's failure, and Node's default (an unhandled
 * 'error' event, a stack trace) is no way to say so: stop quietly, with the exit code the
 * command has set so far (0 if none). Any other write error is reported as one line.
 */
function onOutputError(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') {
    try {
      process.stderr.write(`Error: cannot write the output: ${err.message}\n`);
    } catch {
      // stderr is gone too: the exit code below still says it.
    }
    process.exit(EXIT.unreachable);
  }
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
}
process.stdout.on('error', onOutputError);
process.stderr.on('error', onOutputError);

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`Error: ${describeError(err).message}\n`);
    process.exitCode = EXIT.unreachable;
  },
);
