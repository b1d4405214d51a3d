import type { KindRef, KubeObject, ListOptions, ObjectStore } from '../sandbox/kube/store-types.js';

const PODS: KindRef = { apiVersion: 'v1', kind: 'Pod' };
const SLICES: KindRef = { group: 'discovery.k8s.io', plural: 'endpointslices' };

/** Resolves with `check`'s first defined value over the watched objects; events, not timers. */
function watchUntil<T>(
  store: ObjectStore,
  ref: KindRef,
  opts: ListOptions,
  check: (objs: KubeObject[]) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const objects = new Map<string, KubeObject>();
    let done = false;
    const watch: { stop?: () => void } = {};
    const finish = (f: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      queueMicrotask(() => watch.stop?.());
      f();
    };
    const guard = setTimeout(
      () =>
        finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting on ${JSON.stringify(opts)}`))),
      timeoutMs,
    );
    watch.stop = store.watch(ref, opts, (ev) => {
      const key = `${ev.object.metadata.namespace ?? ''}/${ev.object.metadata.name}`;
      if (ev.type === 'DELETED') objects.delete(key);
      else if (ev.type !== 'BOOKMARK') objects.set(key, ev.object);
      const v = check([...objects.values()]);
      if (v !== undefined) finish(() => resolve(v));
    });
  });
}

function podIp(p: KubeObject): string | undefined {
  return (p['status'] as { podIP?: string } | undefined)?.podIP;
}

type Ep = { addresses: string[]; conditions?: { ready?: boolean } };

function allIps(slices: KubeObject[]): string[] {
  return slices.flatMap((s) => (s['endpoints'] as Ep[] | undefined) ?? []).flatMap((e) => e.addresses);
}

function readyIps(slices: KubeObject[]): string[] {
  return slices
    .flatMap((s) => (s['endpoints'] as Ep[] | undefined) ?? [])
    .filter((e) => e.conditions?.ready !== false)
    .flatMap((e) => e.addresses);
}

/**
 * The demo's incident: one pod of a service is replaced (as a rollout or an eviction does).
 * Deletes the first pod matching `podSelector`, then waits until the service's EndpointSlices
 * list a new ready address and no longer the old one, and the old pod is gone. Returns the old and new IPs.
 */
export async function replacePod(
  store: ObjectStore,
  opts: { namespace: string; service: string; podSelector: string; timeoutMs?: number },
): Promise<{ pod: string; oldIp: string; newIp: string }> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const pod = store
    .list(PODS, { namespace: opts.namespace, labelSelector: opts.podSelector })
    .items.find((p) => !p.metadata.deletionTimestamp && podIp(p));
  if (!pod) throw new Error(`no running pod matches ${opts.podSelector} in ${opts.namespace}`);
  const oldIp = podIp(pod)!;
  store.delete(PODS, opts.namespace, pod.metadata.name);
  const newIp = await watchUntil(
    store,
    SLICES,
    { namespace: opts.namespace, labelSelector: `kubernetes.io/service-name=${opts.service}` },
    (slices) => (allIps(slices).includes(oldIp) ? undefined : readyIps(slices)[0]),
    timeoutMs,
  );
  await watchUntil(
    store,
    PODS,
    { namespace: opts.namespace, labelSelector: opts.podSelector },
    (pods) => (pods.some((p) => podIp(p) === oldIp) ? undefined : true),
    timeoutMs,
  );
  return { pod: pod.metadata.name, oldIp, newIp };
}
