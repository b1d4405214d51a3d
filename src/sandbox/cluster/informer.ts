/**
 * An in-process informer: a cache of one kind fed by a store watch, with indexes, as
 * client-go's shared informers are. Controllers read the cache and react to its events;
 * they write through `observe()` so their next sync sees their own writes at once,
 * whether the store delivers watch events synchronously or later.
 *
 * The cache holds the store's own objects (a shared watch): frozen and read-only, one instance
 * for the store and every informer. A controller changes `draftOf(obj)` and writes that.
 */
import type { KindRef, KubeObject, ObjectStore } from '../kube/store-types.js';
import { objectKey } from './kube-refs.js';

export type InformerEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface InformerEvent<T extends KubeObject> {
  type: InformerEventType;
  object: T;
  /** The cached object before a MODIFIED or DELETED. */
  old?: T;
}

export type Indexer<T extends KubeObject> = (obj: T) => readonly string[];

export interface Informer<T extends KubeObject = KubeObject> {
  readonly ref: KindRef;
  get(namespace: string | undefined, name: string): T | undefined;
  getByKey(key: string): T | undefined;
  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[];
  /** Objects whose indexer returned `value`. */
  byIndex(index: string, value: string): T[];
  onEvent(handler: (ev: InformerEvent<T>) => void): void;
  /** Records an object this process just wrote (newer resourceVersions win). */
  observe(obj: KubeObject): void;
  /** Records the removal of an object this process just removed. */
  observeDeleted(obj: KubeObject): void;
  start(): void;
  stop(): void;
}

function rvNumber(obj: KubeObject): number {
  const n = Number(obj.metadata.resourceVersion ?? '0');
  return Number.isFinite(n) ? n : 0;
}

export function createInformer<T extends KubeObject = KubeObject>(
  store: ObjectStore,
  ref: KindRef,
  indexers: Record<string, Indexer<T>> = {},
): Informer<T> {
  const byKey = new Map<string, T>();
  const byNamespace = new Map<string, Map<string, T>>();
  const indexes = new Map<string, Map<string, Set<string>>>();
  for (const name of Object.keys(indexers)) indexes.set(name, new Map());
  const handlers: Array<(ev: InformerEvent<T>) => void> = [];
  let stopWatch: (() => void) | undefined;

  const indexerList = Object.entries(indexers).map(([name, fn]) => ({ fn, index: indexes.get(name)! }));
  /** What each indexer gave the cached object of a key (in indexer order). */
  const indexed = new Map<string, Array<readonly string[]>>();

  function sameValues(a: readonly string[], b: readonly string[]): boolean {
    if (a === b) return true;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  function unindexValues(key: string, values: readonly string[], index: Map<string, Set<string>>): void {
    for (const v of values) {
      const set = index.get(v);
      if (!set) continue;
      set.delete(key);
      if (set.size === 0) index.delete(v);
    }
  }

  function unindex(key: string, obj: T): void {
    const ns = obj.metadata.namespace ?? '';
    byNamespace.get(ns)?.delete(obj.metadata.name);
    const old = indexed.get(key);
    indexed.delete(key);
    if (old) indexerList.forEach(({ index }, i) => unindexValues(key, old[i]!, index));
  }

  /** Indexes `obj` under `key`; index entries that did not change since the last version stay. */
  function index(key: string, obj: T): void {
    const ns = obj.metadata.namespace ?? '';
    let nsMap = byNamespace.get(ns);
    if (!nsMap) byNamespace.set(ns, (nsMap = new Map()));
    nsMap.set(obj.metadata.name, obj);
    const old = indexed.get(key);
    const now = indexerList.map(({ fn }) => fn(obj));
    indexed.set(key, now);
    indexerList.forEach(({ index: idx }, i) => {
      const values = now[i]!;
      const before = old?.[i];
      if (before && sameValues(before, values)) return;
      if (before) unindexValues(key, before, idx);
      for (const v of values) {
        let set = idx.get(v);
        if (!set) idx.set(v, (set = new Set()));
        set.add(key);
      }
    });
  }

  function emit(ev: InformerEvent<T>): void {
    for (const h of handlers) h(ev);
  }

  function upsert(raw: KubeObject): void {
    const obj = raw as T;
    const key = objectKey(obj);
    const old = byKey.get(key);
    if (old && old.metadata.uid === obj.metadata.uid && rvNumber(old) >= rvNumber(obj)) return;
    byKey.set(key, obj);
    index(key, obj);
    emit(old ? { type: 'MODIFIED', object: obj, old } : { type: 'ADDED', object: obj });
  }

  function remove(raw: KubeObject): void {
    const key = objectKey(raw);
    const old = byKey.get(key);
    if (!old) return;
    // A late DELETED of an older incarnation must not remove a newer object of the same name.
    if (raw.metadata.uid && old.metadata.uid && raw.metadata.uid !== old.metadata.uid) return;
    unindex(key, old);
    byKey.delete(key);
    emit({ type: 'DELETED', object: raw as T, old });
  }

  return {
    ref,
    get: (namespace, name) => byNamespace.get(namespace ?? '')?.get(name),
    getByKey: (key) => byKey.get(key),
    list(namespace) {
      if (namespace === undefined) return [...byKey.values()];
      return [...(byNamespace.get(namespace)?.values() ?? [])];
    },
    byIndex(name, value) {
      const keys = indexes.get(name)?.get(value);
      if (!keys) return [];
      const out: T[] = [];
      for (const k of keys) {
        const o = byKey.get(k);
        if (o) out.push(o);
      }
      return out;
    },
    onEvent(handler) {
      handlers.push(handler);
    },
    observe: upsert,
    observeDeleted: remove,
    start() {
      if (stopWatch) return;
      // The stored objects themselves: no copy per event.
      stopWatch = store.watch(ref, { shared: true }, (ev) => {
        if (ev.type === 'BOOKMARK') return;
        if (ev.type === 'DELETED') remove(ev.object);
        else upsert(ev.object);
      });
    },
    stop() {
      stopWatch?.();
      stopWatch = undefined;
    },
  };
}
