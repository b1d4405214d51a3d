/**
 * The Deployment controller: one ReplicaSet per pod template (named DEPLOYMENT-HASH, with
 * the `pod-template-hash` label and a controller ownerReference), scaled to
 * `spec.replicas`; ReplicaSets of older templates are scaled to zero. Reports status
 * (replicas, updated, ready, available, observedGeneration, Available/Progressing conditions).
 */
import { mutateObject, type ClusterContext } from './cluster-context.js';
import {
  controllerOf,
  DEPLOYMENT,
  isTerminating,
  jsonEqual,
  nowIso,
  objectKey,
  ownerReferenceTo,
  REPLICA_SET,
  type Condition,
  type Workload,
} from './kube-refs.js';
import { podTemplateHash } from './name-hash.js';
import { createWorkQueue } from './work-queue.js';

const SOURCE = { component: 'deployment-controller' };
const REVISION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function nextCondition(
  old: Condition[] | undefined,
  c: Omit<Condition, 'lastTransitionTime'>,
  now: string,
): Condition {
  const prev = old?.find((o) => o.type === c.type);
  const same = prev && prev.status === c.status;
  return {
    type: c.type,
    status: c.status,
    lastUpdateTime:
      same && prev.reason === c.reason && prev.message === c.message ? (prev.lastUpdateTime ?? now) : now,
    lastTransitionTime: same ? (prev.lastTransitionTime ?? now) : now,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  };
}

export function startDeploymentController(ctx: ClusterContext): { stop(): void } {
  const { store, informers, recorder } = ctx;

  /** pod-template-hash per deployment, recomputed only when its generation moves. */
  const hashes = new Map<string, { generation: number; collisions: number; hash: string }>();
  function templateHash(d: Workload): string {
    const key = d.metadata.uid ?? objectKey(d);
    const generation = d.metadata.generation ?? 1;
    const collisions = num(d.status?.['collisionCount']);
    const known = hashes.get(key);
    if (known && known.generation === generation && known.collisions === collisions) return known.hash;
    const hash = podTemplateHash(d.spec.template, collisions);
    hashes.set(key, { generation, collisions, hash });
    return hash;
  }

  function scale(d: Workload, rs: Workload, to: number): void {
    const from = rs.spec.replicas ?? 0;
    if (from === to) return;
    mutateObject<Workload>(
      ctx,
      informers.replicaSets,
      REPLICA_SET,
      rs.metadata.namespace,
      rs.metadata.name,
      (o) => {
        o.spec.replicas = to;
        o.metadata.annotations = {
          ...o.metadata.annotations,
          'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas ?? 1),
        };
      },
    );
    recorder.record(
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} to ${to} from ${from}`,
      SOURCE,
    );
  }

  function sync(key: string): void {
    const d = informers.deployments.getByKey(key);
    if (!d || isTerminating(d)) return;
    const ns = d.metadata.namespace ?? 'default';
    const uid = d.metadata.uid ?? '';
    const replicas = d.spec.replicas ?? 1;
    const hash = templateHash(d);
    const owned = informers.replicaSets.byIndex('controller', uid);
    let newRs = owned.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash);
    const revisions = owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? '0'));

    let createdRs = false;
    if (!newRs) {
      createdRs = true;
      // The deployment's template is stored (frozen): the ReplicaSet's shares what it keeps of it.
      const template = {
        ...d.spec.template,
        metadata: {
          ...d.spec.template.metadata,
          labels: { ...d.spec.template.metadata?.labels, [HASH_LABEL]: hash },
        },
      };
      const base = d.spec.selector ?? { matchLabels: d.spec.template.metadata?.labels ?? {} };
      const selector = { ...base, matchLabels: { ...base.matchLabels, [HASH_LABEL]: hash } };
      const created = store.create(
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name: `${d.metadata.name}-${hash}`,
            namespace: ns,
            labels: { ...template.metadata.labels },
            annotations: {
              [REVISION]: String(Math.max(0, ...revisions) + 1),
              'deployment.kubernetes.io/desired-replicas': String(replicas),
              'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)),
            },
            ownerReferences: [ownerReferenceTo(d)],
          },
          spec: { replicas, selector, template },
        },
        { shared: true },
      ) as Workload;
      informers.replicaSets.observe(created);
      newRs = created;
      recorder.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata.name} to ${replicas}`,
        SOURCE,
      );
    } else {
      scale(d, newRs, replicas);
    }
    for (const rs of owned) if (rs !== newRs && (rs.spec.replicas ?? 0) > 0) scale(d, rs, 0);

    const all = informers.replicaSets.byIndex('controller', uid);
    const current = all.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash);
    const sum = (field: string): number => all.reduce((n, rs) => n + num(rs.status?.[field]), 0);
    const available = sum('availableReplicas');
    const updated = num(current?.status?.['replicas']);
    const total = sum('replicas');
    const maxUnavailable = Math.floor(replicas / 4);
    const now = nowIso();
    const oldConditions = d.status?.['conditions'] as Condition[] | undefined;
    const complete = updated === replicas && total === replicas && available === replicas;
    const rsName = current?.metadata.name ?? newRs.metadata.name;
    const status: Record<string, unknown> = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: sum('readyReplicas'),
      availableReplicas: available,
      ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
      conditions: [
        nextCondition(
          oldConditions,
          available >= replicas - maxUnavailable
            ? {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                message: 'Deployment has minimum availability.',
              }
            : {
                type: 'Available',
                status: 'False',
                reason: 'MinimumReplicasUnavailable',
                message: 'Deployment does not have minimum availability.',
              },
          now,
        ),
        nextCondition(
          oldConditions,
          complete
            ? {
                type: 'Progressing',
                status: 'True',
                reason: 'NewReplicaSetAvailable',
                message: `ReplicaSet "${rsName}" has successfully progressed.`,
              }
            : {
                type: 'Progressing',
                status: 'True',
                reason: 'ReplicaSetUpdated',
                message: `ReplicaSet "${rsName}" is progressing.`,
              },
          now,
        ),
      ],
    };
    if (d.status?.['collisionCount'] !== undefined) status['collisionCount'] = d.status['collisionCount'];
    for (const k of ['readyReplicas', 'availableReplicas', 'updatedReplicas', 'replicas']) {
      if (status[k] === 0) delete status[k];
    }
    // A ReplicaSet just created reports its first status in a moment, which brings this
    // deployment back here: write the deployment's status then (one write fewer per rollout).
    if (createdRs) return;
    if (jsonEqual(informers.deployments.getByKey(key)?.status, status)) return;
    mutateObject<Workload>(
      ctx,
      informers.deployments,
      DEPLOYMENT,
      ns,
      d.metadata.name,
      (o) => {
        if (jsonEqual(o.status, status)) return false;
        o.status = status;
      },
      uid,
    );
  }

  const queue = createWorkQueue(sync, ctx.onError('deployment-controller'));
  informers.deployments.onEvent((ev) => {
    if (ev.type === 'DELETED') hashes.delete(ev.object.metadata.uid ?? objectKey(ev.object));
    else queue.add(objectKey(ev.object));
  });
  informers.replicaSets.onEvent((ev) => {
    const owner = controllerOf(ev.object);
    if (owner?.kind === 'Deployment') queue.add(`${ev.object.metadata.namespace}/${owner.name}`);
  });
  return { stop: () => queue.stop() };
}
