import type { Adapters } from '../adapters/open-adapters.js';
import type { ClusterOptions } from '../adapters/cluster-options.js';
import type { StepResult } from '../domain/step-result.js';
import type { RunnableCommand } from '../grammar/parse-command.js';
import { describeError, exitCodeForError, MeshbotError } from '../errors.js';
import type { ClusterChoiceOptions } from './open-cluster-adapters.js';
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
 * A result as the command prints it: with its cluster when the clusters come from `clusters:`
 * (`cluster` is then that name; undefined with the one cluster of the flags).
 */
export type LabelResult = (<R extends StepResult>(result: R) => R) & { cluster: string | undefined };

/** How a command parses: `zodJit` for the commands that parse every service's objects (sweep, report). */
export interface ParsingSettings {
  zodJit?: boolean;
}

/**
 * Opens the adapter set of the cluster the command names (--cluster, --config), gives it to
 * `work`, and closes it whatever happens. With configured clusters an error names the cluster.
 * The adapters load when a command runs (`import()`), so `meshbot --help` does not pay for them.
 * zod parses without compiling its parsers (zod-without-jit.ts) unless `zodJit` is set.
 */
export async function withAdapters<T>(
  options: ClusterOptions & ClusterChoiceOptions,
  work: (adapters: Adapters, label: LabelResult) => Promise<T>,
  { zodJit = false }: ParsingSettings = {},
): Promise<T> {
  if (!zodJit) await import('./zod-without-jit.js');
  const { openClusterAdapters } = await import('./open-cluster-adapters.js');
  const { adapters, configured } = await openClusterAdapters(options);
  const label: LabelResult = Object.assign(
    <R extends StepResult>(result: R): R => (configured ? { ...result, cluster: adapters.cluster } : result),
    { cluster: configured ? adapters.cluster : undefined },
  );
  try {
    return await work(adapters, label);
  } catch (err) {
    if (configured && err instanceof MeshbotError && err.kind !== 'usage') {
      throw new MeshbotError(err.kind, `cluster "${adapters.cluster}": ${err.message}`, err.hint, {
        cause: err,
      });
    }
    throw err;
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
  options: ClusterOptions & ClusterChoiceOptions,
  format: OutputFormat,
  io: CommandIO,
): Promise<number> {
  // run-command builds no schema (its steps load inside withAdapters, after zod's setting).
  const { runCommand } = await import('../steps/run-command.js');
  return withAdapters(options, async (adapters, label) => {
    const result = label(await runCommand(command, adapters));
    writeStepResult(io, result, format);
    return exitCodeForStatus(result.status);
  });
}
