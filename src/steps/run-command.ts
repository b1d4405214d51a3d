import type { Adapters } from '../adapters/open-adapters.js';
import type { StepResult } from '../domain/step-result.js';
import { MeshbotError } from '../errors.js';
import { formatCommand } from '../grammar/format-command.js';
import type { MeshCommand, RunnableCommand } from '../grammar/parse-command.js';
import { STEP_REGISTRY, type ReadingStep, type StepRunContext } from './step-registry.js';

/**
 * Runs the step a parsed command names, over the given adapters, as the step registry says.
 * Every front end (CLI, Slack, runbooks) goes through here. A step that changes the cluster is
 * refused: it runs only through its confirmation plan (Slack's buttons, the CLI's --yes).
 * `help` is answered by the front ends themselves and is refused here.
 */
export async function runCommand(
  cmd: MeshCommand,
  adapters: Adapters,
  ctx: StepRunContext = {},
): Promise<StepResult> {
  if (cmd.name === 'help') throw new MeshbotError('usage', 'help is not a step');
  const entry = STEP_REGISTRY[cmd.name];
  if (entry.mutating) {
    throw new MeshbotError(
      'refused',
      `${cmd.name} changes the cluster and runs only after a confirmation`,
      `In Slack, confirm it with the button; on the command line: meshbot ${formatCommand(cmd)} --yes.`,
    );
  }
  return (entry as ReadingStep<RunnableCommand>).run(cmd, adapters, ctx);
}
