/**
 * Writes replicas through the `scale` subresource with a resourceVersion precondition: read
 * the scale, replace it with that version; on 409 read again and retry. Scaling up insists
 * the replicas are still what the test planned from; restoring does not.
 */
import type { WorkloadRef, WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import { MeshbotError } from '../../errors.js';

export interface SetReplicasOptions {
  /** Refuse (conflict) unless the current replicas are this. */
  expectFrom?: number;
  /** Writes tried at most. Default 5. */
  attempts?: number;
}

export interface SetReplicasOutcome {
  /** Replicas found before the write. */
  from: number;
  attempts: number;
  resourceVersion: string;
}

export async function setReplicas(
  scaling: Pick<WorkloadScaling, 'getScale' | 'replaceScale'>,
  ref: WorkloadRef,
  replicas: number,
  options: SetReplicasOptions = {},
): Promise<SetReplicasOutcome> {
  const max = options.attempts ?? 5;
  let lastError: unknown;
  for (let attempt = 1; attempt <= max; attempt++) {
    const scale = await scaling.getScale(ref);
    if (options.expectFrom !== undefined && scale.replicas !== options.expectFrom) {
      throw new MeshbotError(
        'conflict',
        `${ref.kind} ${ref.name} has ${scale.replicas} replicas, not the ${options.expectFrom} the test planned from: someone else is scaling it`,
        'Try again once it is stable.',
      );
    }
    if (scale.replicas === replicas) {
      return { from: scale.replicas, attempts: attempt - 1, resourceVersion: scale.resourceVersion };
    }
    try {
      const written = await scaling.replaceScale(ref, replicas, scale.resourceVersion);
      return { from: scale.replicas, attempts: attempt, resourceVersion: written.resourceVersion };
    } catch (err) {
      if (err instanceof MeshbotError && err.kind === 'conflict') {
        lastError = err;
        continue;
      }
      throw err;
    }
  }
  throw new MeshbotError(
    'conflict',
    `could not set ${ref.kind} ${ref.name} to ${replicas} replicas: it changed under every one of ${max} attempts`,
    'Something keeps writing it (an HPA, a GitOps controller?).',
    { cause: lastError },
  );
}
