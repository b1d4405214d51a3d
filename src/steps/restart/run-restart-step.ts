/**
 * The restart step: restarts an allow-listed Deployment the way `kubectl rollout restart`
 * does (the pod template annotation `kubectl.kubernetes.io/restartedAt`), then watches the
 * rollout until it completes, or times out and says where it stuck. It runs only after a
 * confirmation, and at most once per confirmation: the patch records the confirmation's id in
 * an annotation of the Deployment and applies only to the resourceVersion read before it, so
 * a second click (in this process or another replica) finds the claim and does not restart
 * again. Refusals are MeshbotError `refused`, before any change.
 */
import type { KubeRollout, OpenWatch, WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import type { StepResult } from '../../domain/step-result.js';
import { MeshbotError } from '../../errors.js';
import { formatDuration } from '../../grammar/duration.js';
import { formatWorkloadTarget, type WorkloadTarget } from '../../grammar/targets.js';
import { checkRestartAllowed } from './restart-policy.js';

export const RESTART_CLAIM_ANNOTATION = 'meshbot.io/restart-claim';
export const DEFAULT_RESTART_TIMEOUT_MS = 120_000;

export interface RestartRequest {
  target: WorkloadTarget;
  requestedBy: string;
  confirmedBy: string;
  /** The confirmation this restart answers; one confirmation restarts once. */
  confirmationId: string;
  allow: readonly string[];
  timeoutMs?: number;
  onProgress?: (text: string) => void;
  now?: () => Date;
}

export interface RestartClaim {
  id: string;
  by: string;
  at: string;
}

export interface RolloutSample {
  at: string;
  updated: number;
  available: number;
  /** Pods of older ReplicaSets still there. */
  old: number;
  desired: number;
}

export interface RestartData {
  workload: string;
  confirmationId: string;
  requestedBy: string;
  confirmedBy: string;
  restartedAt: string;
  /** True when this confirmation had already restarted it (a second click): nothing was changed now. */
  alreadyDone: boolean;
  completed: boolean;
  /** Where the rollout stuck, when it did not complete. */
  stuckAt?: string;
  rollout: RolloutSample[];
}

function parseClaim(raw: string | undefined): RestartClaim | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<RestartClaim>;
    return typeof v.id === 'string' && typeof v.by === 'string' && typeof v.at === 'string'
      ? { id: v.id, by: v.by, at: v.at }
      : undefined;
  } catch {
    return undefined;
  }
}

function sample(r: KubeRollout, at: Date): RolloutSample {
  return {
    at: at.toISOString(),
    updated: r.updatedReplicas,
    available: r.availableReplicas,
    old: Math.max(0, r.statusReplicas - r.updatedReplicas),
    desired: r.replicas,
  };
}

/** `kubectl rollout status`'s test: the controller saw the change and every pod is new and available. */
export function rolloutComplete(r: KubeRollout, sinceGeneration: number): boolean {
  return (
    r.observedGeneration >= sinceGeneration &&
    r.updatedReplicas === r.replicas &&
    r.statusReplicas === r.replicas &&
    r.availableReplicas >= r.replicas
  );
}

export function describeRollout(s: RolloutSample): string {
  const parts = [`${s.updated} of ${s.desired} new pods`, `${s.available} available`];
  if (s.old > 0) parts.push(`${s.old} old pod${s.old === 1 ? '' : 's'} still there`);
  return parts.join(', ');
}

function inProgress(r: KubeRollout): boolean {
  return (
    r.observedGeneration < r.generation || r.updatedReplicas < r.replicas || r.statusReplicas > r.replicas
  );
}

/** Waits for the rollout to complete, from watch events; resolves with whether it did. */
async function waitForRollout(
  scaling: Pick<WorkloadScaling, 'watchRollout'>,
  target: WorkloadTarget,
  sinceGeneration: number,
  timeoutMs: number,
  now: () => Date,
  onSample: (s: RolloutSample) => void,
): Promise<{ completed: boolean; last?: KubeRollout; deadline?: boolean; watchError?: string }> {
  let watch: OpenWatch<KubeRollout> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let last: KubeRollout | undefined;
  try {
    return await new Promise((resolve, reject) => {
      const see = (r: KubeRollout): boolean => {
        last = r;
        onSample(sample(r, now()));
        if (rolloutComplete(r, sinceGeneration)) {
          resolve({ completed: true, last: r });
          return true;
        }
        if (r.deadlineExceeded && r.observedGeneration >= sinceGeneration) {
          resolve({ completed: false, last: r, deadline: true });
          return true;
        }
        return false;
      };
      timer = setTimeout(() => resolve({ completed: false, ...(last ? { last } : {}) }), timeoutMs);
      scaling
        .watchRollout(
          target,
          {
            onEvent: (type, r) => {
              if (type !== 'DELETED') see(r);
            },
            onEnd: (err) => {
              if (err) resolve({ completed: false, ...(last ? { last } : {}), watchError: err.message });
            },
          },
          { timeoutSeconds: Math.ceil(timeoutMs / 1000) + 5 },
        )
        .then((w) => {
          watch = w;
          for (const r of w.initial) if (see(r)) return;
        }, reject);
    });
  } finally {
    if (timer) clearTimeout(timer);
    watch?.close();
  }
}

export async function runRestartStep(
  req: RestartRequest,
  scaling: Pick<WorkloadScaling, 'getRollout' | 'restartDeployment' | 'watchRollout'>,
): Promise<StepResult<RestartData>> {
  const now = req.now ?? (() => new Date());
  const started = now();
  const text = formatWorkloadTarget(req.target);
  const timeoutMs = req.timeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS;
  checkRestartAllowed(req.target, req.allow);
  const before = await scaling.getRollout(req.target);
  if (!before) {
    throw new MeshbotError(
      'not-found',
      `${text} does not exist`,
      `kubectl -n ${req.target.namespace} get deployments`,
    );
  }
  const previous = parseClaim(before.annotations[RESTART_CLAIM_ANNOTATION]);
  let alreadyDone = previous?.id === req.confirmationId;
  let restartedAt = alreadyDone ? previous!.at : now().toISOString();
  let generation = before.generation;
  if (!alreadyDone) {
    if (before.paused) {
      throw new MeshbotError(
        'refused',
        `${text} has its rollouts paused; a restart would not roll`,
        `kubectl -n ${req.target.namespace} rollout resume ${req.target.name}`,
      );
    }
    if (before.replicas === 0) {
      throw new MeshbotError('refused', `${text} is scaled to zero: there is no pod to restart`);
    }
    if (inProgress(before)) {
      throw new MeshbotError(
        'refused',
        `a rollout of ${text} is already in progress (${describeRollout(sample(before, now()))})`,
        `Wait for it: kubectl -n ${req.target.namespace} rollout status deploy/${req.target.name}`,
      );
    }
    const claim: RestartClaim = { id: req.confirmationId, by: req.confirmedBy, at: restartedAt };
    try {
      const patched = await scaling.restartDeployment(
        req.target,
        restartedAt,
        { key: RESTART_CLAIM_ANNOTATION, value: JSON.stringify(claim) },
        before.resourceVersion,
      );
      generation = patched.generation;
      req.onProgress?.(`restarted ${text} (restartedAt ${restartedAt}); waiting for the rollout`);
    } catch (err) {
      if (!(err instanceof MeshbotError) || err.kind !== 'conflict') throw err;
      // Someone changed it between our read and our patch: was it this same confirmation?
      const again = await scaling.getRollout(req.target);
      const other = parseClaim(again?.annotations[RESTART_CLAIM_ANNOTATION]);
      if (!again || other?.id !== req.confirmationId) throw err;
      alreadyDone = true;
      restartedAt = other.at;
      generation = again.generation;
    }
  }
  if (alreadyDone)
    req.onProgress?.(`${text} was already restarted for this confirmation at ${restartedAt}; not again`);
  const rollout: RolloutSample[] = [];
  const waited = await waitForRollout(scaling, req.target, generation, timeoutMs, now, (s) => {
    const prev = rollout[rollout.length - 1];
    if (prev && prev.updated === s.updated && prev.available === s.available && prev.old === s.old) return;
    rollout.push(s);
    req.onProgress?.(`rollout of ${text}: ${describeRollout(s)}`);
  });
  const lastSample = rollout[rollout.length - 1];
  const data: RestartData = {
    workload: text,
    confirmationId: req.confirmationId,
    requestedBy: req.requestedBy,
    confirmedBy: req.confirmedBy,
    restartedAt,
    alreadyDone,
    completed: waited.completed,
    rollout,
  };
  const elapsed = formatDuration((now().getTime() - started.getTime()) / 1000);
  if (!waited.completed) {
    data.stuckAt = waited.watchError
      ? `the watch of the rollout ended: ${waited.watchError}`
      : waited.deadline
        ? `progress deadline exceeded at ${lastSample ? describeRollout(lastSample) : 'unknown progress'}`
        : `after ${formatDuration(timeoutMs / 1000)}: ${lastSample ? describeRollout(lastSample) : 'no progress seen'}`;
  }
  const evidence = [
    {
      title: `Rollout of ${text}`,
      columns: ['Time (UTC)', 'New pods', 'Available', 'Old pods'],
      rows: rollout.map((s) => [s.at, `${s.updated}/${s.desired}`, String(s.available), String(s.old)]),
    },
  ];
  const who = `confirmed by ${req.confirmedBy}`;
  return {
    step: 'restart',
    target: text,
    status: waited.completed ? 'pass' : 'fail',
    summary: waited.completed
      ? `${alreadyDone ? 'Already restarted for this confirmation' : 'Restarted'} ${text} (${who}); the rollout completed${alreadyDone ? '' : ` in ${elapsed}`}`
      : `Restarted ${text} (${who}) but the rollout did not complete: stuck ${data.stuckAt}`,
    findings: [
      waited.completed
        ? {
            severity: 'info',
            code: alreadyDone ? 'restart-already-done' : 'restarted',
            subject: text,
            message: alreadyDone
              ? `This confirmation already restarted ${text} at ${restartedAt}; it was not restarted again`
              : `${text} restarted at ${restartedAt}; every pod replaced and available`,
          }
        : {
            severity: 'fail',
            code: 'rollout-stuck',
            subject: text,
            message: `The rollout of ${text} is stuck ${data.stuckAt}`,
            hint: `Look at the new pods: kubectl -n ${req.target.namespace} get pods; kubectl -n ${req.target.namespace} describe deploy/${req.target.name}`,
          },
    ],
    evidence,
    next: [],
    data,
    startedAt: started.toISOString(),
    durationMs: now().getTime() - started.getTime(),
  };
}
