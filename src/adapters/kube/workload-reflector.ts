/**
 * Deployments and StatefulSets of a cluster (every namespace, or one), kept current the way
 * client-go's reflector keeps an informer's store: list, then watch from the list's
 * resourceVersion; remember the newest resourceVersion seen (events and BOOKMARKs); when the
 * server ends a watch, watch again from there without listing; when that resourceVersion has
 * left the server's history (410), list again and tell what changed meanwhile (objects gone are
 * told as deleted); on other failures, try again after a growing pause (1 s doubling to 30 s,
 * as client-go's backoff), and treat a watch that ends at once with nothing in it as a failure
 * (client-go's "very short watch"). Several listeners share one reflector (the scale test's
 * and proxy-log-level's records live on the same objects): a new listener is first told the
 * objects known so far. `close()` ends the watch in flight and every timer.
 */
import type { KubeWorkload, ScalableKind, WatchHandlers, WorkloadScaling } from './workload-scaling.js';
import { isWatchExpired } from './workload-scaling.js';

export interface WorkloadListener {
  /** Added or changed (or listed again). */
  onUpsert(workload: KubeWorkload): void;
  onDelete(workload: KubeWorkload): void;
}

export interface WorkloadReflector {
  /** Tells the listener every object known now, then every change; returns its unsubscribe. */
  subscribe(listener: WorkloadListener): () => void;
  /** Resolves once every kind has been listed and its watch opened (client-go's HasSynced). */
  synced: Promise<void>;
  /** How often it listed and watched (a resumed watch lists nothing). */
  stats(): { lists: number; watches: number };
  close(): void;
}

/** The server ends each watch after about this long; it is resumed from the last resourceVersion. */
export const REFLECTOR_WATCH_SECONDS = 300;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
/** A watch that ends this soon, with no event, counts as a failure (client-go: 1 s). */
const SHORT_WATCH_MS = 1000;
const KINDS: ScalableKind[] = ['deployment', 'statefulset'];

export function workloadKey(w: Pick<KubeWorkload, 'kind' | 'namespace' | 'name'>): string {
  return `${w.kind}/${w.namespace}/${w.name}`;
}

export function startWorkloadReflector(
  scaling: Pick<WorkloadScaling, 'watchWorkloads'>,
  options: {
    /** One namespace; every namespace when absent. */
    namespace?: string;
    /** Told each failure (listing, opening or a watch ending in error); it tries again itself. */
    onError(err: unknown): void;
    watchSeconds?: number;
  },
): WorkloadReflector {
  const store = new Map<string, KubeWorkload>();
  const listeners = new Set<WorkloadListener>();
  const counts = { lists: 0, watches: 0 };
  const watchSeconds = options.watchSeconds ?? REFLECTOR_WATCH_SECONDS;
  let closed = false;

  const tell = (fn: (l: WorkloadListener) => void): void => {
    for (const l of [...listeners]) fn(l);
  };
  const upsert = (w: KubeWorkload): void => {
    store.set(workloadKey(w), w);
    tell((l) => l.onUpsert(w));
  };
  const remove = (w: KubeWorkload): void => {
    const had = store.get(workloadKey(w));
    store.delete(workloadKey(w));
    tell((l) => l.onDelete(had ?? w));
  };

  function startStream(kind: ScalableKind): { close(): void; synced: Promise<void> } {
    let markSynced: () => void = () => undefined;
    const synced = new Promise<void>((resolve) => (markSynced = resolve));
    let lastRv: string | undefined;
    let watch: { close(): void } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let backoffMs = BACKOFF_MIN_MS;
    /** Which opening is current: events of an older watch are dropped. */
    let generation = 0;

    const retryLater = (err: unknown): void => {
      options.onError(err);
      timer = setTimeout(run, backoffMs);
      backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
    };

    /** The objects of this kind as a new list has them: the gone ones deleted, every one told. */
    const replace = (items: KubeWorkload[]): void => {
      const listed = new Set(items.map(workloadKey));
      for (const [key, w] of [...store]) if (w.kind === kind && !listed.has(key)) remove(w);
      for (const w of items) upsert(w);
    };

    function run(): void {
      timer = undefined;
      if (closed) return;
      const gen = ++generation;
      const resuming = lastRv;
      const openedAt = Date.now();
      let seen = false;
      /** Until a new list is in the store, what the watch says waits (it is newer than the list). */
      let pending: Array<() => void> | undefined = resuming === undefined ? [] : undefined;
      const apply = (fn: () => void): void => (pending ? void pending.push(fn) : fn());
      const handlers: WatchHandlers<KubeWorkload> = {
        onEvent(type, w) {
          if (gen !== generation) return;
          seen = true;
          apply(() => {
            if (w.resourceVersion) lastRv = w.resourceVersion;
            if (type === 'DELETED') remove(w);
            else upsert(w);
          });
        },
        onBookmark(rv) {
          if (gen !== generation) return;
          seen = true;
          apply(() => (lastRv = rv));
        },
        onEnd(err) {
          if (gen !== generation || closed) return;
          generation++;
          watch?.close();
          watch = undefined;
          if (isWatchExpired(err)) {
            // Too old: list again at once (client-go relists with no resourceVersion).
            lastRv = undefined;
            timer = setTimeout(run, 0);
          } else if (err) retryLater(err);
          else if (!seen && Date.now() - openedAt < SHORT_WATCH_MS) {
            retryLater(new Error(`the ${kind} watch ended at once, with nothing in it`));
          } else {
            backoffMs = BACKOFF_MIN_MS;
            timer = setTimeout(run, 0); // ended by the server: resume from lastRv
          }
        },
      };
      if (resuming === undefined) counts.lists++;
      counts.watches++;
      scaling
        .watchWorkloads(kind, options.namespace, handlers, {
          timeoutSeconds: watchSeconds,
          ...(resuming !== undefined ? { resourceVersion: resuming } : {}),
        })
        .then(
          (w) => {
            if (closed || gen !== generation) {
              w.close();
              return;
            }
            watch = w;
            if (pending) {
              replace(w.initial);
              lastRv = w.resourceVersion;
              for (const fn of pending.splice(0)) fn();
              pending = undefined;
            }
            markSynced();
          },
          (err: unknown) => {
            if (closed || gen !== generation) return;
            generation++;
            if (isWatchExpired(err)) lastRv = undefined;
            retryLater(err);
          },
        );
    }

    run();
    return {
      synced,
      close() {
        generation++;
        clearTimeout(timer);
        watch?.close();
        watch = undefined;
      },
    };
  }

  const streams = KINDS.map((kind) => startStream(kind));
  return {
    synced: Promise.all(streams.map((s) => s.synced)).then(() => undefined),
    subscribe(listener) {
      listeners.add(listener);
      for (const w of store.values()) listener.onUpsert(w);
      return () => listeners.delete(listener);
    },
    stats: () => ({ ...counts }),
    close() {
      closed = true;
      for (const s of streams) s.close();
      listeners.clear();
    },
  };
}
