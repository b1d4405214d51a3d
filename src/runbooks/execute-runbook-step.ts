/**
 * Runs one runbook step's command over a cluster's adapters, as the step registry says: a
 * read-only step through runCommand; a step that changes the cluster through its confirmation
 * plan's `run`, and only because the runner asked for, and got, a confirmation.
 */
import type { Adapters } from '../adapters/open-adapters.js';
import type { StepResult } from '../domain/step-result.js';
import { MeshbotError } from '../errors.js';
import type { MeshCommand } from '../grammar/parse-command.js';
import type { RestartSettings } from '../steps/restart/plan-restart.js';
import { runCommand } from '../steps/run-command.js';
import { stepOf } from '../steps/step-registry.js';
import type { ScaleTestSettings } from '../steps/scale-test/scale-test-types.js';

export interface RunbookStepSettings {
  scaleTest?: Partial<ScaleTestSettings>;
  /** Restart allow-list; default the Linkerd control plane's deployments. */
  restartAllow?: readonly string[];
  restartTimeoutMs?: number;
  onProgress?: (text: string) => void;
}

export interface StepExecution {
  requestedBy: string;
  /** Who confirmed it: required for a command that changes the cluster. */
  confirmedBy?: string;
  /** Identifies the confirmation (a restart runs once per confirmation). */
  confirmationId: string;
}

export async function executeRunbookStep(
  cmd: MeshCommand,
  exec: StepExecution,
  adapters: Adapters,
  settings: RunbookStepSettings = {},
): Promise<StepResult> {
  const progress = settings.onProgress ? { onProgress: settings.onProgress } : {};
  if (cmd.name !== 'scale-test' && cmd.name !== 'restart') return runCommand(cmd, adapters, progress);
  if (exec.confirmedBy === undefined) {
    throw new MeshbotError('refused', `${cmd.name} changes the cluster and runs only after a confirmation`);
  }
  if (cmd.name === 'scale-test') {
    return stepOf('scale-test').confirmation.run(cmd, adapters, {
      requestedBy: exec.requestedBy,
      settings: settings.scaleTest ?? {},
      ...progress,
    });
  }
  const restart: RestartSettings = {
    confirmedBy: exec.confirmedBy,
    confirmationId: exec.confirmationId,
    ...(settings.restartAllow ? { allow: settings.restartAllow } : {}),
    ...(settings.restartTimeoutMs !== undefined ? { timeoutMs: settings.restartTimeoutMs } : {}),
  };
  return stepOf('restart').confirmation.run(cmd, adapters, {
    requestedBy: exec.requestedBy,
    settings: restart,
    ...progress,
  });
}
