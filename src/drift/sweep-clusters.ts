/**
 * The sweeps of one report run, over one cluster or several: at most `concurrency` clusters
 * swept at once (the report's `clusterConcurrency`), each sweep within its own time limit (the
 * report's `sweepTimeout`, counted from when that sweep starts). A cluster whose sweep fails or
 * runs out of time is its own part of the result, an error naming the cluster and why, and
 * never holds up or breaks the other clusters' parts. Results come back in the order the
 * clusters were given, so the report stays grouped by cluster whatever finished first.
 *
 * A sweep out of time is told so through its AbortSignal (the sweep stops opening streams and
 * stops waiting), and its slot goes to the next cluster at once: what it still has in flight
 * ends within that call's own timeout.
 */
import { performance } from 'node:perf_hooks';
import { createConcurrencyLimit } from '../adapters/concurrency-limit.js';
import type { StepResult } from '../domain/step-result.js';
import { describeError, MeshbotError } from '../errors.js';
import { formatDuration } from '../grammar/duration.js';
import { fingerprintOf } from './fingerprint.js';
import type { SweepData, SweepFinding, SweepRequest } from '../steps/sweep/sweep-types.js';

export type ClusterSweepFn = (request: SweepRequest, signal: AbortSignal) => Promise<StepResult<SweepData>>;

export interface ClusterSweep {
  cluster: string;
  result: StepResult<SweepData>;
  /** Set when the cluster's sweep failed or ran out of time: `result` then only names that. */
  failed?: MeshbotError;
}

export interface SweepClustersOptions {
  /** Clusters swept at once, at most. */
  concurrency: number;
  /** Each sweep's time limit, ms. */
  timeoutMs: number;
}

/** The finding kind and subject of a cluster that could not be swept at all. */
export const CLUSTER_NOT_SWEPT = 'sweep-could-not-ask';
export const WHOLE_CLUSTER = 'whole cluster';

/** The result standing for a cluster whose sweep failed: one error finding naming the cluster. */
export function failedSweepResult(
  request: SweepRequest,
  error: MeshbotError,
  startedAt: string,
  durationMs: number,
): StepResult<SweepData> {
  const { cluster } = request;
  const namespaces = request.namespaces && request.namespaces.length > 0 ? request.namespaces : undefined;
  const what = `cluster ${cluster} (the whole sweep)`;
  const finding: SweepFinding = {
    severity: 'error',
    code: CLUSTER_NOT_SWEPT,
    kind: CLUSTER_NOT_SWEPT,
    subject: WHOLE_CLUSTER,
    cluster,
    fingerprint: fingerprintOf(cluster, CLUSTER_NOT_SWEPT, WHOLE_CLUSTER),
    source: 'sweep',
    message: `could not sweep cluster ${cluster}: ${error.message}`,
    ...(error.hint ? { hint: error.hint } : {}),
  };
  return {
    step: 'sweep',
    target: `${cluster}: ${namespaces ? namespaces.join(', ') : 'all namespaces'}`,
    status: 'error',
    summary: `${cluster}: not swept: ${error.message.replace(/\.$/, '')}.`,
    findings: [finding],
    evidence: [],
    next: [],
    data: {
      cluster,
      scope: { namespaces: namespaces ?? 'all', ...(request.selector ? { selector: request.selector } : {}) },
      concurrency: request.concurrency ?? 0,
      persistenceMs: request.persistenceMs ?? 0,
      services: { listed: 0, meshed: 0, swept: 0, drifted: 0, unconfirmed: 0, notAsked: 0 },
      streams: 0,
      retried: 0,
      notAsked: [{ what, reason: error.message, ...(error.hint ? { hint: error.hint } : {}), services: 0 }],
      timings: {
        kubernetesMs: 0,
        destinationMs: 0,
        confirmMs: 0,
        controlPlaneMs: 0,
        totalMs: Math.round(durationMs),
      },
    },
    startedAt,
    durationMs: Math.round(durationMs),
  };
}

function asMeshbotError(err: unknown): MeshbotError {
  if (err instanceof MeshbotError) return err;
  const { message, hint } = describeError(err);
  return new MeshbotError('internal', message, hint, { cause: err });
}

export async function sweepClusters(
  requests: readonly SweepRequest[],
  sweep: ClusterSweepFn,
  options: SweepClustersOptions,
): Promise<ClusterSweep[]> {
  const limit = createConcurrencyLimit(options.concurrency);
  const sweepOne = async (request: SweepRequest): Promise<ClusterSweep> => {
    const { cluster } = request;
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new MeshbotError(
          'timeout',
          `the sweep did not finish within ${formatDuration(options.timeoutMs / 1000)}`,
          `The cluster may be unreachable or slow to answer; the report's sweepTimeout sets this limit (docs/reports.md).`,
        );
        controller.abort(err);
        reject(err);
      }, options.timeoutMs);
    });
    try {
      return { cluster, result: await Promise.race([sweep(request, controller.signal), outOfTime]) };
    } catch (err) {
      const error = asMeshbotError(err);
      if (!controller.signal.aborted) controller.abort(error);
      return {
        cluster,
        result: failedSweepResult(request, error, startedAt, performance.now() - t0),
        failed: error,
      };
    } finally {
      clearTimeout(timer);
    }
  };
  return Promise.all(requests.map((request) => limit.run(() => sweepOne(request))));
}
