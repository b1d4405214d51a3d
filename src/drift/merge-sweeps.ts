import { worstStatus, type StepResult } from '../domain/step-result.js';
import type { SweepData, SweepFinding } from '../steps/sweep/sweep-types.js';

/**
 * One report over several clusters: their sweeps as one result, findings grouped by cluster (in
 * the order the clusters were swept; each finding keeps its cluster and its fingerprint, which
 * includes the cluster), the summary one clause per cluster, counts added up. The data's
 * `cluster` names every cluster (`east,west`).
 */
export function mergeSweeps(results: readonly StepResult<SweepData>[]): StepResult<SweepData> {
  if (results.length === 1) return results[0]!;
  const [first] = results;
  if (!first) throw new Error('no sweep to merge');
  const sum = (pick: (d: SweepData) => number): number => results.reduce((n, r) => n + pick(r.data), 0);
  const data: SweepData = {
    ...first.data,
    cluster: results.map((r) => r.data.cluster).join(','),
    services: {
      listed: sum((d) => d.services.listed),
      meshed: sum((d) => d.services.meshed),
      swept: sum((d) => d.services.swept),
      drifted: sum((d) => d.services.drifted),
      unconfirmed: sum((d) => d.services.unconfirmed),
      notAsked: sum((d) => d.services.notAsked),
    },
    streams: sum((d) => d.streams),
    retried: sum((d) => d.retried),
    notAsked: results.flatMap((r) =>
      r.data.notAsked.map((n) => ({ ...n, what: `${r.data.cluster}: ${n.what}` })),
    ),
    timings: {
      kubernetesMs: Math.max(...results.map((r) => r.data.timings.kubernetesMs)),
      destinationMs: Math.max(...results.map((r) => r.data.timings.destinationMs)),
      confirmMs: Math.max(...results.map((r) => r.data.timings.confirmMs)),
      controlPlaneMs: Math.max(...results.map((r) => r.data.timings.controlPlaneMs)),
      totalMs: sum((d) => d.timings.totalMs),
    },
  };
  return {
    ...first,
    target: results.map((r) => r.target).join('; '),
    status: worstStatus(...results.map((r) => r.status)),
    summary: results.map((r) => r.summary).join(' '),
    findings: results.flatMap((r) => r.findings as SweepFinding[]),
    evidence: results.flatMap((r) =>
      r.evidence.map((t) => ({ ...t, title: `${r.data.cluster}: ${t.title}` })),
    ),
    next: results.flatMap((r) => r.next),
    data,
    durationMs: sum((d) => d.timings.totalMs),
  };
}
