/**
 * The verdict of a scale test, from its timed stages alone (pure): pass when the destination
 * sent both the add and the remove within their limits; otherwise the stage that never came,
 * said the way a person reads it ("Kubernetes added 10.1.3.7 at +2.1 s; the destination never
 * sent it within 30 s"), and what to do next.
 */
import type { EvidenceTable, Finding, NextStep, StepStatus } from '../../domain/step-result.js';
import { statusFromFindings } from '../../domain/step-result.js';
import { meshCommands } from '../../grammar/mesh-commands.js';
import type { ServiceTarget } from '../../grammar/targets.js';
import type { ScaleTestData, StageName, StageTiming } from './scale-test-types.js';

export interface Verdict {
  status: StepStatus;
  summary: string;
  findings: Finding[];
  next: NextStep[];
  evidence: EvidenceTable[];
}

export function seconds(ms: number | undefined): string {
  if (ms === undefined) return '?';
  return `${(ms / 1000).toFixed(1)} s`;
}

export function limitText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : seconds(ms);
}

function stage(data: ScaleTestData, name: StageName): StageTiming | undefined {
  return data.stages.find((s) => s.stage === name);
}

function destinationNext(service: ServiceTarget | undefined, controlPlaneNamespace: string): NextStep[] {
  const steps: NextStep[] = [];
  if (service) {
    steps.push({
      label: "Compare Kubernetes' endpoints with the destination's",
      command: meshCommands.endpoints(service),
    });
    steps.push({ label: "Check the destination's metrics", command: meshCommands.metrics(service) });
  }
  steps.push({ label: 'Check the control plane', command: meshCommands.check() });
  steps.push({
    label: 'Restart the destination pods',
    description: `kubectl -n ${controlPlaneNamespace} rollout restart deploy/linkerd-destination (only once the metrics confirm it is stuck)`,
  });
  return steps;
}

function failureFor(
  t: StageTiming,
  data: ScaleTestData,
  service: ServiceTarget | undefined,
  cp: string,
): { finding: Finding; next: NextStep[] } | undefined {
  const limit = limitText(t.limitMs);
  const podOf = (name: StageName): string | undefined => stage(data, name)?.subject;
  const at = (name: StageName): string => `+${seconds(stage(data, name)?.atMs)}`;
  const ns = data.plan?.workload.namespace ?? '';
  switch (t.stage) {
    case 'pod-created':
      return {
        finding: {
          severity: 'fail',
          code: 'pod-never-created',
          message: `Kubernetes was asked for ${data.plan?.toReplicas ?? '?'} replicas; no new pod appeared within ${limit}`,
          hint: 'The workload controller did not act: look for quota or admission errors in the events.',
        },
        next: [
          {
            label: 'Events of the namespace',
            description: `kubectl -n ${ns} get events --sort-by=.lastTimestamp`,
          },
        ],
      };
    case 'pod-ready':
      return {
        finding: {
          severity: 'fail',
          code: 'pod-never-ready',
          subject: podOf('pod-created'),
          message: `pod ${podOf('pod-created') ?? '?'} was created at ${at('pod-created')} but never turned ready within ${limit}, so the destination had nothing to send`,
          hint: 'This is the workload, not discovery: check its readiness probe and logs.',
        },
        next: [
          {
            label: 'Describe the pod',
            description: `kubectl -n ${ns} describe pod ${podOf('pod-created') ?? ''}`,
          },
        ],
      };
    case 'slice-added':
      return {
        finding: {
          severity: 'fail',
          code: 'slice-never-updated',
          subject: data.addedIp,
          message: `pod ${data.addedPod ?? '?'} turned ready at ${at('pod-ready')}; Kubernetes never put ${data.addedIp ?? 'its address'} ready in the EndpointSlice within ${limit}`,
          hint: "Kubernetes' EndpointSlice controller is behind; the destination cannot be faster than it.",
        },
        next: [
          {
            label: 'EndpointSlices of the service',
            description: `kubectl -n ${ns} get endpointslices -o wide`,
          },
        ],
      };
    case 'destination-added':
      return {
        finding: {
          severity: 'fail',
          code: 'destination-never-added',
          subject: data.addedIp,
          message: `Kubernetes added ${data.addedIp ?? '?'} at ${at('slice-added')}; the destination never sent it within ${limit}`,
          hint: 'The destination controller is not applying updates (stale discovery): clients keep the old set.',
        },
        next: destinationNext(service, cp),
      };
    case 'metric-moved':
      return {
        finding: {
          severity: 'warn',
          code: 'endpoints-updates-flat',
          message: `the destination sent ${data.addedIp ?? 'the address'}, but endpoints_updates did not move in Prometheus within ${limit}`,
          hint: 'Prometheus may scrape the destination rarely, or not at all.',
        },
        next: service
          ? [{ label: "Check the destination's metrics", command: meshCommands.metrics(service) }]
          : [],
      };
    case 'pod-terminating':
      return {
        finding: {
          severity: 'fail',
          code: 'pod-never-terminated',
          message: `after scaling back to ${data.plan?.fromReplicas ?? '?'} no pod started terminating within ${limit}`,
          hint: 'The workload controller did not act on the scale-down; check the workload and its events.',
        },
        next: [
          {
            label: 'Events of the namespace',
            description: `kubectl -n ${ns} get events --sort-by=.lastTimestamp`,
          },
        ],
      };
    case 'slice-removed':
      return {
        finding: {
          severity: 'fail',
          code: 'slice-never-removed',
          subject: data.removedIp,
          message: `pod ${data.removedPod ?? '?'} started terminating at ${at('pod-terminating')}; Kubernetes kept ${data.removedIp ?? 'its address'} ready in the EndpointSlice past ${limit}`,
          hint: "Kubernetes' EndpointSlice controller is behind.",
        },
        next: [],
      };
    case 'destination-removed':
      return {
        finding: {
          severity: 'fail',
          code: 'destination-never-removed',
          subject: data.removedIp,
          message: `Kubernetes removed ${data.removedIp ?? '?'} at ${at('slice-removed')}; the destination never sent the remove within ${limit}`,
          hint: 'Clients keep sending traffic to a pod that is gone: the stale-endpoints failure.',
        },
        next: destinationNext(service, cp),
      };
  }
}

export function stagesTable(data: ScaleTestData): EvidenceTable {
  return {
    title: 'Stages',
    columns: ['stage', 'outcome', 'at', 'took', 'limit', 'subject'],
    rows: data.stages.map((s) => [
      `${s.direction === 'up' ? '↑' : '↓'} ${s.label}`,
      s.outcome,
      s.atMs === undefined ? '-' : `+${seconds(s.atMs)}`,
      s.tookMs === undefined ? '-' : seconds(s.tookMs),
      limitText(s.limitMs),
      s.subject ?? s.note ?? '',
    ]),
  };
}

export function judgeScaleTest(
  data: ScaleTestData,
  context: {
    /** The first service the test watched. */
    service?: ServiceTarget;
    controlPlaneNamespace?: string;
    error?: { message: string; hint?: string; kind: string };
  },
): Verdict {
  const cp = context.controlPlaneNamespace ?? 'linkerd';
  const findings: Finding[] = [];
  const next: NextStep[] = [];
  const plan = data.plan;
  const what = plan
    ? `${plan.workloadText} ${plan.fromReplicas} -> ${plan.toReplicas} -> ${plan.fromReplicas}`
    : 'scale test';

  // The first stage that failed explains the rest (later ones were skipped).
  for (const t of data.stages) {
    if (t.outcome !== 'timeout') continue;
    const f = failureFor(t, data, context.service, cp);
    if (f) {
      findings.push(f.finding);
      next.push(...f.next.filter((n) => !next.some((m) => m.label === n.label)));
    }
  }
  if (data.ending === 'overall-timeout') {
    findings.push({
      severity: 'fail',
      code: 'overall-timeout',
      message: `the test passed its overall limit of ${limitText(plan?.longestMs ?? 0)} before every stage came`,
    });
  }
  if (data.ending === 'cancelled') {
    findings.push({
      severity: 'fail',
      code: 'cancelled',
      message: 'the test was cancelled before it finished',
    });
  }
  if (context.error) {
    findings.push({
      severity: 'error',
      code: `${context.error.kind}-error`,
      message: context.error.message,
      ...(context.error.hint ? { hint: context.error.hint } : {}),
    });
  }
  const added = stage(data, 'destination-added');
  const removed = stage(data, 'destination-removed');
  if (data.ending === 'finished' && added?.outcome === 'done' && removed?.outcome === 'done') {
    findings.push({
      severity: 'info',
      code: 'destination-followed',
      message: `the destination sent the add of ${data.addedIp ?? '?'} at +${seconds(added.atMs)} and the remove of ${data.removedIp ?? '?'} at +${seconds(removed.atMs)} (down)`,
    });
  } else if (data.ending === 'finished' && findings.every((f) => f.severity === 'info')) {
    // Nothing timed out, yet a destination stage was skipped: not a pass.
    findings.push({
      severity: 'fail',
      code: 'destination-unobserved',
      message: 'the destination stages could not be observed, so discovery was not shown to work',
    });
  }
  if (plan) {
    findings.push(
      data.restored
        ? {
            severity: 'info',
            code: 'replicas-restored',
            message: `${plan.workloadText} is back at ${plan.fromReplicas} replicas`,
          }
        : {
            severity: 'error',
            code: 'replicas-not-restored',
            message: `${plan.workloadText} could not be put back to ${plan.fromReplicas} replicas`,
            hint: `The meshbot.io/scale-test annotation stays on it, so the next meshbot start restores it; or run: kubectl -n ${plan.workload.namespace} scale ${plan.workload.kind}/${plan.workload.name} --replicas=${plan.fromReplicas}`,
          },
    );
  }

  const status = statusFromFindings(findings);
  const firstProblem = findings.find((f) => f.severity !== 'info');
  const summary =
    status === 'pass'
      ? `${what}: the destination followed both changes (add at +${seconds(added?.atMs)}, remove at +${seconds(removed?.atMs)} after scaling back)`
      : `${what}: ${firstProblem?.message ?? status}${data.restored ? '; replicas restored' : ''}`;
  if (status === 'pass' && context.service) {
    next.push({
      label: "Compare Kubernetes' endpoints with the destination's",
      command: meshCommands.endpoints(context.service),
    });
  }
  return { status, summary, findings, next, evidence: [stagesTable(data)] };
}
