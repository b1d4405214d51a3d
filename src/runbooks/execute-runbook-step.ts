/**
 * Runs one runbook step's command over a cluster's adapters. Read-only commands go through
 * the one dispatcher (runCommand); the two that change the cluster run here, and only because
 * the runner asked for, and got, a confirmation: the scale test, and a restart (once per
 * confirmation, allow-listed).
 * TODO(issue 9): dispatch through the step registry once it lands on main.
 */
import type { Adapters } from '../adapters/open-adapters.js';
import { DEFAULT_CONTROL_PLANE_NAMESPACE } from '../adapters/open-adapters.js';
import type { StepResult } from '../domain/step-result.js';
import { MeshbotError } from '../errors.js';
import type { MeshCommand } from '../grammar/parse-command.js';
import { defaultRestartAllowList } from '../steps/restart/restart-policy.js';
import { runRestartStep } from '../steps/restart/run-restart-step.js';
import { runCommand } from '../steps/run-command.js';
import { workloadScalingOf } from '../steps/scale-test/plan-scale-test.js';
import { runScaleTestStep } from '../steps/scale-test/run-scale-test-step.js';
import type { ScaleTestEvent, ScaleTestSettings } from '../steps/scale-test/scale-test-types.js';
import { describeProgress } from '../steps/scale-test/describe-progress.js';

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
  if (cmd.name !== 'scale-test' && cmd.name !== 'restart') return runCommand(cmd, adapters);
  if (exec.confirmedBy === undefined) {
    throw new MeshbotError('refused', `${cmd.name} changes the cluster and runs only after a confirmation`);
  }
  if (cmd.name === 'scale-test') {
    return runScaleTestStep(
      {
        target: cmd.target,
        requestedBy: exec.requestedBy,
        ...(settings.scaleTest ? { settings: settings.scaleTest } : {}),
        ...(settings.onProgress
          ? { onProgress: (e: ScaleTestEvent) => settings.onProgress?.(describeProgress(e)) }
          : {}),
      },
      adapters,
    );
  }
  return runRestartStep(
    {
      target: cmd.target,
      requestedBy: exec.requestedBy,
      confirmedBy: exec.confirmedBy,
      confirmationId: exec.confirmationId,
      allow:
        settings.restartAllow ??
        defaultRestartAllowList(adapters.options.controlPlaneNamespace ?? DEFAULT_CONTROL_PLANE_NAMESPACE),
      ...(settings.restartTimeoutMs !== undefined ? { timeoutMs: settings.restartTimeoutMs } : {}),
      ...(settings.onProgress ? { onProgress: settings.onProgress } : {}),
    },
    workloadScalingOf(adapters),
  );
}
