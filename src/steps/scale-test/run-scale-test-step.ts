/**
 * The scale test: scale a workload up by one, time every propagation stage from events
 * (pod created, ready, in the EndpointSlice, in the destination's add, endpoints_updates),
 * scale it back and time the way down (terminating, gone from the slice, the destination's
 * remove). The workload carries an annotation while it runs; the original replicas are put
 * back and the annotation removed in every outcome (pass, fail, timeout, cancel, error), and
 * every watch and stream is closed. Refusals are MeshbotError `refused`, before any change.
 */
import { performance } from 'node:perf_hooks';
import type { WorkloadRef } from '../../adapters/kube/workload-scaling.js';
import { DEFAULT_TIMEOUT_MS } from '../../adapters/open-adapters.js';
import type { StepResult } from '../../domain/step-result.js';
import { describeError, MeshbotError } from '../../errors.js';
import { destinationSelector } from '../metrics/metrics-queries.js';
import { EventTimeline, type FactOf } from './event-timeline.js';
import { judgeScaleTest } from './judge-scale-test.js';
import { createStageClock, type StageClock } from './stage-clock.js';
import { openObservers, type Observers } from './open-observers.js';
import { pollMetricMoved } from './poll-metric-moved.js';
import {
  prepareScaleTest,
  resolveSettings,
  type PreparedScaleTest,
  type ScaleTestAdapters,
} from './plan-scale-test.js';
import { formatScaleTarget, type ScaleTarget } from './resolve-scale-target.js';
import {
  encodeAnnotation,
  HEARTBEAT_MS,
  newTestId,
  SCALE_TEST_ANNOTATION,
  type ScaleTestAnnotation,
} from './scale-test-annotation.js';
import type { ScaleTestData, ScaleTestProgress, ScaleTestSettings } from './scale-test-types.js';
import { startHeartbeat, type ScaleTestHeartbeat } from './scale-test-heartbeat.js';
import { setReplicas } from './set-replicas.js';

export interface ScaleTestRequest {
  target: ScaleTarget;
  /** Who asked: a Slack user id, or the CLI's user. Recorded on the workload. */
  requestedBy: string;
  settings?: Partial<ScaleTestSettings>;
  onProgress?: ScaleTestProgress;
  /** Cancels the test; the replicas are still put back. */
  signal?: AbortSignal;
  testId?: string;
}

class Abort extends Error {}

/** Restores a leftover of a crashed test (replicas, annotation) before a new test begins. */
async function putBackLeftover(
  prepared: PreparedScaleTest,
  notify: ScaleTestProgress,
): Promise<PreparedScaleTest> {
  const { leftover, scaling, workload } = prepared;
  if (!leftover) return prepared;
  const ref: WorkloadRef = { kind: workload.kind, name: workload.name, namespace: workload.namespace };
  await setReplicas(scaling, ref, leftover.originalReplicas);
  await scaling.setAnnotation(ref, SCALE_TEST_ANNOTATION, null);
  notify({
    type: 'note',
    text: `put ${prepared.plan.workloadText} back to ${leftover.originalReplicas} replicas, left by interrupted test ${leftover.testId}`,
  });
  return prepared;
}

async function readEndpointsUpdates(
  adapters: ScaleTestAdapters,
  service: { name: string; namespace: string },
): Promise<number | undefined> {
  if (!adapters.prometheus) return undefined;
  const result = await adapters.prometheus.query(
    `sum(endpoints_updates${destinationSelector({ service: service.name, namespace: service.namespace })})`,
  );
  return result.samples[0]?.value;
}

/** Whether Prometheus was asked for (a URL or a port-forward), not merely defaulted. */
export function prometheusConfigured(adapters: ScaleTestAdapters): boolean {
  return (
    adapters.prometheus !== undefined &&
    (adapters.options.prometheusUrl !== undefined || adapters.options.prometheusPortForward === true)
  );
}

/**
 * Writes the test's record on the workload with the resourceVersion it was read at, so two tests
 * are exclusive: a record already there, or one written a moment ago, is a refusal.
 */
async function recordTestOnWorkload(
  scaling: PreparedScaleTest['scaling'],
  ref: WorkloadRef,
  plan: PreparedScaleTest['plan'],
  record: ScaleTestAnnotation,
): Promise<void> {
  const current = await scaling.getWorkload(ref);
  if (!current) throw new MeshbotError('not-found', `${plan.workloadText} no longer exists`);
  if (current.annotations[SCALE_TEST_ANNOTATION] !== undefined) {
    throw new MeshbotError('refused', `another scale test started on ${plan.workloadText} a moment ago`);
  }
  try {
    await scaling.setAnnotation(
      ref,
      SCALE_TEST_ANNOTATION,
      encodeAnnotation(record),
      current.resourceVersion,
    );
  } catch (err) {
    if (err instanceof MeshbotError && err.kind === 'conflict') {
      const again = await scaling.getWorkload(ref);
      if (again?.annotations[SCALE_TEST_ANNOTATION] !== undefined) {
        throw new MeshbotError('refused', `another scale test started on ${plan.workloadText} a moment ago`);
      }
      throw new MeshbotError(
        'conflict',
        `${plan.workloadText} changed while the test began; nothing was scaled`,
        'Try again.',
      );
    }
    throw err;
  }
}

/** What the way up needs: the way down's context, and Prometheus when it is asked. */
interface WayUp extends Omit<WayDown, 'restore'> {
  /**
   * Pods there before the scale up (not terminating), taken before it: the new pod's watch
   * event can come before the scale's answer, and a StatefulSet's new pod can take the name
   * of one still terminating.
   */
  podsBefore: ReadonlySet<string>;
  metric?: {
    read(): Promise<number | undefined>;
    pollMs: number;
    stageTimeoutMs: number;
    signal: AbortSignal;
  };
}

/** Phase 4: after the scale up, the new pod created, ready, in the EndpointSlice, in the destination, the metric. */
async function timeTheWayUp(w: WayUp): Promise<void> {
  const { data, timeline, upAt, notify } = w;
  const { timeStage, skip, timeDestination, stage } = w.clock;
  const created = await timeStage(
    'pod-created',
    'pod-added',
    (f) => !w.podsBefore.has(f.pod) && f.atMs >= upAt,
    upAt,
    upAt,
    (f) => f.pod,
  );
  if (created) data.addedPod = created.pod;
  const ready = created
    ? await timeStage(
        'pod-ready',
        'pod-ready',
        (f) => f.pod === created.pod,
        created.atMs,
        upAt,
        (f) => `${f.pod} ${f.ip}`,
      )
    : (skip('pod-ready', 'no pod was created'), undefined);
  if (ready) data.addedIp = ready.ip;
  const sliced = ready
    ? await timeStage(
        'slice-added',
        'slice-ready',
        (f) => f.ip === ready.ip,
        ready.atMs,
        upAt,
        (f) => f.ip,
      )
    : (skip('slice-added', 'no pod turned ready'), undefined);
  const destinationAdded =
    sliced && ready
      ? await timeDestination('destination-added', ready.ip, sliced.atMs, upAt)
      : (skip('destination-added', 'Kubernetes never offered the address'), false);
  const metric = w.metric;
  if (!metric) return;
  if (!destinationAdded || data.endpointsUpdates === undefined) {
    skip(
      'metric-moved',
      data.endpointsUpdates === undefined
        ? 'Prometheus had no endpoints_updates'
        : 'the destination sent nothing',
    );
    return;
  }
  // A bounded poll: Prometheus only knows what it scraped.
  const from = timeline.now();
  const moved = await pollMetricMoved({
    read: metric.read,
    before: data.endpointsUpdates.before,
    deadline: from + metric.stageTimeoutMs,
    now: () => timeline.now(),
    pollMs: metric.pollMs,
    signal: metric.signal,
  });
  if (metric.signal.aborted) return;
  if (moved !== undefined) data.endpointsUpdates.after = moved;
  const at = timeline.now();
  notify({
    type: 'stage',
    timing: stage(
      'metric-moved',
      metric.stageTimeoutMs,
      moved !== undefined
        ? {
            outcome: 'done',
            atMs: Math.round(at - upAt),
            tookMs: Math.round(at - from),
            subject: `${data.endpointsUpdates.before} -> ${moved}`,
          }
        : { outcome: 'timeout' },
    ),
  });
}

/** What the way down needs of the test in progress. */
interface WayDown {
  data: ScaleTestData;
  plan: PreparedScaleTest['plan'];
  timeline: EventTimeline;
  notify: ScaleTestProgress;
  clock: StageClock;
  observers: Observers;
  /** Puts the original replicas back (and records it). */
  restore(): Promise<void>;
  /** When the test scaled up, on the timeline. */
  upAt: number;
}

/** Phase 5: back to the original replicas, timing the way down (terminating, slice, destination). */
async function timeTheWayDown(w: WayDown): Promise<void> {
  const { data, plan, timeline, observers } = w;
  const { timeStage, skip, timeDestination } = w.clock;
  const readyBefore = observers.readySliceIps();
  const servedBefore = new Set(plan.authorities.flatMap((a) => [...observers.destinationIps(a)]));
  const downAt = timeline.now();
  await w.restore();
  w.notify({
    type: 'scaled',
    direction: 'down',
    replicas: plan.fromReplicas,
    atMs: Math.round(downAt - w.upAt),
  });
  const terminating = await timeStage(
    'pod-terminating',
    'pod-terminating',
    (f) => f.atMs >= downAt,
    downAt,
    downAt,
    (f) => `${f.pod}${f.ip ? ` ${f.ip}` : ''}`,
  );
  if (terminating) data.removedPod = terminating.pod;
  const ip = terminating?.ip ?? (terminating ? observers.pods().get(terminating.pod)?.ip : undefined);
  if (ip) data.removedIp = ip;
  let unsliced: FactOf<'slice-unready'> | undefined;
  if (!terminating || !ip)
    skip('slice-removed', terminating ? 'the pod had no address' : 'no pod terminated');
  else if (!readyBefore.has(ip)) skip('slice-removed', `${ip} was not ready in the EndpointSlice`);
  else
    unsliced = await timeStage(
      'slice-removed',
      'slice-unready',
      (f) => f.ip === ip && f.atMs >= downAt,
      terminating.atMs,
      downAt,
      (f) => f.ip,
    );
  if (!ip || !terminating) skip('destination-removed', 'no address to remove');
  else if (!servedBefore.has(ip)) skip('destination-removed', `the destination never served ${ip}`);
  else if (!unsliced && readyBefore.has(ip))
    skip('destination-removed', 'Kubernetes never removed the address');
  else await timeDestination('destination-removed', ip, unsliced?.atMs ?? terminating.atMs, downAt);
}

export async function runScaleTestStep(
  request: ScaleTestRequest,
  adapters: ScaleTestAdapters,
): Promise<StepResult<ScaleTestData>> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const settings = resolveSettings(request.settings);
  const notify: ScaleTestProgress = (e) => {
    try {
      request.onProgress?.(e);
    } catch {
      // a front end's progress display never breaks the test
    }
  };
  const data: ScaleTestData = {
    testId: request.testId ?? newTestId(),
    requestedBy: request.requestedBy,
    stages: [],
    restored: false,
    restoreAttempts: 0,
    ending: 'finished',
  };
  const targetText = formatScaleTarget(request.target);
  if (request.signal?.aborted)
    throw new MeshbotError('refused', 'the scale test was cancelled before it began');

  // 1. Decide (read-only); refusals throw here, before anything changes.
  const prepared = await putBackLeftover(await prepareScaleTest(request.target, adapters, settings), notify);
  const { plan, scaling, workload, services } = prepared;
  data.plan = plan;
  notify({ type: 'plan', plan });
  const ref: WorkloadRef = { kind: workload.kind, name: workload.name, namespace: workload.namespace };
  const firstService = services[0];

  // The whole test's limit and the caller's cancel end every wait through one signal.
  const stop = new AbortController();
  let why: 'overall-timeout' | 'cancelled' | 'broken' | undefined;
  let brokenReason: string | undefined;
  const overall = setTimeout(() => {
    why ??= 'overall-timeout';
    stop.abort();
  }, settings.overallTimeoutMs);
  const onCancel = (): void => {
    why ??= 'cancelled';
    stop.abort();
  };
  request.signal?.addEventListener('abort', onCancel, { once: true });
  const checkpoint = (): void => {
    if (stop.signal.aborted) throw new Abort();
  };

  const timeline = new EventTimeline();
  let observers: Observers | undefined;
  let annotated = false;
  let heartbeat: ScaleTestHeartbeat | undefined;
  let scaledUp = false;
  let failure: { message: string; hint?: string; kind: string } | undefined;
  const clock = createStageClock({
    stages: data.stages,
    stageTimeoutMs: settings.stageTimeoutMs,
    authorities: plan.authorities,
    timeline,
    signal: stop.signal,
    notify,
    aborted: () => new Abort(),
  });

  const restore = async (): Promise<void> => {
    const out = await setReplicas(scaling, ref, plan.fromReplicas, { attempts: 8 });
    data.restored = true;
    data.restoreAttempts += out.attempts;
    notify({ type: 'restored', replicas: plan.fromReplicas, attempts: out.attempts });
  };

  try {
    // 2. Watch before changing anything: pods, EndpointSlices, the destination.
    const timeoutMs = adapters.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    observers = await openObservers(
      {
        namespace: workload.namespace,
        podSelector: Object.keys(workload.selector).length > 0 ? workload.selector : workload.templateLabels,
        services: services.map((s) => s.name),
        authorities: plan.authorities,
        contextToken: adapters.options.contextToken ?? JSON.stringify({ ns: workload.namespace }),
        watchSeconds: (settings.overallTimeoutMs + timeoutMs) / 1000 + 5,
      },
      { scaling, destination: adapters.destination },
      timeline,
      (reason) => {
        // A watch that ended cannot show its stage: stop rather than blame the destination.
        brokenReason = reason;
        why ??= 'broken';
        stop.abort();
      },
    );
    notify({ type: 'watching', streams: plan.authorities.length });
    // The destination answers every subscription with endpoints at once; without that first
    // answer the test could not tell "never sent" from "not listening", so it does not change
    // anything. Today's Linkerd sends nothing for a service without endpoints (older ones send
    // no_endpoints): with no ready endpoint in Kubernetes, there is no first answer to wait for.
    const expectFirst = observers.readySliceIps().size > 0;
    for (const authority of expectFirst ? plan.authorities : []) {
      const first = await timeline.waitFor(
        'destination-first',
        (f) => f.authority === authority,
        timeline.now() + Math.min(settings.stageTimeoutMs, timeoutMs),
        stop.signal,
      );
      if (first === 'aborted') throw new Abort();
      if (first === 'deadline') {
        throw new MeshbotError(
          'unreachable',
          `the destination (${adapters.destination.describe()}) sent nothing for ${authority} within ${Math.min(settings.stageTimeoutMs, timeoutMs)} ms, so the test did not start: nothing was changed`,
          'Check the destination: meshbot check.',
        );
      }
    }
    const broken = observers.broken();
    if (broken) throw new MeshbotError('unreachable', `${broken}; the test did not start`);
    const metricOn = prometheusConfigured(adapters) && firstService !== undefined;
    if (metricOn && firstService) {
      const before = await readEndpointsUpdates(adapters, firstService).catch(() => undefined);
      if (before !== undefined) data.endpointsUpdates = { before };
    }
    checkpoint();

    // 3. Record the test on the workload (the resourceVersion makes two tests exclusive).
    const recordedAt = new Date().toISOString();
    await recordTestOnWorkload(scaling, ref, plan, {
      v: 1,
      testId: data.testId,
      originalReplicas: plan.fromReplicas,
      testReplicas: plan.toReplicas,
      startedAt: recordedAt,
      requestedBy: request.requestedBy,
      overallTimeoutMs: settings.overallTimeoutMs,
      heartbeatAt: recordedAt,
      heartbeatMs: HEARTBEAT_MS,
    });
    annotated = true;
    // Proof of life while the record stands: a replica that sees it go stale restores at once.
    let heartbeatFailing = false;
    heartbeat = startHeartbeat(scaling, ref, data.testId, {
      onError: (err) => {
        if (heartbeatFailing) return;
        heartbeatFailing = true;
        notify({ type: 'note', text: `could not renew the test's heartbeat: ${describeError(err).message}` });
      },
    });
    checkpoint();

    // 4. Up by one, with the resourceVersion precondition.
    const pre = await scaling.getScale(ref);
    if (pre.replicas !== plan.fromReplicas) {
      throw new MeshbotError(
        'conflict',
        `${plan.workloadText} has ${pre.replicas} replicas, not the ${plan.fromReplicas} the test planned from: someone else is scaling it; nothing was changed`,
        'Try again once it is stable.',
      );
    }
    const podsBefore = new Set(
      [...observers.pods()].filter(([, pod]) => !pod.deleting).map(([name]) => name),
    );
    const upAt = timeline.now();
    // From here on the replicas may have changed (even if the answer is lost): restore in any case.
    scaledUp = true;
    await setReplicas(scaling, ref, plan.toReplicas, { expectFrom: plan.fromReplicas });
    notify({ type: 'scaled', direction: 'up', replicas: plan.toReplicas, atMs: 0 });
    await timeTheWayUp({
      data,
      plan,
      timeline,
      notify,
      clock,
      observers,
      upAt,
      podsBefore,
      ...(metricOn && firstService
        ? {
            metric: {
              read: () => readEndpointsUpdates(adapters, firstService),
              pollMs: settings.metricPollMs ?? 1000,
              stageTimeoutMs: settings.stageTimeoutMs,
              signal: stop.signal,
            },
          }
        : {}),
    });
    checkpoint();

    // 5. Back to N, timing the way down.
    await timeTheWayDown({ data, plan, timeline, notify, clock, observers, restore, upAt });
  } catch (err) {
    if (err instanceof Abort && why === 'broken') {
      data.ending = 'error';
      failure = {
        kind: 'unreachable',
        message: `${brokenReason ?? 'a watch ended early'}; the test stopped${scaledUp ? ' and put the replicas back' : ' before changing anything'}`,
        hint: 'Kubernetes or the destination dropped the connection; run the test again, and check the destination with meshbot check.',
      };
    } else if (err instanceof Abort) {
      data.ending = why === 'overall-timeout' ? 'overall-timeout' : 'cancelled';
    } else if (err instanceof MeshbotError && err.kind === 'refused' && !scaledUp) {
      data.ending = 'refused';
      data.refusal = err.message;
      throw err;
    } else {
      data.ending = 'error';
      failure = { ...describeError(err), kind: err instanceof MeshbotError ? err.kind : 'internal' };
    }
  } finally {
    clearTimeout(overall);
    request.signal?.removeEventListener('abort', onCancel);
    observers?.close();
    // Put it back whatever happened: replicas first, then (only once they are back) the record.
    if (scaledUp && !data.restored) {
      try {
        await restore();
      } catch (err) {
        const d = describeError(err);
        failure ??= { ...d, kind: err instanceof MeshbotError ? err.kind : 'internal' };
      }
    } else if (!scaledUp) {
      data.restored = true;
    }
    // Alive until the replicas are back; stopped before the record goes, so nothing rewrites it.
    await heartbeat?.stop();
    if (annotated && data.restored) {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await scaling.setAnnotation(ref, SCALE_TEST_ANNOTATION, null);
          break;
        } catch {
          // retried; a record left behind is cleaned up by the next start's recovery
        }
      }
    }
  }

  const verdict = judgeScaleTest(data, {
    ...(firstService ? { service: { service: firstService.name, namespace: firstService.namespace } } : {}),
    controlPlaneNamespace: adapters.options.controlPlaneNamespace ?? 'linkerd',
    ...(failure ? { error: failure } : {}),
  });
  return {
    step: 'scale-test',
    target: targetText,
    status: verdict.status,
    summary: verdict.summary,
    findings: verdict.findings,
    evidence: verdict.evidence,
    next: verdict.next,
    data,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
  };
}
