import type { Adapters } from '../adapters/open-adapters.js';
import type { ClusterOptions } from '../adapters/cluster-options.js';
import type { StepResult } from '../domain/step-result.js';
import type { RunnableCommand } from '../grammar/parse-command.js';
import { describeError, exitCodeForError } from '../errors.js';
import { renderStepResultJson } from '../render/json/render-step-result-json.js';
import { renderStepResultText } from '../render/text/render-step-result-text.js';
import { useColor } from '../render/text/use-color.js';
import type { OutputFormat } from './output-format.js';
import { exitCodeForStatus } from './step-exit-code.js';

/** Where a command writes; tests pass their own streams and environment. */
export interface CommandIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

export const processIO = (): CommandIO => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});

/** Prints an error as `Error: message` and `Hint: hint` (never a stack) and returns its exit code. */
export function reportError(stderr: { write(text: string): unknown }, err: unknown): number {
  const { message, hint } = describeError(err);
  stderr.write(`Error: ${message}\n${hint ? `Hint: ${hint}\n` : ''}`);
  return exitCodeForError(err);
}

/** Prints a step result as JSON (the StepResult itself) or as text for a terminal. */
export function writeStepResult(io: CommandIO, result: StepResult, format: OutputFormat): void {
  io.stdout.write(
    format === 'json'
      ? renderStepResultJson(result)
      : renderStepResultText(result, { color: useColor(io.stdout, io.env), commandPrefix: 'meshbot ' }),
  );
}

/**
 * Opens the cluster's adapter set, gives it to `work`, and closes it whatever happens. The
 * adapters load when a command runs (`import()`), so `meshbot --help` does not pay for them.
 */
export async function withAdapters<T>(
  options: ClusterOptions,
  work: (adapters: Adapters) => Promise<T>,
): Promise<T> {
  const { openAdapters, DEFAULT_CLUSTER } = await import('../adapters/open-adapters.js');
  // Named as serve's pool names it (singleClusterPool), so what a command records matches.
  const adapters = await openAdapters(options, options.context ?? DEFAULT_CLUSTER);
  try {
    return await work(adapters);
  } finally {
    await adapters.close();
  }
}

/**
 * A read-only command as the CLI runs it: its step (through the registry, which loads it) over
 * the cluster's adapters, the result written, the exit code its status implies.
 */
export async function runStepCommand(
  command: RunnableCommand,
  options: ClusterOptions,
  format: OutputFormat,
  io: CommandIO,
): Promise<number> {
  const { runCommand } = await import('../steps/run-command.js');
  return withAdapters(options, async (adapters) => {
    const result = await runCommand(command, adapters);
    writeStepResult(io, result, format);
    return exitCodeForStatus(result.status);
  });
}
