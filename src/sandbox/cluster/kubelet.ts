/**
 * The kubelets of the sandbox's nodes: start bound pods (IP from the pod CIDR, phase
 * Running, container statuses), turn them Ready after their delay, keep never-ready pods
 * failing their readiness probe, crash-loop pods that are told to, and finalize deletions:
 * a pod being deleted turns not Ready, its containers are stopped, and after the
 * termination delay it is removed for good.
 */
import { mutateObject, type ClusterContext } from './cluster-context.js';
import { ipFamilyOf, podFamilies } from './cluster-options.js';
import { createIpAllocator } from './ip-allocator.js';
import {
  isTerminating,
  nowIso,
  objectKey,
  POD,
  type Condition,
  type Container,
  type ContainerStatus,
  type Pod,
} from './kube-refs.js';
import { LINKERD, SIM } from './simulation-annotations.js';
import { createWorkQueue } from './work-queue.js';

interface PodBehaviour {
  readyDelayMs: number;
  neverReady: boolean;
  crashLoop: boolean;
  crashLoopIntervalMs: number;
  initialRestarts: number;
  /** Reason of the main container's last termination, when the scenario gives one. */
  lastTermination?: string;
}

/** The exit code a termination reason goes with (137: killed, as the OOM killer does). */
const exitCodeOf = (reason: string): number => (reason === 'OOMKilled' ? 137 : 1);

function numberAnnotation(pod: Pod, key: string): number | undefined {
  const v = pod.metadata.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The container a crash loop or readiness failure concerns: the first that is not the proxy. */
export function mainContainer(pod: Pod): Container | undefined {
  return pod.spec.containers.find((c) => c.name !== LINKERD.proxyContainer) ?? pod.spec.containers[0];
}

function setCondition(conditions: Condition[], type: string, ok: boolean, now: string): Condition[] {
  const status = ok ? 'True' : 'False';
  const old = conditions.find((c) => c.type === type);
  const next: Condition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === status ? (old.lastTransitionTime ?? now) : now,
    ...(!ok && (type === 'Ready' || type === 'ContainersReady')
      ? { reason: 'ContainersNotReady', message: 'containers with unready status' }
      : {}),
  };
  return old ? conditions.map((c) => (c.type === type ? next : c)) : [...conditions, next];
}

export function startKubelet(ctx: ClusterContext): { stop(): void } {
  const { options, timers, recorder } = ctx;
  const pods = ctx.informers.pods;
  const families = podFamilies(options.ipFamilies);
  const allocators = {
    IPv4: createIpAllocator(options.podCidr, 2),
    IPv6: createIpAllocator(options.podCidrV6, 2),
  };
  /** Pod key -> the IPs it holds (primary first) and the uid of the pod holding them. */
  const held = new Map<string, { uid: string; ips: string[] }>();
  const onError = ctx.onError('kubelet');

  function behaviour(pod: Pod): PodBehaviour {
    const a = pod.metadata.annotations ?? {};
    return {
      readyDelayMs:
        options.podReadyDelayOverrideMs ?? numberAnnotation(pod, SIM.readyDelayMs) ?? options.podReadyDelayMs,
      neverReady: a[SIM.neverReady] === 'true',
      crashLoop: a[SIM.crashLoop] === 'true',
      crashLoopIntervalMs: numberAnnotation(pod, SIM.crashLoopIntervalMs) ?? options.crashLoopIntervalMs,
      initialRestarts: numberAnnotation(pod, SIM.initialRestarts) ?? 0,
      ...(a[SIM.lastTermination] ? { lastTermination: a[SIM.lastTermination] } : {}),
    };
  }

  const source = (pod: Pod): { component: string; host?: string } =>
    pod.spec.nodeName ? { component: 'kubelet', host: pod.spec.nodeName } : { component: 'kubelet' };

  function release(key: string, uid?: string): void {
    const h = held.get(key);
    if (!h || (uid && h.uid !== uid)) return;
    for (const ip of h.ips) allocators[ipFamilyOf(ip)].release(ip);
    held.delete(key);
  }

  function start(pod: Pod, key: string): void {
    const b = behaviour(pod);
    const uid = pod.metadata.uid ?? '';
    let podIps = held.get(key)?.ips;
    if (!podIps) {
      podIps = families.map((f) => allocators[f].allocate());
      held.set(key, { uid, ips: podIps });
    }
    const ip = podIps[0]!;
    const node = ctx.nodes.get(pod.spec.nodeName ?? '');
    const now = nowIso();
    const readyNow = !b.neverReady && !b.crashLoop && b.readyDelayMs === 0;
    const main = mainContainer(pod);
    const written = mutateObject<Pod>(ctx, pods, POD, pod.metadata.namespace, pod.metadata.name, (p) => {
      if (isTerminating(p) || p.status?.podIP) return false;
      const containerStatuses = p.spec.containers.map((c, i): ContainerStatus => {
        const isMain = c.name === main?.name;
        const base = {
          name: c.name,
          image: c.image ?? `${c.name}:latest`,
          imageID: `sha256:${(i + 1).toString(16).padStart(64, '0')}`,
          containerID: `containerd://${uid.replace(/-/g, '')}${i}`,
        };
        if (isMain && b.crashLoop) {
          return {
            ...base,
            ready: false,
            started: false,
            restartCount: b.initialRestarts,
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: `back-off 10s restarting failed container=${c.name} pod=${p.metadata.name}_${p.metadata.namespace}(${uid})`,
              },
            },
            lastState: {
              terminated: {
                exitCode: exitCodeOf(b.lastTermination ?? 'Error'),
                reason: b.lastTermination ?? 'Error',
                startedAt: now,
                finishedAt: now,
              },
            },
          };
        }
        return {
          ...base,
          ready: readyNow,
          started: true,
          restartCount: isMain ? b.initialRestarts : 0,
          state: { running: { startedAt: now } },
          lastState:
            isMain && b.lastTermination
              ? {
                  terminated: {
                    exitCode: exitCodeOf(b.lastTermination),
                    reason: b.lastTermination,
                    startedAt: now,
                    finishedAt: now,
                  },
                }
              : {},
        };
      });
      let conditions = p.status?.conditions ?? [];
      conditions = setCondition(conditions, 'PodReadyToStartContainers', true, now);
      conditions = setCondition(conditions, 'Initialized', true, now);
      conditions = setCondition(conditions, 'Ready', readyNow, now);
      conditions = setCondition(conditions, 'ContainersReady', readyNow, now);
      conditions = setCondition(conditions, 'PodScheduled', true, now);
      p.status = {
        ...p.status,
        phase: 'Running',
        conditions,
        podIP: ip,
        podIPs: podIps.map((i) => ({ ip: i })),
        ...(node ? { hostIP: node.ip, hostIPs: [{ ip: node.ip }] } : {}),
        startTime: p.status?.startTime ?? now,
        containerStatuses,
        ...(p.spec.initContainers?.length
          ? {
              initContainerStatuses: p.spec.initContainers.map((c) => ({
                name: c.name,
                image: c.image ?? `${c.name}:latest`,
                ready: true,
                restartCount: 0,
                state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
                lastState: {},
              })),
            }
          : {}),
      };
    });
    if (!written) return;
    const fieldPath = main ? `spec.containers{${main.name}}` : undefined;
    if (b.crashLoop && main) {
      const backOff = (): void =>
        recorder.record(
          written,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${main.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`,
          source(written),
          fieldPath,
        );
      backOff();
      timers.every(`pod:${key}:crash`, b.crashLoopIntervalMs, () => {
        const restarted = mutateObject<Pod>(
          ctx,
          pods,
          POD,
          pod.metadata.namespace,
          pod.metadata.name,
          (p) => {
            if (isTerminating(p)) return false;
            const statuses = p.status?.containerStatuses;
            if (!p.status || !statuses?.some((c) => c.name === main.name)) return false;
            const t = nowIso();
            const reason = b.lastTermination ?? 'Error';
            p.status.containerStatuses = statuses.map((cs) =>
              cs.name === main.name
                ? {
                    ...cs,
                    restartCount: cs.restartCount + 1,
                    lastState: {
                      terminated: { exitCode: exitCodeOf(reason), reason, startedAt: t, finishedAt: t },
                    },
                  }
                : cs,
            );
          },
          uid,
        );
        if (restarted) backOff();
      });
    } else if (b.neverReady) {
      const unhealthy = (): void =>
        recorder.record(
          written,
          'Warning',
          'Unhealthy',
          'Readiness probe failed: HTTP probe failed with statuscode: 503',
          source(written),
          fieldPath,
        );
      unhealthy();
      timers.every(`pod:${key}:probe`, options.probePeriodMs, unhealthy);
    } else if (!readyNow) {
      timers.after(`pod:${key}:ready`, b.readyDelayMs, () => markReady(pod, uid));
    }
  }

  function markReady(pod: Pod, uid: string): void {
    const now = nowIso();
    mutateObject<Pod>(
      ctx,
      pods,
      POD,
      pod.metadata.namespace,
      pod.metadata.name,
      (p) => {
        if (isTerminating(p) || !p.status) return false;
        let conditions = p.status.conditions ?? [];
        conditions = setCondition(conditions, 'Ready', true, now);
        conditions = setCondition(conditions, 'ContainersReady', true, now);
        p.status.conditions = conditions;
        if (p.status.containerStatuses) {
          p.status.containerStatuses = p.status.containerStatuses.map((cs) => ({ ...cs, ready: true }));
        }
      },
      uid,
    );
  }

  function terminate(pod: Pod, key: string): void {
    if (timers.has(`pod:${key}:kill`)) return;
    const uid = pod.metadata.uid ?? '';
    for (const t of ['ready', 'probe', 'crash']) timers.cancel(`pod:${key}:${t}`);
    const now = nowIso();
    const stopped = mutateObject<Pod>(
      ctx,
      pods,
      POD,
      pod.metadata.namespace,
      pod.metadata.name,
      (p) => {
        const wasReady = p.status?.conditions?.some(
          (c) => (c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'True',
        );
        if (!wasReady && !p.status?.containerStatuses?.some((c) => c.ready)) return false;
        let conditions = p.status?.conditions ?? [];
        conditions = setCondition(conditions, 'Ready', false, now);
        conditions = setCondition(conditions, 'ContainersReady', false, now);
        p.status = { ...p.status, conditions };
        if (p.status.containerStatuses) {
          p.status.containerStatuses = p.status.containerStatuses.map((cs) => ({ ...cs, ready: false }));
        }
      },
      uid,
    );
    if (pod.spec.nodeName) {
      for (const c of pod.spec.containers) {
        if (c.name === LINKERD.proxyContainer) continue;
        recorder.record(
          stopped ?? pod,
          'Normal',
          'Killing',
          `Stopping container ${c.name}`,
          source(pod),
          `spec.containers{${c.name}}`,
        );
      }
    }
    const finalize = (): void => {
      const current = ctx.store.get(POD, pod.metadata.namespace, pod.metadata.name);
      if (!current || current.metadata.uid !== uid) return;
      const removed = ctx.store.delete(POD, pod.metadata.namespace, pod.metadata.name, {
        gracePeriodSeconds: 0,
      });
      if (!ctx.store.get(POD, pod.metadata.namespace, pod.metadata.name)) pods.observeDeleted(removed);
    };
    if (options.terminationDelayMs <= 0) finalize();
    else timers.after(`pod:${key}:kill`, options.terminationDelayMs, finalize);
  }

  const queue = createWorkQueue((key) => {
    const pod = pods.getByKey(key);
    if (!pod) return;
    if (isTerminating(pod)) return terminate(pod, key);
    if (!pod.spec.nodeName) return;
    if (!pod.status?.podIP && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed')
      start(pod, key);
  }, onError);

  pods.onEvent((ev) => {
    const key = objectKey(ev.object);
    if (ev.type === 'DELETED') {
      release(key, ev.object.metadata.uid);
      timers.cancel(`pod:${key}:`, { prefix: true });
      return;
    }
    const ips = (ev.object.status?.podIPs ?? []).map((p) => p.ip);
    if (ips.length > 0 && !held.has(key)) {
      const reserved = ips.filter((ip) => {
        const a = allocators[ipFamilyOf(ip)];
        return a.contains(ip) && a.reserve(ip);
      });
      if (reserved.length > 0) held.set(key, { uid: ev.object.metadata.uid ?? '', ips: reserved });
    }
    queue.add(key);
  });

  return {
    stop() {
      queue.stop();
    },
  };
}
