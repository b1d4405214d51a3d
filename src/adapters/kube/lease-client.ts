/**
 * coordination.k8s.io/v1 Leases for leader election: read, create, and replace with a
 * resourceVersion precondition. A write that lost the race (409 Conflict, 409 AlreadyExists) is
 * a MeshbotError of kind `conflict`; every other failure is translated as KubeAdapter's.
 */
import { CoordinationV1Api, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import * as z from 'zod';
import { MeshbotError } from '../../errors.js';
import type { KubeCore } from './kube-core.js';

/** A Lease's spec as leader election reads and writes it (client-go's LeaderElectionRecord). */
export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** ms since the epoch. */
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
}

export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
}

export interface LeaseClient {
  get(namespace: string, name: string): Promise<StoredLease | undefined>;
  /** Throws MeshbotError `conflict` when it exists already. */
  create(namespace: string, name: string, record: LeaseRecord): Promise<StoredLease>;
  /** Throws MeshbotError `conflict` when `resourceVersion` is no longer the stored one. */
  replace(
    namespace: string,
    name: string,
    record: LeaseRecord,
    resourceVersion: string,
  ): Promise<StoredLease>;
}

const time = z.union([z.string(), z.date()]).nullish();
const leaseSchema = z.object({
  metadata: z.object({ resourceVersion: z.string() }),
  spec: z
    .object({
      holderIdentity: z.string().nullish(),
      leaseDurationSeconds: z.number().nullish(),
      acquireTime: time,
      renewTime: time,
      leaseTransitions: z.number().nullish(),
    })
    .nullish(),
});

const ms = (t: string | Date | null | undefined): number => (t ? new Date(t).getTime() || 0 : 0);

function toStored(obj: unknown, server: string): StoredLease {
  const parsed = leaseSchema.safeParse(obj);
  if (!parsed.success) {
    throw new MeshbotError(
      'internal',
      `Kubernetes at ${server} sent a Lease meshbot cannot read: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  const spec = parsed.data.spec ?? {};
  return {
    resourceVersion: parsed.data.metadata.resourceVersion,
    record: {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: ms(spec.acquireTime),
      renewTime: ms(spec.renewTime),
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
  };
}

function toLease(namespace: string, name: string, r: LeaseRecord, resourceVersion?: string): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: r.holderIdentity,
      leaseDurationSeconds: r.leaseDurationSeconds,
      // MicroTime: six fractional digits, as the API server parses it.
      acquireTime: new V1MicroTime(r.acquireTime),
      renewTime: new V1MicroTime(r.renewTime),
      leaseTransitions: r.leaseTransitions,
    },
  };
}

/** Leases over the adapter set's Kubernetes core (its limit, timeout; a 409 is a `conflict`). */
export function createLeaseClient(kube: KubeCore): LeaseClient {
  const api = kube.kubeConfig.makeApiClient(CoordinationV1Api);
  const ctx = (verb: string, namespace: string, name: string) => ({
    verb,
    resource: 'leases',
    group: 'coordination.k8s.io',
    namespace,
    name,
  });
  return {
    async get(namespace, name) {
      const lease = await kube.callOrAbsent(ctx('get', namespace, name), (o) =>
        api.readNamespacedLease({ name, namespace }, o),
      );
      return lease === undefined ? undefined : toStored(lease, kube.server);
    },
    async create(namespace, name, record) {
      return toStored(
        await kube.call(ctx('create', namespace, name), (o) =>
          api.createNamespacedLease({ namespace, body: toLease(namespace, name, record) }, o),
        ),
        kube.server,
      );
    },
    async replace(namespace, name, record, resourceVersion) {
      return toStored(
        await kube.call(ctx('update', namespace, name), (o) =>
          api.replaceNamespacedLease(
            { name, namespace, body: toLease(namespace, name, record, resourceVersion) },
            o,
          ),
        ),
        kube.server,
      );
    },
  };
}
