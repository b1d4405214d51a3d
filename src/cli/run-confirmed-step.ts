import type { Adapters } from '../adapters/open-adapters.js';
import { EXIT } from '../errors.js';
import type { RunnableCommand } from '../grammar/parse-command.js';
import type { ConfirmationPlan } from '../steps/step-registry.js';
import { cliUser } from './cli-user.js';
import { writeStepResult, type CommandIO, type LabelResult } from './command-io.js';
import type { OutputFormat } from './output-format.js';
import { exitCodeForStatus } from './step-exit-code.js';

export interface ConfirmedRun<Settings> {
  /** The CLI's confirmation. */
  yes: boolean;
  settings: Settings;
  format: OutputFormat;
  /** Names the cluster in the plan and the result (configured clusters). */
  label?: LabelResult;
}

/** Where a command that changes the cluster writes, who asked, and what stops it. */
export interface ConfirmedStepIO extends CommandIO {
  /** Stops the change (the CLI wires SIGINT/SIGTERM to it); what it changed is put back. */
  signal?: AbortSignal;
  /** Who asked, recorded on what it changes; default `cli:<user>`. */
  requestedBy?: string;
}

/**
 * Plan -> confirm -> run of a step that changes the cluster, on the command line, where --yes is
 * the confirmation: without it, says what would change and exits 2, having changed nothing;
 * with it, runs the step (progress on stderr), writes the result and returns the exit code its
 * status implies. The step's run checks everything its plan checks.
 */
export async function runConfirmedStep<C extends RunnableCommand, Plan, Settings>(
  confirmation: ConfirmationPlan<C, Plan, Settings>,
  command: C,
  adapters: Adapters,
  run: ConfirmedRun<Settings>,
  io: ConfirmedStepIO,
): Promise<number> {
  if (!run.yes) {
    const plan = await confirmation.plan(command, adapters, run.settings);
    io.stderr.write(
      `This would change ${run.label?.cluster !== undefined ? `cluster "${run.label.cluster}"` : 'the cluster'}: ${confirmation.describe(plan)}.\nNothing was changed. Run again with --yes to do it.\n`,
    );
    return EXIT.usage;
  }
  const ran = await confirmation.run(command, adapters, {
    requestedBy: io.requestedBy ?? cliUser(),
    settings: run.settings,
    ...(io.signal ? { signal: io.signal } : {}),
    onProgress: (text) => void io.stderr.write(`  ${text}\n`),
  });
  const result = run.label ? run.label(ran) : ran;
  writeStepResult(io, result, run.format);
  return exitCodeForStatus(result.status);
}
