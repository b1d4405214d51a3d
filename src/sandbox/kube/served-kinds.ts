/**
 * The kinds the API server serves right now. Built-in kinds always; a custom resource (a kind
 * with `crd`) only while its CustomResourceDefinition exists and lists the kind's version as
 * served, as the real API server's apiextensions handler does: without it, discovery does not
 * list the resource (kubectl: `the server doesn't have a resource type "grpcroutes"`) and its
 * URLs answer 404 NotFound ("the server could not find the requested resource"). A CRD created
 * or deleted at run time (kubectl apply/delete) takes effect at the next request.
 */
import type { KindSpec, ObjectStore } from './store-types.js';

const CRD_REF = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' } as const;

interface CrdVersion {
  name?: unknown;
  served?: unknown;
}

/** Does the store hold the kind's CRD, serving the kind's version? */
export function crdServes(store: ObjectStore, kind: KindSpec): boolean {
  if (kind.crd === undefined) return true;
  const crd = store.getStored(CRD_REF, undefined, kind.crd);
  if (!crd || crd.metadata.deletionTimestamp) return false;
  const versions = ((crd.spec ?? {}) as { versions?: CrdVersion[] }).versions ?? [];
  return versions.some((v) => v.name === kind.version && v.served !== false);
}

/** The kinds served: every built-in kind, and each custom resource whose CRD serves it. */
export function servedKinds(store: ObjectStore): KindSpec[] {
  return store.kinds().filter((k) => crdServes(store, k));
}
