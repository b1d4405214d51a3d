/**
 * Contract of the sandbox's in-memory Kubernetes object store. The HTTP API server
 * (src/sandbox/kube/api-server.ts) serves it on the wire; the simulated controllers
 * (src/sandbox/cluster/) read and write it in process. Semantics follow the real
 * API server: one global resourceVersion counter, optimistic concurrency, watch from
 * a resourceVersion with 410 Gone once it has been compacted away.
 */

/** A kind declaration: adding a kind to the sandbox is adding one of these. */
export interface KindSpec {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Lowercase plural used in URLs, e.g. `endpointslices`. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources served, e.g. ['status', 'scale']. */
  subresources?: Array<'status' | 'scale'>;
  /** Categories for `kubectl get all`. */
  categories?: string[];
  /**
   * For a custom resource, the name of the CustomResourceDefinition that defines it
   * (`PLURAL.GROUP`): the API server serves the kind only while that CRD exists and serves the
   * version (served-kinds.ts). Built-in kinds have none.
   */
  crd?: string;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }>;
  finalizers?: string[];
  generateName?: string;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface ListOptions {
  namespace?: string;
  /** Kubernetes label selector syntax: `a=b,c!=d,e in (x,y),!f,g`. */
  labelSelector?: string;
  /** Field selector: at least `metadata.name`, `metadata.namespace`, and for pods `status.phase`, `spec.nodeName`. */
  fieldSelector?: string;
}

export interface WatchOptions extends ListOptions {
  /** Start after this version; absent or "0" = send the current state as ADDED first. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /**
   * In-process watchers only: what of each object to deliver, taken from the stored object
   * before it is copied (selectors still see the whole object). It must not change its input;
   * the event carries a copy of what it returns. Spares copying the parts a cache drops.
   */
  transform?: (obj: KubeObject) => KubeObject;
  /**
   * In-process watchers only, without a transform: deliver the stored objects themselves, not
   * copies. Read-only, as `listStored`'s items (the store never changes an object once stored):
   * for a watcher that only reads what it is given, it spares a copy of every object.
   */
  shared?: boolean;
}

/** A reference to a kind by group + plural (what URLs carry) or by apiVersion + kind. */
export type KindRef = { group: string; plural: string } | { apiVersion: string; kind: string };

export interface ObjectStore {
  /** Every declared kind. */
  kinds(): readonly KindSpec[];
  /** Looks a kind up; throws a 404 StatusError when unknown. */
  kindOf(ref: KindRef): KindSpec;

  get(ref: KindRef, namespace: string | undefined, name: string): KubeObject | undefined;
  /**
   * As get, but the stored object itself, not a copy: frozen, read-only (a write stores a new
   * object). For in-process readers; a writer changes `draftOf(it)` (shared-objects.ts).
   */
  getStored(ref: KindRef, namespace: string | undefined, name: string): Readonly<KubeObject> | undefined;
  list(ref: KindRef, opts?: ListOptions): { items: KubeObject[]; resourceVersion: string };
  /**
   * As list, but the items are the stored objects themselves, not copies: read-only (the store
   * never changes an object once stored; a change stores a new one). The API server serializes
   * a list response from them, without cloning 10,000 pods first.
   */
  listStored(ref: KindRef, opts?: ListOptions): { items: readonly KubeObject[]; resourceVersion: string };

  /** Sets uid, resourceVersion, creationTimestamp, generation; resolves generateName. 409 AlreadyExists, 422 Invalid. */
  create(obj: KubeObject, opts?: WriteOptions): KubeObject;
  /** Replaces; 409 Conflict when obj.metadata.resourceVersion is set and stale; 404 when absent. */
  update(obj: KubeObject, opts?: WriteOptions): KubeObject;
  /**
   * Deletes. An object with finalizers, or a pod (graceful), only gets deletionTimestamp set
   * (a MODIFIED event) unless `gracePeriodSeconds` is 0; otherwise it is removed (DELETED event).
   */
  delete(
    ref: KindRef,
    namespace: string | undefined,
    name: string,
    opts?: { gracePeriodSeconds?: number; preconditionResourceVersion?: string } & WriteOptions,
  ): KubeObject;

  /**
   * Streams events; returns a function that stops the watch. Throws a 410 StatusError
   * (reason Expired / Gone) when `resourceVersion` is older than the retained history.
   */
  watch(ref: KindRef, opts: WatchOptions, onEvent: (ev: WatchEvent) => void): () => void;

  /** The current global resourceVersion. */
  resourceVersion(): string;

  /**
   * PUT .../status: replaces only `status` (409 Conflict on a stale resourceVersion, 404 when absent).
   * (`update` replaces everything, status included, for in-process controllers.)
   */
  updateStatus(obj: KubeObject): KubeObject;
  /**
   * PATCH: applies a merge, strategic merge or JSON patch (content type as on the wire) to the
   * object, or to its `status` / `scale` subresource, and stores the result. A resourceVersion
   * in the patched object is an optimistic lock (409). 400/422 for a bad patch, 415 for an
   * unsupported content type.
   */
  patch(
    ref: KindRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    contentType: string,
    opts?: PatchOptions,
  ): KubeObject;
  /** GET .../scale: an autoscaling/v1 Scale; 404 when the kind has no scale subresource. */
  getScale(ref: KindRef, namespace: string | undefined, name: string): KubeObject;
  /** PUT .../scale: sets spec.replicas from `scale.spec.replicas`; returns the new Scale. */
  updateScale(ref: KindRef, namespace: string | undefined, name: string, scale: KubeObject): KubeObject;

  /** Stops every watch and its bookmark timer. */
  close(): void;
}

/**
 * A write never keeps what the caller handed it (the parts the caller may still change are
 * copied; frozen parts, taken from stored objects, are shared) and by default returns a copy.
 */
export interface WriteOptions {
  /**
   * Return the stored object itself (frozen, read-only) instead of a copy: for in-process
   * writers that only read what they wrote (or hand it to an informer), a copy fewer per write.
   */
  shared?: boolean;
}

export interface PatchOptions {
  /** Patch a subresource instead of the object. */
  subresource?: 'status' | 'scale';
}

/** A Kubernetes `Status` failure, thrown by the store and served as-is by the API server. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ reason?: string; message: string; field?: string }>;
  };
  code: number;
}
