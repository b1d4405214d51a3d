/**
 * The parts of Services, EndpointSlices and Pods the destination controller reads, parsed
 * with zod from what the API server sends (list items and watch events alike). Anything that
 * does not parse is skipped by the caller, as a real informer's typed decoder would refuse it.
 */
import * as z from 'zod';

/** Annotation the EndpointSlice controller sets to the time of the change that triggered it. */
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const stringMap = z.record(z.string(), z.string());

const metadataSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().optional(),
  resourceVersion: z.string().optional(),
  labels: stringMap.nullish(),
  annotations: stringMap.nullish(),
  creationTimestamp: z.string().nullish(),
  ownerReferences: z
    .array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().nullish() }))
    .nullish(),
  managedFields: z.array(z.object({ time: z.string().nullish() })).nullish(),
});

type RawMetadata = z.infer<typeof metadataSchema>;

const servicePortSchema = z.object({
  name: z.string().nullish(),
  port: z.number().int(),
  protocol: z.string().nullish(),
  targetPort: z.union([z.number().int(), z.string()]).nullish(),
});

const serviceSchema = z.object({
  metadata: metadataSchema,
  spec: z
    .object({
      ports: z.array(servicePortSchema).nullish(),
      clusterIP: z.string().nullish(),
      type: z.string().nullish(),
      ipFamilies: z.array(z.string()).nullish(),
    })
    .nullish(),
});

const endpointSliceSchema = z.object({
  metadata: metadataSchema,
  addressType: z.string().nullish(),
  ports: z.array(z.object({ name: z.string().nullish(), port: z.number().int().nullish() })).nullish(),
  endpoints: z
    .array(
      z.object({
        addresses: z.array(z.string()),
        conditions: z
          .object({
            ready: z.boolean().nullish(),
            serving: z.boolean().nullish(),
            terminating: z.boolean().nullish(),
          })
          .nullish(),
        hostname: z.string().nullish(),
        nodeName: z.string().nullish(),
        zone: z.string().nullish(),
        targetRef: z
          .object({ kind: z.string().nullish(), name: z.string(), namespace: z.string().nullish() })
          .nullish(),
      }),
    )
    .nullish(),
});

const podSchema = z.object({
  metadata: metadataSchema,
  spec: z
    .object({
      serviceAccountName: z.string().nullish(),
      serviceAccount: z.string().nullish(),
      nodeName: z.string().nullish(),
    })
    .nullish(),
  status: z
    .object({
      conditions: z.array(z.object({ lastTransitionTime: z.string().nullish() })).nullish(),
    })
    .nullish(),
});

const nodeSchema = z.object({ metadata: metadataSchema });

/** Label of a node's topology zone. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface NodeInfo {
  name: string;
  resourceVersion: string | undefined;
  zone: string | undefined;
}

export interface ServicePortInfo {
  name: string;
  port: number;
  /** Number or port name; absent means "same as port". */
  targetPort: number | string | undefined;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  resourceVersion: string | undefined;
  /** `ClusterIP` unless it says otherwise (`ExternalName`, `NodePort`, `LoadBalancer`). */
  type: string;
  ports: ServicePortInfo[];
  /** `spec.ipFamilies` (`IPv4`, `IPv6`); empty when the object does not say. */
  ipFamilies: string[];
  /** Milliseconds since the epoch of the object's latest change, when it says. */
  changedAt: number | undefined;
}

export interface SliceEndpoint {
  addresses: string[];
  /** `conditions.ready`; an absent condition counts as ready, as Kubernetes says. */
  ready: boolean;
  hostname: string | undefined;
  nodeName: string | undefined;
  zone: string | undefined;
  targetRef: { kind: string; name: string; namespace: string } | undefined;
}

export interface SliceInfo {
  namespace: string;
  name: string;
  serviceName: string;
  resourceVersion: string | undefined;
  addressType: string;
  ports: Array<{ name: string; port: number | undefined }>;
  endpoints: SliceEndpoint[];
  changedAt: number | undefined;
}

export interface PodInfo {
  namespace: string;
  name: string;
  resourceVersion: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccountName: string;
  ownerReferences: Array<{ kind: string; name: string; controller: boolean }>;
  nodeName: string | undefined;
  changedAt: number | undefined;
}

function parseTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The latest `managedFields[].time`, as Linkerd's `latestUpdated` reads it. */
function latestManagedFieldsTime(meta: RawMetadata): number | undefined {
  let latest: number | undefined;
  for (const entry of meta.managedFields ?? []) {
    const t = parseTime(entry.time);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}

/** Pods without managedFields: the latest condition transition (e.g. Ready) is the change time. */
function latestConditionTime(
  conditions: Array<{ lastTransitionTime?: string | null | undefined }> | null | undefined,
): number | undefined {
  let latest: number | undefined;
  for (const c of conditions ?? []) {
    const t = parseTime(c.lastTransitionTime);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}

export function parseService(raw: unknown): ServiceInfo | undefined {
  const parsed = serviceSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const { metadata, spec } = parsed.data;
  return {
    namespace: metadata.namespace ?? 'default',
    name: metadata.name,
    resourceVersion: metadata.resourceVersion,
    type: spec?.type ?? 'ClusterIP',
    ports: (spec?.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      targetPort: p.targetPort ?? undefined,
    })),
    ipFamilies: spec?.ipFamilies ?? [],
    changedAt: latestManagedFieldsTime(metadata),
  };
}

export function parseEndpointSlice(raw: unknown): SliceInfo | undefined {
  const parsed = endpointSliceSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const { metadata } = parsed.data;
  const namespace = metadata.namespace ?? 'default';
  const serviceName =
    metadata.labels?.[SERVICE_NAME_LABEL] ??
    metadata.ownerReferences?.find((ref) => ref.kind === 'Service')?.name;
  if (!serviceName) return undefined;
  return {
    namespace,
    name: metadata.name,
    serviceName,
    resourceVersion: metadata.resourceVersion,
    addressType: parsed.data.addressType ?? 'IPv4',
    ports: (parsed.data.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? undefined })),
    endpoints: (parsed.data.endpoints ?? []).map((e) => ({
      addresses: e.addresses,
      ready: e.conditions?.ready !== false,
      hostname: e.hostname ?? undefined,
      nodeName: e.nodeName ?? undefined,
      zone: e.zone ?? undefined,
      targetRef: e.targetRef
        ? {
            kind: e.targetRef.kind ?? '',
            name: e.targetRef.name,
            namespace: e.targetRef.namespace ?? namespace,
          }
        : undefined,
    })),
    changedAt:
      latestManagedFieldsTime(metadata) ?? parseTime(metadata.annotations?.[LAST_CHANGE_TRIGGER_TIME]),
  };
}

export function parsePod(raw: unknown): PodInfo | undefined {
  const parsed = podSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const { metadata, spec } = parsed.data;
  return {
    namespace: metadata.namespace ?? 'default',
    name: metadata.name,
    resourceVersion: metadata.resourceVersion,
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
    serviceAccountName: spec?.serviceAccountName ?? spec?.serviceAccount ?? 'default',
    ownerReferences: (metadata.ownerReferences ?? []).map((ref) => ({
      kind: ref.kind,
      name: ref.name,
      controller: ref.controller === true,
    })),
    nodeName: spec?.nodeName ?? undefined,
    changedAt: latestManagedFieldsTime(metadata) ?? latestConditionTime(parsed.data.status?.conditions),
  };
}

export function parseNode(raw: unknown): NodeInfo | undefined {
  const parsed = nodeSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const { metadata } = parsed.data;
  return {
    name: metadata.name,
    resourceVersion: metadata.resourceVersion,
    zone: metadata.labels?.[ZONE_LABEL],
  };
}

/** `NAMESPACE/NAME`, the key informers use. */
export const objectKey = (namespace: string, name: string): string => `${namespace}/${name}`;
