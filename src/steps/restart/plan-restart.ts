/**
 * The restart's confirmation plan (the step registry's plan -> confirm -> run): the plan checks
 * the allow-list and that the deployment exists, and describes what will change; the run
 * restarts it once per confirmation (run-restart-step.ts).
 */
import type { Adapters } from '../../adapters/open-adapters.js';
import { DEFAULT_CONTROL_PLANE_NAMESPACE } from '../../adapters/open-adapters.js';
import type { StepResult } from '../../domain/step-result.js';
import { MeshbotError } from '../../errors.js';
import { formatDuration } from '../../grammar/duration.js';
import { formatWorkloadTarget, type WorkloadTarget } from '../../grammar/targets.js';
import { checkRestartAllowed, defaultRestartAllowList } from './restart-policy.js';
import { DEFAULT_RESTART_TIMEOUT_MS, runRestartStep } from './run-restart-step.js';

export interface RestartSettings {
  /** Allow-list; default the Linkerd control plane's deployments. */
  allow?: readonly string[];
  timeoutMs?: number;
  /** Who confirmed, and the confirmation's id (one restart per confirmation). */
  confirmedBy?: string;
  confirmationId?: string;
}

export interface RestartPlan {
  target: WorkloadTarget;
  replicas: number;
  description: string;
}

function allowOf(adapters: Adapters, settings: RestartSettings): readonly string[] {
  return (
    settings.allow ??
    defaultRestartAllowList(adapters.options.controlPlaneNamespace ?? DEFAULT_CONTROL_PLANE_NAMESPACE)
  );
}

export async function planRestart(
  target: WorkloadTarget,
  adapters: Adapters,
  settings: RestartSettings,
): Promise<RestartPlan> {
  checkRestartAllowed(target, allowOf(adapters, settings));
  const rollout = await adapters.scaling.getRollout(target);
  const text = formatWorkloadTarget(target);
  if (!rollout) throw new MeshbotError('not-found', `${text} does not exist`);
  return {
    target,
    replicas: rollout.replicas,
    description: `restart ${text}: its ${rollout.replicas} pod${rollout.replicas === 1 ? '' : 's'} replaced one by one (kubectl rollout restart), waiting at most ${formatDuration((settings.timeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS) / 1000)} for the rollout`,
  };
}

export async function runRestart(
  target: WorkloadTarget,
  adapters: Adapters,
  options: { requestedBy: string; settings: RestartSettings; onProgress?(text: string): void },
): Promise<StepResult> {
  const s = options.settings;
  return runRestartStep(
    {
      target,
      requestedBy: options.requestedBy,
      confirmedBy: s.confirmedBy ?? options.requestedBy,
      confirmationId: s.confirmationId ?? `restart-${Date.now().toString(36)}`,
      allow: allowOf(adapters, s),
      ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
    adapters.scaling,
  );
}
