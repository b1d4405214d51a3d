/**
 * The events step: the recent trouble of a workload's or a service's pods. Restarts and the
 * last termination reason of each container (OOMKilled, Error), containers waiting in
 * CrashLoopBackOff, pods not ready, failing probes (`Unhealthy` events) and other Warning
 * events, within a window. Evidence tables with a verdict: fail for OOM kills and crash loops,
 * warn for restarts, failing probes, unready pods and warnings, pass when the pods are quiet.
 */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { ControlPlaneReader } from '../../adapters/kube/control-plane-reader.js';
import type { KubeAdapter } from '../../adapters/kube/kube-adapter.js';
import { formatLabelSelector } from '../../adapters/kube/normalize-kube-objects.js';
import type { WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import {
  statusFromFindings,
  type EvidenceTable,
  type Finding,
  type StepResult,
} from '../../domain/step-result.js';
import { MeshbotError } from '../../errors.js';
import { formatDuration } from '../../grammar/duration.js';
import {
  formatServiceTarget,
  formatWorkloadTarget,
  type ServiceTarget,
  type WorkloadTarget,
} from '../../grammar/targets.js';
import { eventTime } from '../check/checks/destination-checks.js';
import { evaluatePod } from '../check/pod-health.js';

export interface EventsStepInput {
  target: WorkloadTarget | ServiceTarget;
  windowSeconds: number;
  now?: Date;
}

export interface EventsAdapters {
  kube: Pick<KubeAdapter, 'getService'>;
  controlPlane?: Pick<ControlPlaneReader, 'listPods' | 'listEvents'>;
  scaling: Pick<WorkloadScaling, 'getWorkload'>;
}

export interface ContainerTrouble {
  pod: string;
  container: string;
  ready: boolean;
  restarts: number;
  /** The last termination: reason, exit code and when (ISO), when there was one. */
  lastTermination?: { reason: string; exitCode?: number; finishedAt?: string };
  /** Why the container waits now (CrashLoopBackOff, ImagePullBackOff), when it does. */
  waiting?: string;
}

export interface PodEvent {
  object: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  lastSeen?: string;
}

export interface EventsData {
  windowSeconds: number;
  selector: string;
  pods: Array<{ name: string; phase: string; ready: boolean; restarts: number }>;
  containers: ContainerTrouble[];
  /** Warning events of the pods (and of the workload's ReplicaSets) in the window. */
  warnings: PodEvent[];
}

function isWorkload(t: WorkloadTarget | ServiceTarget): t is WorkloadTarget {
  return 'kind' in t;
}

async function selectorOf(target: WorkloadTarget | ServiceTarget, adapters: EventsAdapters): Promise<string> {
  if (isWorkload(target)) {
    const w = await adapters.scaling.getWorkload(target);
    if (!w) {
      throw new MeshbotError(
        'not-found',
        `${formatWorkloadTarget(target)} does not exist`,
        `List them: kubectl -n ${target.namespace} get ${target.kind}s`,
      );
    }
    return formatLabelSelector(w.selector);
  }
  const svc = await adapters.kube.getService(target.namespace, target.service);
  if (!svc) {
    throw new MeshbotError(
      'not-found',
      `service ${formatServiceTarget(target)} does not exist`,
      `List them: kubectl -n ${target.namespace} get services`,
    );
  }
  if (!svc.selector || Object.keys(svc.selector).length === 0) {
    throw new MeshbotError(
      'refused',
      `service ${formatServiceTarget(target)} has no selector, so meshbot cannot tell which pods are its own`,
      'Name the workload instead: events deploy/NAME.NAMESPACE',
    );
  }
  return formatLabelSelector(svc.selector);
}

function containersOf(pod: V1Pod): ContainerTrouble[] {
  const name = pod.metadata?.name ?? '?';
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].map((c) => {
    const t: ContainerTrouble = {
      pod: name,
      container: c.name,
      ready: c.ready,
      restarts: c.restartCount ?? 0,
    };
    const term = c.lastState?.terminated ?? c.state?.terminated;
    if (term) {
      t.lastTermination = {
        reason: term.reason ?? `exit code ${term.exitCode}`,
        exitCode: term.exitCode,
        ...(term.finishedAt ? { finishedAt: new Date(term.finishedAt).toISOString() } : {}),
      };
    }
    const waiting = c.state?.waiting?.reason;
    if (waiting && waiting !== 'ContainerCreating' && waiting !== 'PodInitializing') t.waiting = waiting;
    return t;
  });
}

/** Warning events of the given pods, or of objects named after the workload (replaced pods, ReplicaSets). */
export function warningEventsOf(
  events: readonly CoreV1Event[],
  podNames: ReadonlySet<string>,
  ownerPrefix: string | undefined,
  since: number,
): PodEvent[] {
  return events
    .filter((e) => {
      if (e.type !== 'Warning') return false;
      const name = e.involvedObject?.name ?? '';
      const ours = podNames.has(name) || (ownerPrefix !== undefined && name.startsWith(ownerPrefix));
      const t = eventTime(e);
      return ours && (t === undefined || t >= since);
    })
    .map((e) => {
      const t = eventTime(e);
      return {
        object: `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? '?'}`,
        type: e.type ?? 'Warning',
        reason: e.reason ?? '?',
        message: (e.message ?? '').trim(),
        count: e.count ?? 1,
        ...(t !== undefined ? { lastSeen: new Date(t).toISOString() } : {}),
      };
    })
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
}

export function judgeEvents(d: EventsData, since: number): Finding[] {
  const f: Finding[] = [];
  const recent = (iso: string | undefined): boolean => iso === undefined || new Date(iso).getTime() >= since;
  if (d.pods.length === 0) {
    f.push({
      severity: 'warn',
      code: 'no-pods',
      message: `No pods match ${d.selector}`,
      hint: 'Is the workload scaled to zero, or does the selector match nothing?',
    });
  }
  for (const c of d.containers) {
    const where = `${c.pod} (${c.container})`;
    const term = c.lastTermination;
    if (term?.reason === 'OOMKilled' && recent(term.finishedAt)) {
      f.push({
        severity: 'fail',
        code: 'oom-killed',
        subject: c.pod,
        message: `${where} was OOMKilled${term.finishedAt ? ` at ${term.finishedAt}` : ''}; ${c.restarts} restarts`,
        hint: "The container used more memory than its limit: raise the limit or find the leak (kubectl top pod; the application's memory metrics).",
      });
    } else if (c.waiting === 'CrashLoopBackOff') {
      f.push({
        severity: 'fail',
        code: 'crash-loop',
        subject: c.pod,
        message: `${where} is crash-looping (CrashLoopBackOff, ${c.restarts} restarts; last exit: ${term?.reason ?? 'unknown'})`,
        hint: `Read why it exits: kubectl logs ${c.pod} -c ${c.container} --previous`,
      });
    } else if (c.waiting) {
      f.push({
        severity: 'fail',
        code: 'container-waiting',
        subject: c.pod,
        message: `${where} cannot start: ${c.waiting}`,
      });
    } else if (c.restarts > 0 && term && recent(term.finishedAt)) {
      f.push({
        severity: 'warn',
        code: 'restarted',
        subject: c.pod,
        message: `${where} restarted (${c.restarts} restarts; last exit: ${term.reason}${term.finishedAt ? ` at ${term.finishedAt}` : ''})`,
      });
    }
  }
  for (const p of d.pods.filter((p) => !p.ready && p.phase !== 'Succeeded')) {
    if (!f.some((x) => x.subject === p.name)) {
      f.push({
        severity: 'warn',
        code: 'pod-not-ready',
        subject: p.name,
        message: `${p.name} is not ready (${p.phase})`,
      });
    }
  }
  const probes = d.warnings.filter((w) => w.reason === 'Unhealthy');
  for (const w of probes.slice(0, 5)) {
    f.push({
      severity: 'warn',
      code: 'probe-failing',
      subject: w.object,
      message: `${w.object}: probe failing x${w.count}: ${w.message}`,
    });
  }
  const others = new Map<string, number>();
  for (const w of d.warnings.filter((w) => w.reason !== 'Unhealthy')) {
    others.set(w.reason, (others.get(w.reason) ?? 0) + w.count);
  }
  for (const [reason, count] of others) {
    f.push({
      severity: 'warn',
      code: 'warning-event',
      message: `${count} Warning event${count === 1 ? '' : 's'} ${reason}`,
    });
  }
  if (f.length === 0) {
    f.push({
      severity: 'info',
      code: 'pods-quiet',
      message: 'No restarts, OOM kills, failing probes or warnings in the window',
    });
  }
  return f;
}

export async function runEventsStep(
  input: EventsStepInput,
  adapters: EventsAdapters,
): Promise<StepResult<EventsData>> {
  const started = new Date();
  const now = input.now ?? started;
  const since = now.getTime() - input.windowSeconds * 1000;
  const target = input.target;
  const targetText = isWorkload(target) ? formatWorkloadTarget(target) : formatServiceTarget(target);
  if (!adapters.controlPlane) {
    throw new MeshbotError('config', 'the events step needs Kubernetes reads of pods and events');
  }
  const selector = await selectorOf(target, adapters);
  const [pods, events] = await Promise.all([
    adapters.controlPlane.listPods(target.namespace, selector),
    adapters.controlPlane.listEvents(target.namespace),
  ]);
  const podNames = new Set(pods.map((p) => p.metadata?.name ?? ''));
  const data: EventsData = {
    windowSeconds: input.windowSeconds,
    selector,
    pods: pods.map((p) => {
      const h = evaluatePod(p);
      return { name: h.name, phase: h.phase, ready: h.ready, restarts: h.restarts };
    }),
    containers: pods.flatMap(containersOf),
    warnings: warningEventsOf(events, podNames, isWorkload(target) ? `${target.name}-` : undefined, since),
  };
  const findings = judgeEvents(data, since);
  const status = statusFromFindings(findings);
  const evidence: EvidenceTable[] = [
    {
      title: `Containers of the pods of ${targetText}`,
      columns: ['Pod', 'Container', 'Ready', 'Restarts', 'Last termination', 'Waiting'],
      rows: data.containers.map((c) => [
        c.pod,
        c.container,
        c.ready ? 'yes' : 'no',
        String(c.restarts),
        c.lastTermination
          ? `${c.lastTermination.reason}${c.lastTermination.finishedAt ? ` at ${c.lastTermination.finishedAt}` : ''}`
          : '-',
        c.waiting ?? '-',
      ]),
    },
  ];
  if (data.warnings.length) {
    evidence.push({
      title: `Warning events (last ${formatDuration(input.windowSeconds)})`,
      columns: ['Last seen', 'Object', 'Reason', 'Count', 'Message'],
      rows: data.warnings
        .slice(0, 30)
        .map((w) => [w.lastSeen ?? '-', w.object, w.reason, String(w.count), w.message]),
    });
  }
  const problems = findings.filter((x) => x.severity !== 'info');
  return {
    step: 'events',
    target: targetText,
    status,
    summary:
      problems.length === 0
        ? `${data.pods.length} pod${data.pods.length === 1 ? '' : 's'} of ${targetText}: no trouble in the last ${formatDuration(input.windowSeconds)}`
        : `${problems.length} problem${problems.length === 1 ? '' : 's'} with the pods of ${targetText}: ${problems[0]!.message}`,
    findings,
    evidence,
    next: [],
    data,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  };
}
