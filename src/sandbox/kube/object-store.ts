/**
 * The sandbox's in-memory Kubernetes object store, with the real API server's semantics:
 * one global resourceVersion counter, uid/creationTimestamp/generation, generateName,
 * optimistic concurrency, graceful deletion and finalizers, and watches that replay from a
 * resourceVersion (410 Expired once it has left the retained history), with bookmarks and
 * selector transitions. Objects are stored frozen (src/sandbox/kube/shared-objects.ts): nothing
 * a caller can still change is shared with the store, and a write shares every part it did not
 * change with the object before, so the store, its history and in-process readers hold one
 * instance of each.
 *
 * Watch events are delivered synchronously through one ordered queue: a watcher that writes
 * to the store from its callback never sees events out of order, and neither does any other.
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  matchesFieldSelector,
  parseFieldSelector,
  requiredFieldValue,
  type ParsedFieldSelector,
} from './field-selector.js';
import { apiVersionOf, DEFAULT_KINDS, parseApiVersion } from './kinds.js';
import {
  formatLabelSelector,
  labelKeyProblem,
  labelValueProblem,
  matchesLabelSelector,
  parseLabelSelector,
  type ParsedLabelSelector,
  type StructuredLabelSelector,
} from './label-selector.js';
import { applyPatch, deepEqual } from './patch.js';
import { freezeStored, ownCopy, ownObjectCopy } from './shared-objects.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  invalid,
  notFound,
  resourceTypeNotFound,
  type FieldError,
} from './status-error.js';
import type {
  KindRef,
  KindSpec,
  KubeObject,
  ListOptions,
  ObjectStore,
  PatchOptions,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './store-types.js';

export interface ObjectStoreOptions {
  /** Kinds served; default DEFAULT_KINDS. */
  kinds?: readonly KindSpec[];
  /** Watch history retained per kind (events); default 1024 (the real API server's watch cache keeps 100 by default). */
  historyLimit?: number;
  /** Interval of bookmarks for watches that allow them; default 1000 ms. */
  bookmarkIntervalMs?: number;
  /** Clock, for tests; default `() => new Date()`. */
  now?: () => Date;
}

type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface HistoryEntry {
  rv: number;
  type: ChangeType;
  /** The object after the change (for DELETED: the final object, with the deletion's rv). */
  object: KubeObject;
  /** The stored object before a MODIFIED or DELETED. */
  prev?: KubeObject;
}

interface KindState {
  spec: KindSpec;
  apiVersion: string;
  /** Objects by `namespace/name` (`/name` for cluster-scoped kinds). */
  objects: Map<string, KubeObject>;
  byNamespace: Map<string, Set<string>>;
  /** label key -> label value -> object keys. */
  labelIndex: Map<string, Map<string, Set<string>>>;
  history: HistoryEntry[];
  historyStart: number;
  /** resourceVersion of the newest event dropped from the history; watches from before it get 410. */
  evictedUpTo: number;
  watchers: Set<Watcher>;
}

interface Watcher {
  kind: KindState;
  namespace: string | undefined;
  labels: ParsedLabelSelector;
  fields: ParsedFieldSelector;
  onEvent: (ev: WatchEvent) => void;
  /** A copy of what is delivered of an object (the watch's transform, or all of it; for a shared watch the object itself). */
  copy: (obj: KubeObject) => KubeObject;
  /** Delivers the stored objects themselves (read-only). */
  shared: boolean;
  /** Highest resourceVersion delivered (or skipped as already covered). */
  lastRv: number;
  /** Broadcasts queued before this sequence number predate the watch and are covered by its replay. */
  minSeq: number;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

type QueueItem =
  | { t: 'change'; seq: number; kind: KindState; entry: HistoryEntry }
  | { t: 'replay'; watcher: Watcher; entries: HistoryEntry[]; fromRv: number }
  | { t: 'initial'; watcher: Watcher; objects: KubeObject[]; snapshotRv: number }
  | { t: 'bookmark'; watcher: Watcher };

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Why `name` is not a valid name for this kind (as the real validation says it), or undefined. */
export function nameProblem(kind: Pick<KindSpec, 'group' | 'plural'>, name: string): string | undefined {
  if (kind.group === '' && kind.plural === 'namespaces') {
    if (name.length > 63) return 'must be no more than 63 characters';
    return DNS1123_LABEL.test(name) ? undefined : LABEL_MSG;
  }
  if (kind.group === '' && kind.plural === 'services') {
    if (name.length > 63) return 'must be no more than 63 characters';
    return DNS1035_LABEL.test(name) ? undefined : DNS1035_MSG;
  }
  if (kind.group === 'rbac.authorization.k8s.io') {
    // ValidateRBACName: any path segment name (`system:discovery` is one).
    if (name === '.' || name === '..') return `may not be '${name}'`;
    if (name.includes('/')) return "may not contain '/'";
    if (name.includes('%')) return "may not contain '%'";
    return name === '' ? 'name or generateName is required' : undefined;
  }
  if (name.length > 253) return 'must be no more than 253 characters';
  return DNS1123_SUBDOMAIN.test(name) ? undefined : SUBDOMAIN_MSG;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Whether anything outside metadata and status differs (what bumps `generation`). */
function specChanged(a: KubeObject, b: KubeObject): boolean {
  // for-in with own-key checks, not key arrays and a Set: this runs on every update.
  for (const k in a) {
    if (!hasOwn.call(a, k) || k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind')
      continue;
    if (!deepEqual(a[k], b[k])) return true;
  }
  for (const k in b) {
    if (!hasOwn.call(b, k) || hasOwn.call(a, k)) continue;
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(a[k], b[k])) return true;
  }
  return false;
}

/**
 * Puts the current (frozen) value back into `next` wherever a field's value did not change:
 * the new version shares it with the old, in the store, its history and every reader.
 */
function shareUnchanged(next: Record<string, unknown>, cur: Record<string, unknown>, except?: string): void {
  for (const k in next) {
    if (k === except || !hasOwn.call(next, k) || !hasOwn.call(cur, k)) continue;
    const v = next[k];
    const c = cur[k];
    if (v !== c && typeof v === 'object' && v !== null && deepEqual(v, c)) next[k] = c;
  }
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export function createObjectStore(opts: ObjectStoreOptions = {}): ObjectStore {
  const historyLimit = Math.max(1, opts.historyLimit ?? 1024);
  const bookmarkIntervalMs = Math.max(1, opts.bookmarkIntervalMs ?? 1000);
  const now = opts.now ?? (() => new Date());

  const kindSpecs: KindSpec[] = (opts.kinds ?? DEFAULT_KINDS).map((k) => structuredClone(k));
  const byResource = new Map<string, KindState>();
  const byKind = new Map<string, KindState>();
  for (const spec of kindSpecs) {
    const state: KindState = {
      spec,
      apiVersion: apiVersionOf(spec),
      objects: new Map(),
      byNamespace: new Map(),
      labelIndex: new Map(),
      history: [],
      historyStart: 0,
      evictedUpTo: 0,
      watchers: new Set(),
    };
    byResource.set(`${spec.group}/${spec.plural}`, state);
    byKind.set(`${spec.group}/${spec.kind}`, state);
  }
  const namespaces = byResource.get('/namespaces');

  /** The global resourceVersion: the version of the last change. */
  let globalRv = 1;
  const allWatchers = new Set<Watcher>();
  let queue: QueueItem[] = [];
  let draining = false;
  let seq = 0;

  // -------------------------------------------------------------------------------------------
  // Kinds

  function stateOf(ref: KindRef): KindState {
    if ('plural' in ref) {
      const state = byResource.get(`${ref.group}/${ref.plural}`);
      if (!state) {
        throw resourceTypeNotFound(ref.group ? `${ref.plural}.${ref.group}` : ref.plural);
      }
      return state;
    }
    const { group, version } = parseApiVersion(ref.apiVersion);
    const state = byKind.get(`${group}/${ref.kind}`);
    if (!state || state.spec.version !== version) {
      throw resourceTypeNotFound(`${ref.kind} in version "${ref.apiVersion}"`);
    }
    return state;
  }

  function stateOfObject(obj: KubeObject): KindState {
    if (!isPlainObject(obj)) throw badRequest('the request body must be a JSON object');
    if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') {
      throw badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(obj).slice(0, 200)}'`);
    }
    if (typeof obj.kind !== 'string' || obj.kind === '') {
      throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(obj).slice(0, 200)}'`);
    }
    if (!isPlainObject(obj.metadata)) throw badRequest(`Object 'metadata' is missing or not an object`);
    return stateOf({ apiVersion: obj.apiVersion, kind: obj.kind });
  }

  function nsOf(state: KindState, namespace: string | undefined): string | undefined {
    return state.spec.namespaced ? namespace : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Indexes and history

  function indexLabels(
    state: KindState,
    key: string,
    labels: Record<string, string> | undefined,
    add: boolean,
  ) {
    if (!labels) return;
    for (const [k, v] of Object.entries(labels)) {
      let values = state.labelIndex.get(k);
      if (!values) {
        if (!add) continue;
        values = new Map();
        state.labelIndex.set(k, values);
      }
      let keys = values.get(v);
      if (!keys) {
        if (!add) continue;
        keys = new Set();
        values.set(v, keys);
      }
      if (add) keys.add(key);
      else {
        keys.delete(key);
        if (keys.size === 0) values.delete(v);
        if (values.size === 0) state.labelIndex.delete(k);
      }
    }
  }

  function store(state: KindState, obj: KubeObject, prev: KubeObject | undefined): void {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    // Labels a write did not change are the same (shared) object: their index entries stay.
    const sameLabels = prev !== undefined && prev.metadata.labels === obj.metadata.labels;
    if (prev && !sameLabels) indexLabels(state, key, prev.metadata.labels, false);
    state.objects.set(key, obj);
    const ns = obj.metadata.namespace ?? '';
    let set = state.byNamespace.get(ns);
    if (!set) state.byNamespace.set(ns, (set = new Set()));
    set.add(key);
    if (!sameLabels) indexLabels(state, key, obj.metadata.labels, true);
  }

  function unstore(state: KindState, obj: KubeObject): void {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    // Unindex what is stored: the final object may carry other labels.
    indexLabels(state, key, state.objects.get(key)?.metadata.labels, false);
    state.objects.delete(key);
    const ns = obj.metadata.namespace ?? '';
    const set = state.byNamespace.get(ns);
    if (set) {
      set.delete(key);
      if (set.size === 0) state.byNamespace.delete(ns);
    }
  }

  function record(state: KindState, entry: HistoryEntry): void {
    const h = state.history;
    if (h.length < historyLimit) {
      h.push(entry);
    } else {
      const evicted = h[state.historyStart] as HistoryEntry;
      state.evictedUpTo = evicted.rv;
      h[state.historyStart] = entry;
      state.historyStart = (state.historyStart + 1) % h.length;
    }
  }

  function historySince(state: KindState, rv: number): HistoryEntry[] {
    const h = state.history;
    const out: HistoryEntry[] = [];
    for (let i = 0; i < h.length; i++) {
      const e = h[(state.historyStart + i) % h.length] as HistoryEntry;
      if (e.rv > rv) out.push(e);
    }
    return out;
  }

  /**
   * Commits a change: gives `obj` (a private copy, fresh at the top and in metadata) the next
   * resourceVersion, freezes it, updates the indexes, records history and queues the event
   * for watchers.
   */
  function commit(state: KindState, type: ChangeType, obj: KubeObject): KubeObject {
    const prev = state.objects.get(objectKey(obj.metadata.namespace, obj.metadata.name));
    globalRv += 1;
    obj.metadata.resourceVersion = String(globalRv);
    // Frozen, its strings shared with every other object's; parts already stored stay shared.
    freezeStored(obj);
    if (type === 'DELETED') unstore(state, obj);
    else store(state, obj, prev);
    const entry: HistoryEntry = { rv: globalRv, type, object: obj };
    if (type !== 'ADDED' && prev) entry.prev = prev;
    record(state, entry);
    seq += 1;
    if (state.watchers.size > 0) enqueue({ t: 'change', seq, kind: state, entry });
    return obj;
  }

  // -------------------------------------------------------------------------------------------
  // Watch delivery

  function enqueue(item: QueueItem): void {
    queue.push(item);
    if (draining) return;
    draining = true;
    try {
      for (let i = 0; i < queue.length; i++) processItem(queue[i] as QueueItem);
    } finally {
      queue = [];
      draining = false;
    }
  }

  function processItem(item: QueueItem): void {
    switch (item.t) {
      case 'change':
        for (const w of [...item.kind.watchers]) {
          if (w.minSeq <= item.seq) deliverChange(w, item.entry);
        }
        return;
      case 'replay':
        item.watcher.lastRv = Math.max(item.watcher.lastRv, item.fromRv);
        for (const e of item.entries) deliverChange(item.watcher, e);
        return;
      case 'initial':
        for (const obj of item.objects) emit(item.watcher, { type: 'ADDED', object: item.watcher.copy(obj) });
        item.watcher.lastRv = Math.max(item.watcher.lastRv, item.snapshotRv);
        return;
      case 'bookmark': {
        const w = item.watcher;
        if (w.stopped) return;
        w.lastRv = Math.max(w.lastRv, globalRv);
        emit(w, {
          type: 'BOOKMARK',
          object: {
            apiVersion: w.kind.apiVersion,
            kind: w.kind.spec.kind,
            metadata: { resourceVersion: String(w.lastRv) } as KubeObject['metadata'],
          },
        });
        return;
      }
    }
  }

  function passes(w: Watcher, obj: KubeObject): boolean {
    if (w.namespace !== undefined && obj.metadata.namespace !== w.namespace) return false;
    return matchesLabelSelector(w.labels, obj.metadata.labels) && matchesFieldSelector(w.fields, obj);
  }

  function deliverChange(w: Watcher, e: HistoryEntry): void {
    if (w.stopped || e.rv <= w.lastRv) return;
    w.lastRv = e.rv;
    const cur = passes(w, e.object);
    const old = e.prev !== undefined && passes(w, e.prev);
    if (e.type === 'ADDED') {
      if (cur) emit(w, { type: 'ADDED', object: w.copy(e.object) });
    } else if (e.type === 'DELETED') {
      if (cur) emit(w, { type: 'DELETED', object: w.copy(e.object) });
      else if (old) emit(w, { type: 'DELETED', object: withVersion(w, e.prev as KubeObject, e.rv) });
    } else if (cur && (old || e.prev === undefined)) {
      emit(w, { type: 'MODIFIED', object: w.copy(e.object) });
    } else if (cur) {
      emit(w, { type: 'ADDED', object: w.copy(e.object) });
    } else if (old) {
      // As the real server: the previous content, at the version of the change that hid it.
      emit(w, { type: 'DELETED', object: withVersion(w, e.prev as KubeObject, e.rv) });
    }
  }

  function withVersion(w: Watcher, obj: KubeObject, rv: number): KubeObject {
    const copy = w.shared ? structuredClone(obj) : w.copy(obj);
    copy.metadata.resourceVersion = String(rv);
    return copy;
  }

  function emit(w: Watcher, ev: WatchEvent): void {
    if (w.stopped) return;
    try {
      w.onEvent(ev);
    } catch (err) {
      stopWatcher(w);
      warnCallbackThrew(err);
    }
  }

  function stopWatcher(w: Watcher): void {
    if (w.stopped) return;
    w.stopped = true;
    if (w.timer) clearInterval(w.timer);
    w.timer = undefined;
    w.kind.watchers.delete(w);
    allWatchers.delete(w);
  }

  // -------------------------------------------------------------------------------------------
  // Validation

  function validateMeta(state: KindState, obj: KubeObject): void {
    const errors: FieldError[] = [];
    const meta = obj.metadata;
    const problem = nameProblem(state.spec, meta.name);
    if (problem)
      errors.push({ field: 'metadata.name', type: 'FieldValueInvalid', value: meta.name, detail: problem });
    if (meta.labels !== undefined) {
      if (!isPlainObject(meta.labels)) {
        errors.push({
          field: 'metadata.labels',
          type: 'FieldValueInvalid',
          value: meta.labels,
          detail: 'must be a map',
        });
      } else {
        for (const [k, v] of Object.entries(meta.labels)) {
          const keyProblem = labelKeyProblem(k);
          if (keyProblem) {
            errors.push({
              field: 'metadata.labels',
              type: 'FieldValueInvalid',
              value: k,
              detail: keyProblem,
            });
          }
          const valueProblem = typeof v === 'string' ? labelValueProblem(v) : 'must be a string';
          if (valueProblem) {
            errors.push({
              field: 'metadata.labels',
              type: 'FieldValueInvalid',
              value: v,
              detail: valueProblem,
            });
          }
        }
      }
    }
    if (meta.annotations !== undefined && !isPlainObject(meta.annotations)) {
      errors.push({
        field: 'metadata.annotations',
        type: 'FieldValueInvalid',
        value: meta.annotations,
        detail: 'must be a map',
      });
    }
    if (meta.finalizers !== undefined && !Array.isArray(meta.finalizers)) {
      errors.push({
        field: 'metadata.finalizers',
        type: 'FieldValueInvalid',
        value: meta.finalizers,
        detail: 'must be a list',
      });
    }
    if (errors.length) throw invalid(state.spec, meta.name, errors);
  }

  function requireNamespaceExists(namespace: string): void {
    if (!namespaces) return;
    if (!namespaces.objects.has(objectKey(undefined, namespace))) {
      throw notFound(namespaces.spec, namespace);
    }
  }

  /** Gives a cluster-scoped object no namespace, and checks a namespaced one has one. */
  function normalizeNamespace(state: KindState, obj: KubeObject): void {
    if (!state.spec.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    const ns = obj.metadata.namespace;
    if (typeof ns !== 'string' || ns === '') {
      throw invalid(state.spec, obj.metadata.name ?? '', [
        { field: 'metadata.namespace', type: 'FieldValueRequired', detail: '' },
      ]);
    }
  }

  function generateName(prefix: string): string {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[randomInt(GENERATE_ALPHABET.length)];
    return prefix + suffix;
  }

  // -------------------------------------------------------------------------------------------
  // Verbs

  function getStored(state: KindState, namespace: string | undefined, name: string): KubeObject | undefined {
    return state.objects.get(objectKey(nsOf(state, namespace), name));
  }

  function mustGet(state: KindState, namespace: string | undefined, name: string): KubeObject {
    const cur = getStored(state, namespace, name);
    if (!cur) throw notFound(state.spec, name);
    return cur;
  }

  /** What a write returns: the stored object itself (read-only) when asked, else a copy. */
  function answer(obj: KubeObject, opts: WriteOptions | undefined): KubeObject {
    return opts?.shared ? obj : structuredClone(obj);
  }

  function create(input: KubeObject, opts?: WriteOptions): KubeObject {
    const state = stateOfObject(input);
    const obj = ownObjectCopy(input);
    obj.apiVersion = state.apiVersion;
    obj.kind = state.spec.kind;
    const meta = obj.metadata;
    const wantsGenerated =
      (meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string';
    if (wantsGenerated) meta.name = generateName(meta.generateName as string);
    if (typeof meta.name !== 'string' || meta.name === '') {
      throw invalid(state.spec, '', [
        { field: 'metadata.name', type: 'FieldValueRequired', detail: 'name or generateName is required' },
      ]);
    }
    normalizeNamespace(state, obj);
    validateMeta(state, obj);
    if (state.spec.namespaced) requireNamespaceExists(meta.namespace as string);
    if (getStored(state, meta.namespace, meta.name)) {
      if (!wantsGenerated) throw alreadyExists(state.spec, meta.name);
      let tries = 0;
      while (getStored(state, meta.namespace, meta.name)) {
        if (++tries > 8) throw alreadyExists(state.spec, meta.name);
        meta.name = generateName(meta.generateName as string);
      }
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(now());
    meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    applyCreateDefaults(state, obj);
    commit(state, 'ADDED', obj);
    return answer(obj, opts);
  }

  function applyCreateDefaults(state: KindState, obj: KubeObject): void {
    if (state === namespaces) {
      obj.metadata.labels = {
        ...(obj.metadata.labels ?? {}),
        'kubernetes.io/metadata.name': obj.metadata.name,
      };
      const spec = isPlainObject(obj['spec']) ? obj['spec'] : {};
      obj['spec'] = { finalizers: ['kubernetes'], ...spec };
      obj['status'] = { phase: 'Active' };
    }
  }

  /** Replaces `cur` with `next` (a private copy whose rv was already checked); removes it when finalized. */
  function replace(state: KindState, cur: KubeObject, next: KubeObject, opts?: WriteOptions): KubeObject {
    next.apiVersion = state.apiVersion;
    next.kind = state.spec.kind;
    const meta = next.metadata;
    const curMeta = cur.metadata;
    if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== curMeta.uid) {
      throw conflict(
        state.spec,
        curMeta.name,
        `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${curMeta.uid}`,
      );
    }
    meta.name = curMeta.name;
    if (state.spec.namespaced) meta.namespace = curMeta.namespace;
    else delete meta.namespace;
    meta.uid = curMeta.uid;
    meta.creationTimestamp = curMeta.creationTimestamp;
    meta.resourceVersion = curMeta.resourceVersion;
    if (curMeta.generateName !== undefined && meta.generateName === undefined)
      meta.generateName = curMeta.generateName;
    if (state === namespaces) {
      meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name };
    }
    validateMeta(state, next);
    if (curMeta.deletionTimestamp !== undefined) {
      meta.deletionTimestamp = curMeta.deletionTimestamp;
      meta.deletionGracePeriodSeconds = curMeta.deletionGracePeriodSeconds;
      const before = curMeta.finalizers ?? [];
      const added = (meta.finalizers ?? []).filter((f) => !before.includes(f));
      if (added.length) {
        throw invalid(state.spec, curMeta.name, [
          {
            field: 'metadata.finalizers',
            type: 'FieldValueForbidden',
            detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
          },
        ]);
      }
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    const curGeneration = typeof curMeta.generation === 'number' ? curMeta.generation : 1;
    // The top level and metadata stay this write's own: commit sets the resourceVersion there.
    shareUnchanged(next, cur, 'metadata');
    shareUnchanged(next.metadata, cur.metadata);
    meta.generation = specChanged(cur, next) ? curGeneration + 1 : curGeneration;

    if (
      meta.deletionTimestamp !== undefined &&
      (meta.finalizers ?? []).length === 0 &&
      (meta.deletionGracePeriodSeconds ?? 0) === 0
    ) {
      return answer(commit(state, 'DELETED', next), opts);
    }
    if (deepEqual(next, cur)) return answer(cur, opts);
    commit(state, 'MODIFIED', next);
    return answer(next, opts);
  }

  function checkResourceVersion(state: KindState, cur: KubeObject, rv: unknown): void {
    if (rv !== undefined && rv !== null && rv !== '' && rv !== cur.metadata.resourceVersion) {
      throw conflict(state.spec, cur.metadata.name);
    }
  }

  function update(input: KubeObject, opts?: WriteOptions): KubeObject {
    const state = stateOfObject(input);
    if (typeof input.metadata.name !== 'string' || input.metadata.name === '') {
      throw invalid(state.spec, '', [
        { field: 'metadata.name', type: 'FieldValueRequired', detail: 'name is required' },
      ]);
    }
    if (state.spec.namespaced && !input.metadata.namespace) normalizeNamespace(state, input);
    const cur = mustGet(state, input.metadata.namespace, input.metadata.name);
    checkResourceVersion(state, cur, input.metadata.resourceVersion);
    return replace(state, cur, ownObjectCopy(input), opts);
  }

  function updateStatus(input: KubeObject): KubeObject {
    const state = stateOfObject(input);
    const cur = mustGet(state, input.metadata.namespace, input.metadata.name);
    checkResourceVersion(state, cur, input.metadata.resourceVersion);
    const next: KubeObject = { ...cur, metadata: { ...cur.metadata } };
    if (input['status'] === undefined) delete next['status'];
    else next['status'] = ownCopy(input['status']);
    return replace(state, cur, next);
  }

  function remove(state: KindState, cur: KubeObject, opts?: WriteOptions): KubeObject {
    return answer(commit(state, 'DELETED', { ...cur, metadata: { ...cur.metadata } }), opts);
  }

  function deleteNamespace(nsState: KindState, cur: KubeObject): KubeObject {
    const ns = cur.metadata.name;
    for (const state of byResource.values()) {
      if (!state.spec.namespaced) continue;
      const keys = state.byNamespace.get(ns);
      if (!keys) continue;
      for (const key of [...keys].sort()) {
        const obj = state.objects.get(key);
        if (obj) remove(state, obj, { shared: true });
      }
    }
    return remove(nsState, cur);
  }

  function del(
    ref: KindRef,
    namespace: string | undefined,
    name: string,
    opts: { gracePeriodSeconds?: number; preconditionResourceVersion?: string } & WriteOptions = {},
  ): KubeObject {
    const state = stateOf(ref);
    const cur = mustGet(state, namespace, name);
    const pre = opts.preconditionResourceVersion;
    if (pre !== undefined && pre !== '' && pre !== cur.metadata.resourceVersion) {
      throw conflict(
        state.spec,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`,
      );
    }
    if (state === namespaces) return deleteNamespace(state, cur);

    let grace = 0;
    if (state.spec.group === '' && state.spec.plural === 'pods') {
      const spec = isPlainObject(cur['spec']) ? cur['spec'] : {};
      const status = isPlainObject(cur['status']) ? cur['status'] : {};
      const podDefault =
        typeof spec['terminationGracePeriodSeconds'] === 'number'
          ? spec['terminationGracePeriodSeconds']
          : 30;
      grace = opts.gracePeriodSeconds ?? podDefault;
      // As the real pod strategy: a pod never scheduled, or already finished, goes at once.
      if (!spec['nodeName'] || status['phase'] === 'Succeeded' || status['phase'] === 'Failed') grace = 0;
    }
    if (grace < 0) grace = 0;
    const finalizers = cur.metadata.finalizers ?? [];
    if (grace === 0 && finalizers.length === 0) return remove(state, cur, opts);

    const curGrace = cur.metadata.deletionGracePeriodSeconds;
    if (cur.metadata.deletionTimestamp !== undefined && curGrace !== undefined && grace >= curGrace) {
      return answer(cur, opts);
    }
    const next: KubeObject = { ...cur, metadata: { ...cur.metadata } };
    next.metadata.deletionTimestamp = rfc3339(new Date(now().getTime() + grace * 1000));
    next.metadata.deletionGracePeriodSeconds = grace;
    if (cur.metadata.deletionTimestamp === undefined) {
      next.metadata.generation =
        (typeof cur.metadata.generation === 'number' ? cur.metadata.generation : 1) + 1;
    }
    commit(state, 'MODIFIED', next);
    return answer(next, opts);
  }

  function patch(
    ref: KindRef,
    namespace: string | undefined,
    name: string,
    body: unknown,
    contentType: string,
    patchOpts: PatchOptions = {},
  ): KubeObject {
    const state = stateOf(ref);
    const cur = mustGet(state, namespace, name);
    if (patchOpts.subresource === 'scale') {
      const scale = scaleOf(state, cur);
      const patched = applyPatch(scale, body, contentType);
      return updateScale(ref, namespace, name, patched);
    }
    const patched = applyPatch(cur, body, contentType);
    if (patched.metadata.name !== cur.metadata.name) {
      throw badRequest(
        `the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    if (state.spec.namespaced && patched.metadata.namespace !== cur.metadata.namespace) {
      throw badRequest(
        `the namespace of the object (${String(patched.metadata.namespace)}) does not match the namespace on the URL (${String(cur.metadata.namespace)})`,
      );
    }
    checkResourceVersion(state, cur, patched.metadata.resourceVersion);
    if (patchOpts.subresource === 'status') {
      const next: KubeObject = { ...cur, metadata: { ...cur.metadata } };
      if (patched['status'] === undefined) delete next['status'];
      else next['status'] = patched['status'];
      return replace(state, cur, next);
    }
    return replace(state, cur, patched);
  }

  // -------------------------------------------------------------------------------------------
  // Scale subresource

  function requireScale(state: KindState): void {
    if (!(state.spec.subresources ?? []).includes('scale')) {
      throw resourceTypeNotFound(`${state.spec.plural}/scale`);
    }
  }

  function scaleOf(state: KindState, obj: KubeObject): KubeObject {
    requireScale(state);
    const spec = isPlainObject(obj['spec']) ? obj['spec'] : {};
    const status = isPlainObject(obj['status']) ? obj['status'] : {};
    const selector = spec['selector'];
    const scale: KubeObject = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: typeof spec['replicas'] === 'number' ? spec['replicas'] : 1 },
      status: {
        replicas: typeof status['replicas'] === 'number' ? status['replicas'] : 0,
        selector: isPlainObject(selector) ? formatLabelSelector(selector as StructuredLabelSelector) : '',
      },
    };
    return scale;
  }

  function getScale(ref: KindRef, namespace: string | undefined, name: string): KubeObject {
    const state = stateOf(ref);
    requireScale(state);
    return scaleOf(state, mustGet(state, namespace, name));
  }

  function updateScale(
    ref: KindRef,
    namespace: string | undefined,
    name: string,
    scale: KubeObject,
  ): KubeObject {
    const state = stateOf(ref);
    requireScale(state);
    const cur = mustGet(state, namespace, name);
    checkResourceVersion(state, cur, scale.metadata?.resourceVersion);
    const scaleSpec = isPlainObject(scale['spec']) ? scale['spec'] : {};
    const replicas = scaleSpec['replicas'];
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid({ group: 'autoscaling', kind: 'Scale' }, name, [
        {
          field: 'spec.replicas',
          type: 'FieldValueInvalid',
          value: replicas,
          detail: 'must be greater than or equal to 0',
        },
      ]);
    }
    const next: KubeObject = { ...cur, metadata: { ...cur.metadata } };
    next['spec'] = { ...(isPlainObject(next['spec']) ? next['spec'] : {}), replicas };
    const result = replace(state, cur, next);
    return scaleOf(state, result);
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  /** Keys of the candidates for a selection, narrowed by the cheapest index. */
  function candidates(
    state: KindState,
    namespace: string | undefined,
    labels: ParsedLabelSelector,
    fields: ParsedFieldSelector,
  ): Iterable<string> {
    const name = requiredFieldValue(fields, 'metadata.name');
    if (name !== undefined) {
      if (namespace !== undefined || !state.spec.namespaced) return [objectKey(namespace, name)];
      return [...state.byNamespace.keys()].map((ns) => objectKey(ns, name));
    }
    let best: Iterable<string>;
    let bestSize: number;
    if (namespace !== undefined) {
      const set = state.byNamespace.get(namespace);
      if (!set) return [];
      best = set;
      bestSize = set.size;
    } else {
      best = state.objects.keys();
      bestSize = state.objects.size;
    }
    for (const r of labels.requirements) {
      if (r.operator !== 'Equals' && r.operator !== 'In') continue;
      const values = state.labelIndex.get(r.key);
      if (!values) return [];
      const sets = r.values.map((v) => values.get(v)).filter((s): s is Set<string> => s !== undefined);
      const size = sets.reduce((n, s) => n + s.size, 0);
      if (size < bestSize) {
        bestSize = size;
        best = sets.length === 1 ? (sets[0] as Set<string>) : sets.flatMap((s) => [...s]);
      }
    }
    return best;
  }

  function select(state: KindState, options: ListOptions): KubeObject[] {
    const namespace = nsOf(state, options.namespace || undefined);
    const labels = parseLabelSelector(options.labelSelector);
    const fields = parseFieldSelector(options.fieldSelector, state.spec);
    const fieldNs = requiredFieldValue(fields, 'metadata.namespace');
    let ns = namespace;
    if (fieldNs !== undefined && state.spec.namespaced) {
      if (ns !== undefined && ns !== fieldNs) return [];
      ns = fieldNs;
    }
    const keys = [...candidates(state, ns, labels, fields)].sort();
    const out: KubeObject[] = [];
    for (const key of keys) {
      const obj = state.objects.get(key);
      if (!obj) continue;
      if (ns !== undefined && obj.metadata.namespace !== ns) continue;
      if (!matchesLabelSelector(labels, obj.metadata.labels)) continue;
      if (!matchesFieldSelector(fields, obj)) continue;
      out.push(obj);
    }
    return out;
  }

  function watch(ref: KindRef, options: WatchOptions, onEvent: (ev: WatchEvent) => void): () => void {
    const state = stateOf(ref);
    const labels = parseLabelSelector(options.labelSelector);
    const fields = parseFieldSelector(options.fieldSelector, state.spec);
    const namespace = nsOf(state, options.namespace || undefined);
    const rvText = options.resourceVersion;
    const transform = options.transform;
    const shared = options.shared === true && transform === undefined;
    let fromRv: number | undefined;
    if (rvText !== undefined && rvText !== '' && rvText !== '0') {
      if (!/^\d+$/.test(rvText)) {
        throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be an unsigned integer`);
      }
      fromRv = Number(rvText);
      if (fromRv < state.evictedUpTo) {
        const oldest = state.history[state.historyStart]?.rv ?? state.evictedUpTo + 1;
        throw expired(fromRv, oldest - 1);
      }
    }
    const w: Watcher = {
      kind: state,
      namespace,
      labels,
      fields,
      onEvent,
      copy: transform
        ? (obj) => structuredClone(transform(obj))
        : shared
          ? (obj) => obj
          : (obj) => structuredClone(obj),
      shared,
      lastRv: 0,
      minSeq: seq + 1,
      timer: undefined,
      stopped: false,
    };
    state.watchers.add(w);
    allWatchers.add(w);
    if (options.allowWatchBookmarks) {
      w.timer = setInterval(() => enqueue({ t: 'bookmark', watcher: w }), bookmarkIntervalMs);
      w.timer.unref();
    }
    if (fromRv === undefined) {
      const objects = select(state, {
        namespace,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      });
      enqueue({ t: 'initial', watcher: w, objects, snapshotRv: globalRv });
    } else {
      enqueue({ t: 'replay', watcher: w, entries: historySince(state, fromRv), fromRv });
    }
    return () => stopWatcher(w);
  }

  const api: ObjectStore = {
    kinds: () => kindSpecs,
    kindOf: (ref) => stateOf(ref).spec,
    get(ref, namespace, name) {
      const state = stateOf(ref);
      const obj = getStored(state, namespace, name);
      return obj ? structuredClone(obj) : undefined;
    },
    getStored: (ref, namespace, name) => getStored(stateOf(ref), namespace, name),
    list(ref, options = {}) {
      const state = stateOf(ref);
      const items = select(state, options).map((o) => structuredClone(o));
      return { items, resourceVersion: String(globalRv) };
    },
    listStored(ref, options = {}) {
      return { items: select(stateOf(ref), options), resourceVersion: String(globalRv) };
    },
    create,
    update,
    updateStatus,
    patch,
    getScale,
    updateScale,
    delete: del,
    watch,
    resourceVersion: () => String(globalRv),
    close() {
      for (const w of [...allWatchers]) stopWatcher(w);
    },
  };
  return api;
}

function warnCallbackThrew(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.emitWarning(`a watch callback threw and its watch was stopped: ${message}`, 'ObjectStoreWarning');
}
