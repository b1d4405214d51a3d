/**
 * Waits, on store watch events (never by polling), until a condition over the store holds.
 * Used by startSandbox ("all workloads ready") and by tests.
 */
import type { KindRef, ObjectStore, WatchEvent } from '../kube/store-types.js';
import { DAEMON_SET, DEPLOYMENT, STATEFUL_SET, type Workload } from './kube-refs.js';
import { SIM } from './simulation-annotations.js';

export function waitUntil(
  store: ObjectStore,
  refs: readonly KindRef[],
  check: () => boolean,
  opts: {
    timeoutMs?: number;
    what?: string;
    /** Sees each event before `check` runs. */
    onEvent?: (ev: WatchEvent) => void;
    /** Adds detail to the timeout error. */
    describe?: () => string;
  } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise<void>((resolve, reject) => {
    const stops: Array<() => void> = [];
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Stopping from inside a callback is fine; defer so every watch is registered first.
      queueMicrotask(() => stops.forEach((s) => s()));
      if (err) reject(err);
      else resolve();
    };
    const evaluate = (ev?: WatchEvent): void => {
      if (done) return;
      if (ev && ev.type !== 'BOOKMARK') opts.onEvent?.(ev);
      try {
        if (check()) finish();
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}` +
              (opts.describe ? ` (${opts.describe()})` : ''),
          ),
        ),
      timeoutMs,
    );
    const rv = store.resourceVersion();
    // The stored objects themselves (read-only): a check reads them, it never changes them.
    for (const ref of refs) stops.push(store.watch(ref, { resourceVersion: rv, shared: true }, evaluate));
    evaluate();
  });
}

/**
 * Resolves once every Deployment, StatefulSet and DaemonSet reports all its pods, and when
 * `ready`, all of them Ready (workloads whose template says never-ready or crash-loop excepted). Each
 * watch event re-checks only the workload it concerns.
 */
export function waitForWorkloads(
  store: ObjectStore,
  opts: {
    /** Whether to wait for Ready pods too: for every workload, or decided per workload. */
    ready: boolean | ((w: Workload) => boolean);
    timeoutMs?: number;
  },
): Promise<void> {
  const pending = new Set<string>();
  const done = (w: Workload, isDeployment: boolean): boolean => {
    const status = w.status ?? {};
    if ((status['observedGeneration'] ?? 0) !== (w.metadata.generation ?? 1)) return false;
    const a = w.spec.template.metadata?.annotations ?? {};
    if (w.kind === 'DaemonSet') {
      // One pod per node: as many scheduled (and Ready) as desired.
      const desired = (status['desiredNumberScheduled'] as number | undefined) ?? 0;
      if (((status['currentNumberScheduled'] as number | undefined) ?? 0) !== desired) return false;
      if (!(typeof opts.ready === 'function' ? opts.ready(w) : opts.ready)) return true;
      return ((status['numberReady'] as number | undefined) ?? 0) === desired || a[SIM.neverReady] === 'true';
    }
    const want = w.spec.replicas ?? 1;
    const unreadyByDesign = a[SIM.neverReady] === 'true' || a[SIM.crashLoop] === 'true';
    const have = (status[isDeployment ? 'updatedReplicas' : 'replicas'] as number | undefined) ?? 0;
    // An OrderedReady StatefulSet whose pods never turn ready stops at its first pod, as the real one.
    const ordered = !isDeployment && w.spec.podManagementPolicy !== 'Parallel';
    if (have !== want && !(ordered && unreadyByDesign && have >= Math.min(1, want))) return false;
    if (!(typeof opts.ready === 'function' ? opts.ready(w) : opts.ready)) return true;
    if (((status['readyReplicas'] as number | undefined) ?? 0) === want) return true;
    return unreadyByDesign;
  };
  const key = (w: Workload): string => `${w.kind}/${w.metadata.namespace}/${w.metadata.name}`;
  const consider = (w: Workload, deleted = false): void => {
    if (deleted || done(w, w.kind === 'Deployment')) pending.delete(key(w));
    else pending.add(key(w));
  };
  const refs = [DEPLOYMENT, STATEFUL_SET, DAEMON_SET].filter((ref) =>
    store.kinds().some((k) => k.kind === (ref as { kind: string }).kind),
  );
  for (const ref of refs) {
    for (const w of store.listStored(ref).items as Workload[]) consider(w);
  }
  return waitUntil(store, refs, () => pending.size === 0, {
    timeoutMs: opts.timeoutMs ?? 30_000,
    what: opts.ready === false ? 'every workload to have its pods' : 'every workload to be ready',
    onEvent: (ev) => consider(ev.object as Workload, ev.type === 'DELETED'),
    describe: () => `still waiting for ${[...pending].slice(0, 5).join(', ')}`,
  });
}
