/**
 * The Kubernetes writes and watches of the scale test, over @kubernetes/client-node: workloads
 * (Deployments, StatefulSets) and their `scale` subresource with resourceVersion
 * preconditions, the annotation that records a running test, HorizontalPodAutoscalers, and
 * list-then-watch of pods and EndpointSlices. Every failure becomes a MeshbotError: 403 names
 * the RBAC rule (e.g. `update` on `deployments/scale`), 409 is a `conflict`.
 */
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type ConfigurationOptions,
} from '@kubernetes/client-node';
import * as z from 'zod';
import { MeshbotError } from '../../errors.js';
import type { KubeEndpoint, KubePod } from './kube-adapter.js';
import { endpointSliceSchema, podSchema } from './kube-schemas.js';
import { endpointsFromSlices, formatLabelSelector, toKubePod } from './normalize-kube-objects.js';
import type { KubeCallContext, KubeCore } from './kube-core.js';
import { translateKubeError } from './translate-kube-error.js';

export type ScalableKind = 'deployment' | 'statefulset';

export interface WorkloadRef {
  kind: ScalableKind;
  name: string;
  namespace: string;
}

export interface KubeWorkload extends WorkloadRef {
  resourceVersion: string;
  /** spec.replicas (1 when unset, as the API server defaults it). */
  replicas: number;
  readyReplicas: number;
  /** spec.selector.matchLabels. */
  selector: Record<string, string>;
  /** Labels of the pod template. */
  templateLabels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ScaleState {
  replicas: number;
  resourceVersion: string;
}

export interface KubeHpa {
  name: string;
  namespace: string;
  /** scaleTargetRef.kind, e.g. Deployment. */
  targetKind: string;
  targetName: string;
  minReplicas?: number;
  maxReplicas: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** The EndpointSlice endpoints of one slice, normalized. */
export interface SliceState {
  name: string;
  endpoints: KubeEndpoint[];
}

export interface WatchHandlers<T> {
  onEvent(type: WatchEventType, object: T): void;
  /**
   * The watch ended before it was closed (undefined: the server ended it, e.g. its
   * timeoutSeconds; an error for the network or an ERROR event; `isWatchExpired` for a 410).
   */
  onEnd?(err: Error | undefined): void;
  /** A BOOKMARK event: every change up to this resourceVersion was delivered. */
  onBookmark?(resourceVersion: string): void;
}

export interface OpenWatch<T> {
  /** The list the watch starts from (empty when it resumed from `resourceVersion`). */
  initial: T[];
  /** Where the watch started: the list's resourceVersion, or the one it resumed from. */
  resourceVersion: string;
  close(): void;
}

export interface WatchOptions {
  /** The server ends the watch after this long (timeoutSeconds). */
  timeoutSeconds: number;
  /**
   * Resume: watch from this resourceVersion without listing (as client-go's reflector does
   * after a watch ends). When it is too old the watch ends with an error `isWatchExpired` says.
   */
  resourceVersion?: string;
}

/** A watch's resourceVersion left the server's history (410 Gone / Expired): list again. */
export class WatchExpiredError extends MeshbotError {
  constructor(resource: string, detail: string) {
    super('unreachable', `the ${resource} watch's resourceVersion is too old: ${detail}`);
    this.name = 'WatchExpiredError';
  }
}

export function isWatchExpired(err: unknown): err is WatchExpiredError {
  return err instanceof WatchExpiredError;
}

/** The Status object of a watch's ERROR event. */
const watchStatusSchema = z.object({ code: z.number().optional(), message: z.string().optional() });

export interface WorkloadScaling {
  getWorkload(ref: WorkloadRef): Promise<KubeWorkload | undefined>;
  /** Deployments and StatefulSets of a namespace, or of every namespace when absent. */
  listWorkloads(namespace?: string): Promise<KubeWorkload[]>;
  /** The controller of a ReplicaSet (a Deployment), when it has one. */
  getReplicaSetOwner(namespace: string, name: string): Promise<{ kind: string; name: string } | undefined>;
  listHpas(namespace: string): Promise<KubeHpa[]>;
  /**
   * Sets (string) or removes (null) one annotation with a merge patch. With `resourceVersion`
   * the patch applies only to that version (409 -> MeshbotError `conflict`).
   */
  setAnnotation(
    ref: WorkloadRef,
    key: string,
    value: string | null,
    resourceVersion?: string,
  ): Promise<KubeWorkload>;
  getScale(ref: WorkloadRef): Promise<ScaleState>;
  /** Replaces the scale subresource; `resourceVersion` is the precondition (409 -> `conflict`). */
  replaceScale(ref: WorkloadRef, replicas: number, resourceVersion: string): Promise<ScaleState>;
  watchPods(
    namespace: string,
    selector: Record<string, string>,
    handlers: WatchHandlers<KubePod>,
    options: WatchOptions,
  ): Promise<OpenWatch<KubePod>>;
  watchEndpointSlices(
    namespace: string,
    service: string,
    handlers: WatchHandlers<SliceState>,
    options: WatchOptions,
  ): Promise<OpenWatch<SliceState>>;
  /** A Deployment with its rollout state, or undefined when it does not exist. */
  getRollout(ref: WorkloadRef): Promise<KubeRollout | undefined>;
  /**
   * Restarts a Deployment as `kubectl rollout restart` does (the pod template annotation
   * `kubectl.kubernetes.io/restartedAt`), recording `claim` in one annotation of the object in
   * the same patch, applied only to `resourceVersion` (409 -> MeshbotError `conflict`).
   */
  restartDeployment(
    ref: WorkloadRef,
    restartedAt: string,
    claim: { key: string; value: string },
    resourceVersion: string,
  ): Promise<KubeRollout>;
  /** Deployments or StatefulSets of a namespace (every namespace when absent): list, then watch. */
  watchWorkloads(
    kind: ScalableKind,
    namespace: string | undefined,
    handlers: WatchHandlers<KubeWorkload>,
    options: WatchOptions,
  ): Promise<OpenWatch<KubeWorkload>>;
  /** Watches one Deployment's rollout (list, then watch from its resourceVersion). */
  watchRollout(
    ref: WorkloadRef,
    handlers: WatchHandlers<KubeRollout>,
    options: WatchOptions,
  ): Promise<OpenWatch<KubeRollout>>;
}

/** The annotation `kubectl rollout restart` sets on the pod template. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** A Deployment and where its rollout stands (the fields `kubectl rollout status` reads). */
export interface KubeRollout extends KubeWorkload {
  generation: number;
  observedGeneration: number;
  paused: boolean;
  /** status.replicas: pods of every ReplicaSet, old ones included. */
  statusReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  /** The pod template's restartedAt annotation, when set. */
  restartedAt?: string;
  /** The Progressing condition says ProgressDeadlineExceeded. */
  deadlineExceeded: boolean;
}

const labelMap = z.record(z.string(), z.string()).nullish();

const workloadSchema = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().nullish(),
    resourceVersion: z.string().nullish(),
    annotations: labelMap,
  }),
  spec: z
    .object({
      replicas: z.number().int().nullish(),
      selector: z.object({ matchLabels: labelMap }).nullish(),
      template: z.object({ metadata: z.object({ labels: labelMap }).nullish() }).nullish(),
    })
    .nullish(),
  status: z.object({ readyReplicas: z.number().int().nullish() }).nullish(),
});

const rolloutSchema = workloadSchema.extend({
  metadata: workloadSchema.shape.metadata.extend({ generation: z.number().int().nullish() }),
  spec: z
    .object({
      replicas: z.number().int().nullish(),
      paused: z.boolean().nullish(),
      selector: z.object({ matchLabels: labelMap }).nullish(),
      template: z
        .object({ metadata: z.object({ labels: labelMap, annotations: labelMap }).nullish() })
        .nullish(),
    })
    .nullish(),
  status: z
    .object({
      observedGeneration: z.number().int().nullish(),
      replicas: z.number().int().nullish(),
      updatedReplicas: z.number().int().nullish(),
      readyReplicas: z.number().int().nullish(),
      availableReplicas: z.number().int().nullish(),
      conditions: z
        .array(z.object({ type: z.string(), status: z.string(), reason: z.string().nullish() }))
        .nullish(),
    })
    .nullish(),
});

function toKubeRollout(obj: z.infer<typeof rolloutSchema>): KubeRollout {
  const restartedAt = obj.spec?.template?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION];
  return {
    ...toKubeWorkload('deployment', obj),
    generation: obj.metadata.generation ?? 0,
    observedGeneration: obj.status?.observedGeneration ?? 0,
    paused: obj.spec?.paused ?? false,
    statusReplicas: obj.status?.replicas ?? 0,
    updatedReplicas: obj.status?.updatedReplicas ?? 0,
    availableReplicas: obj.status?.availableReplicas ?? 0,
    ...(restartedAt ? { restartedAt } : {}),
    deadlineExceeded: (obj.status?.conditions ?? []).some(
      (c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
    ),
  };
}

const scaleSchema = z.object({
  metadata: z.object({ resourceVersion: z.string().nullish() }),
  spec: z.object({ replicas: z.number().int().nullish() }).nullish(),
});

const hpaSchema = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string().nullish() }),
  spec: z.object({
    scaleTargetRef: z.object({ kind: z.string(), name: z.string() }),
    minReplicas: z.number().int().nullish(),
    maxReplicas: z.number().int(),
  }),
});

const replicaSetSchema = z.object({
  metadata: z.object({
    ownerReferences: z
      .array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().nullish() }))
      .nullish(),
  }),
});

const listOf = <S extends z.ZodType>(item: S) =>
  z.object({ metadata: z.object({ resourceVersion: z.string().nullish() }).nullish(), items: z.array(item) });

function plural(kind: ScalableKind): string {
  return kind === 'deployment' ? 'deployments' : 'statefulsets';
}

export function toKubeWorkload(kind: ScalableKind, obj: z.infer<typeof workloadSchema>): KubeWorkload {
  return {
    kind,
    name: obj.metadata.name,
    namespace: obj.metadata.namespace ?? '',
    resourceVersion: obj.metadata.resourceVersion ?? '',
    replicas: obj.spec?.replicas ?? 1,
    readyReplicas: obj.status?.readyReplicas ?? 0,
    selector: obj.spec?.selector?.matchLabels ?? {},
    templateLabels: obj.spec?.template?.metadata?.labels ?? {},
    annotations: obj.metadata.annotations ?? {},
  };
}

/** A WorkloadScaling over the set's Kubernetes core (its limit, timeout and error translation). */
export function createWorkloadScaling(core: KubeCore): WorkloadScaling {
  const { server, timeoutMs, kubeConfig: kc } = core;
  const apps = kc.makeApiClient(AppsV1Api);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const core1 = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const parse = core.parse;

  /** One call; 404 -> undefined when `absentOk`; 409 -> conflict (the core's helper). */
  async function call<T>(
    ctx: KubeCallContext,
    fn: (o: ConfigurationOptions) => Promise<T>,
    absentOk = false,
  ): Promise<T | undefined> {
    return absentOk ? core.callOrAbsent(ctx, fn) : core.call(ctx, fn);
  }
  const must = <T>(v: T | undefined, ref: WorkloadRef): T => {
    if (v === undefined) {
      throw new MeshbotError(
        'not-found',
        `${ref.kind} ${ref.name} does not exist in namespace ${ref.namespace}`,
        `List them: kubectl -n ${ref.namespace} get ${plural(ref.kind)}`,
      );
    }
    return v;
  };

  async function getWorkload(ref: WorkloadRef): Promise<KubeWorkload | undefined> {
    const { name, namespace } = ref;
    const obj = await call(
      { verb: 'get', resource: plural(ref.kind), group: 'apps', namespace, name },
      (o) =>
        ref.kind === 'deployment'
          ? apps.readNamespacedDeployment({ name, namespace }, o)
          : apps.readNamespacedStatefulSet({ name, namespace }, o),
      true,
    );
    return obj === undefined ? undefined : toKubeWorkload(ref.kind, parse(workloadSchema, obj, 'workload'));
  }

  /** The list call of Deployments or StatefulSets, of a namespace or of every namespace. */
  function listKindCall(
    kind: ScalableKind,
    namespace: string | undefined,
    o: ConfigurationOptions,
  ): Promise<unknown> {
    if (kind === 'deployment') {
      return namespace
        ? apps.listNamespacedDeployment({ namespace }, o)
        : apps.listDeploymentForAllNamespaces({}, o);
    }
    return namespace
      ? apps.listNamespacedStatefulSet({ namespace }, o)
      : apps.listStatefulSetForAllNamespaces({}, o);
  }

  async function listKind(kind: ScalableKind, namespace?: string): Promise<KubeWorkload[]> {
    const list = await call(
      { verb: 'list', resource: plural(kind), group: 'apps', ...(namespace ? { namespace } : {}) },
      (o) => listKindCall(kind, namespace, o),
    );
    return parse(listOf(workloadSchema), list, `${kind} list`).items.map((w) => toKubeWorkload(kind, w));
  }

  async function listWorkloads(namespace?: string): Promise<KubeWorkload[]> {
    const [deployments, statefulSets] = await Promise.all([
      listKind('deployment', namespace),
      listKind('statefulset', namespace),
    ]);
    return [...deployments, ...statefulSets];
  }

  async function getReplicaSetOwner(
    namespace: string,
    name: string,
  ): Promise<{ kind: string; name: string } | undefined> {
    const obj = await call(
      { verb: 'get', resource: 'replicasets', group: 'apps', namespace, name },
      (o) => apps.readNamespacedReplicaSet({ name, namespace }, o),
      true,
    );
    if (obj === undefined) return undefined;
    const refs = parse(replicaSetSchema, obj, 'ReplicaSet').metadata.ownerReferences ?? [];
    const owner = refs.find((r) => r.controller) ?? refs[0];
    return owner ? { kind: owner.kind, name: owner.name } : undefined;
  }

  async function listHpas(namespace: string): Promise<KubeHpa[]> {
    const list = await call(
      { verb: 'list', resource: 'horizontalpodautoscalers', group: 'autoscaling', namespace },
      (o) => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }, o),
    );
    return parse(listOf(hpaSchema), list, 'HorizontalPodAutoscalerList').items.map((h) => {
      const hpa: KubeHpa = {
        name: h.metadata.name,
        namespace: h.metadata.namespace ?? namespace,
        targetKind: h.spec.scaleTargetRef.kind,
        targetName: h.spec.scaleTargetRef.name,
        maxReplicas: h.spec.maxReplicas,
      };
      if (h.spec.minReplicas !== null && h.spec.minReplicas !== undefined)
        hpa.minReplicas = h.spec.minReplicas;
      return hpa;
    });
  }

  async function setAnnotation(
    ref: WorkloadRef,
    key: string,
    value: string | null,
    resourceVersion?: string,
  ): Promise<KubeWorkload> {
    const { name, namespace } = ref;
    const body = {
      metadata: { annotations: { [key]: value }, ...(resourceVersion ? { resourceVersion } : {}) },
    };
    const obj = await call(
      { verb: 'patch', resource: plural(ref.kind), group: 'apps', namespace, name },
      (o) => {
        const opts = setHeaderOptions('Content-Type', PatchStrategy.MergePatch, o);
        return ref.kind === 'deployment'
          ? apps.patchNamespacedDeployment({ name, namespace, body }, opts)
          : apps.patchNamespacedStatefulSet({ name, namespace, body }, opts);
      },
      true,
    );
    return toKubeWorkload(ref.kind, parse(workloadSchema, must(obj, ref), 'workload'));
  }

  const toScale = (obj: unknown): ScaleState => {
    const s = parse(scaleSchema, obj, 'Scale');
    return { replicas: s.spec?.replicas ?? 0, resourceVersion: s.metadata.resourceVersion ?? '' };
  };

  async function getScale(ref: WorkloadRef): Promise<ScaleState> {
    const { name, namespace } = ref;
    const obj = await call(
      { verb: 'get', resource: `${plural(ref.kind)}/scale`, group: 'apps', namespace, name },
      (o) =>
        ref.kind === 'deployment'
          ? apps.readNamespacedDeploymentScale({ name, namespace }, o)
          : apps.readNamespacedStatefulSetScale({ name, namespace }, o),
      true,
    );
    return toScale(must(obj, ref));
  }

  async function replaceScale(
    ref: WorkloadRef,
    replicas: number,
    resourceVersion: string,
  ): Promise<ScaleState> {
    const { name, namespace } = ref;
    const body = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name, namespace, resourceVersion },
      spec: { replicas },
    };
    const obj = await call(
      { verb: 'update', resource: `${plural(ref.kind)}/scale`, group: 'apps', namespace, name },
      (o) =>
        ref.kind === 'deployment'
          ? apps.replaceNamespacedDeploymentScale({ name, namespace, body }, o)
          : apps.replaceNamespacedStatefulSetScale({ name, namespace, body }, o),
      true,
    );
    return toScale(must(obj, ref));
  }

  /** Lists, then watches from the list's resourceVersion, so no change between the two is missed. */
  async function listThenWatch<T>(
    ctx: KubeCallContext,
    path: string,
    query: Record<string, string>,
    list: (o: ConfigurationOptions) => Promise<unknown>,
    toItem: (raw: unknown) => T,
    handlers: WatchHandlers<T>,
    options: WatchOptions,
  ): Promise<OpenWatch<T>> {
    let initial: T[] = [];
    let from = options.resourceVersion;
    if (from === undefined) {
      const raw = await call(ctx, list);
      const parsed = parse(listOf(z.unknown()), raw, `${ctx.resource} list`);
      initial = parsed.items.map(toItem);
      from = parsed.metadata?.resourceVersion ?? '';
    }
    let closed = false;
    let controller: AbortController | undefined;
    const watchCtx = { ...ctx, verb: 'watch', server, timeoutMs };
    const started = new Watch(kc).watch(
      path,
      {
        ...query,
        ...(from ? { resourceVersion: from } : {}),
        timeoutSeconds: Math.max(1, Math.ceil(options.timeoutSeconds)),
        allowWatchBookmarks: true,
      },
      (type: string, obj: unknown) => {
        if (closed) return;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          try {
            handlers.onEvent(type, toItem(obj));
          } catch (err) {
            handlers.onEnd?.(err instanceof Error ? err : new Error(String(err)));
          }
        } else if (type === 'BOOKMARK') {
          const rv = (obj as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata
            ?.resourceVersion;
          if (typeof rv === 'string' && rv) handlers.onBookmark?.(rv);
        } else if (type === 'ERROR') {
          // The real server ends a watch whose resourceVersion is too old with an ERROR event
          // holding a 410 Status; the reflector lists again then.
          closed = true;
          controller?.abort();
          const status = watchStatusSchema.safeParse(obj);
          const code = status.success ? status.data.code : undefined;
          const detail = status.success ? (status.data.message ?? '') : '';
          handlers.onEnd?.(
            code === 410
              ? new WatchExpiredError(ctx.resource, detail)
              : new MeshbotError(
                  'unreachable',
                  `the ${ctx.resource} watch ended with an error${detail ? `: ${detail}` : ''}`,
                ),
          );
        }
      },
      (err: unknown) => {
        if (closed) return;
        closed = true;
        handlers.onEnd?.(err ? translateKubeError(err, watchCtx) : undefined);
      },
    );
    const timer = new Promise<never>((_, reject) => {
      const t = setTimeout(
        () =>
          reject(
            new MeshbotError(
              'timeout',
              `Kubernetes did not start the ${ctx.resource} watch within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      void started.finally(() => clearTimeout(t)).catch(() => undefined);
    });
    try {
      controller = await Promise.race([started, timer]);
    } catch (err) {
      closed = true;
      void started.then((c) => c.abort()).catch(() => undefined);
      throw err instanceof MeshbotError ? err : translateKubeError(err, watchCtx);
    }
    if (closed) controller.abort(); // an ERROR event came before the watch was handed over
    return {
      initial,
      resourceVersion: from,
      close() {
        closed = true;
        controller?.abort();
      },
    };
  }

  async function watchPods(
    namespace: string,
    selector: Record<string, string>,
    handlers: WatchHandlers<KubePod>,
    options: WatchOptions,
  ): Promise<OpenWatch<KubePod>> {
    const labelSelector = formatLabelSelector(selector);
    return listThenWatch(
      { verb: 'list', resource: 'pods', group: '', namespace },
      `/api/v1/namespaces/${namespace}/pods`,
      labelSelector ? { labelSelector } : {},
      (o) => core1.listNamespacedPod(labelSelector ? { namespace, labelSelector } : { namespace }, o),
      (raw) => toKubePod(parse(podSchema, raw, 'Pod')),
      handlers,
      options,
    );
  }

  async function watchEndpointSlices(
    namespace: string,
    service: string,
    handlers: WatchHandlers<SliceState>,
    options: WatchOptions,
  ): Promise<OpenWatch<SliceState>> {
    const labelSelector = `kubernetes.io/service-name=${service}`;
    return listThenWatch(
      { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace },
      `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
      { labelSelector },
      (o) => discovery.listNamespacedEndpointSlice({ namespace, labelSelector }, o),
      (raw) => {
        const slice = parse(endpointSliceSchema, raw, 'EndpointSlice');
        return { name: slice.metadata.name, endpoints: endpointsFromSlices([slice]) };
      },
      handlers,
      options,
    );
  }

  async function getRollout(ref: WorkloadRef): Promise<KubeRollout | undefined> {
    const { name, namespace } = ref;
    const obj = await call(
      { verb: 'get', resource: 'deployments', group: 'apps', namespace, name },
      (o) => apps.readNamespacedDeployment({ name, namespace }, o),
      true,
    );
    return obj === undefined ? undefined : toKubeRollout(parse(rolloutSchema, obj, 'Deployment'));
  }

  async function restartDeployment(
    ref: WorkloadRef,
    restartedAt: string,
    claim: { key: string; value: string },
    resourceVersion: string,
  ): Promise<KubeRollout> {
    const { name, namespace } = ref;
    const body = {
      metadata: { resourceVersion, annotations: { [claim.key]: claim.value } },
      spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } },
    };
    const obj = await call(
      { verb: 'patch', resource: 'deployments', group: 'apps', namespace, name },
      (o) =>
        apps.patchNamespacedDeployment(
          { name, namespace, body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch, o),
        ),
      true,
    );
    return toKubeRollout(parse(rolloutSchema, must(obj, ref), 'Deployment'));
  }

  async function watchWorkloads(
    kind: ScalableKind,
    namespace: string | undefined,
    handlers: WatchHandlers<KubeWorkload>,
    options: WatchOptions,
  ): Promise<OpenWatch<KubeWorkload>> {
    const resource = plural(kind);
    return listThenWatch(
      { verb: 'list', resource, group: 'apps', ...(namespace ? { namespace } : {}) },
      namespace ? `/apis/apps/v1/namespaces/${namespace}/${resource}` : `/apis/apps/v1/${resource}`,
      {},
      (o) => listKindCall(kind, namespace, o),
      (raw) => toKubeWorkload(kind, parse(workloadSchema, raw, kind)),
      handlers,
      options,
    );
  }

  async function watchRollout(
    ref: WorkloadRef,
    handlers: WatchHandlers<KubeRollout>,
    options: WatchOptions,
  ): Promise<OpenWatch<KubeRollout>> {
    const { name, namespace } = ref;
    const fieldSelector = `metadata.name=${name}`;
    return listThenWatch(
      { verb: 'list', resource: 'deployments', group: 'apps', namespace },
      `/apis/apps/v1/namespaces/${namespace}/deployments`,
      { fieldSelector },
      (o) => apps.listNamespacedDeployment({ namespace, fieldSelector }, o),
      (raw) => toKubeRollout(parse(rolloutSchema, raw, 'Deployment')),
      handlers,
      options,
    );
  }

  return {
    getRollout,
    restartDeployment,
    watchRollout,
    watchWorkloads,
    getWorkload,
    listWorkloads,
    getReplicaSetOwner,
    listHpas,
    setAnnotation,
    getScale,
    replaceScale,
    watchPods,
    watchEndpointSlices,
  };
}
