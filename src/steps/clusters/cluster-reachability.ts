import type { AdapterPool } from '../../adapters/adapter-pool.js';
import type { StepResult } from '../../domain/step-result.js';
import { probeCluster } from './run-clusters-step.js';

/**
 * Error findings that mean "the cluster did not answer": stepErrorResult's `unreachable-error`,
 * the steps' own `kubernetes-unreachable`, `destination-timeout`, ...
 */
const UNREACHABLE_CODE = /(^|-)(unreachable|timeout|unauthenticated)(-|$)/;

/**
 * What meshbot last learned about each cluster's reachability: from every command's result
 * (a cluster that failed to answer is marked at once, one that answered is cleared) and from a
 * periodic probe (GET /version, bounded, every cluster at once). `/readyz` lists the
 * unreachable ones by name.
 */
export interface ClusterReachability {
  /** Records a command's outcome on `cluster`. */
  observe(cluster: string, result: StepResult): void;
  record(cluster: string, reachable: boolean, reason?: string): void;
  /** The clusters last seen unreachable, with why. */
  unreachable(): Array<{ cluster: string; reason: string }>;
  /** Asks every cluster now. */
  probe(): Promise<void>;
  /** Probes every `intervalMs` until stop(). */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export function createClusterReachability(
  pool: Pick<AdapterPool, 'get' | 'clusters'>,
  options: { timeoutMs?: number } = {},
): ClusterReachability {
  const down = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let inflight: Promise<void> | undefined;
  const record = (cluster: string, reachable: boolean, reason = 'no answer'): void => {
    if (reachable) down.delete(cluster);
    else down.set(cluster, reason);
  };
  const probe = (): Promise<void> =>
    (inflight ??= Promise.all(
      pool.clusters.map(async (cluster) => {
        const status = await probeCluster(pool, cluster, options.timeoutMs);
        record(cluster, status.reachable, status.problem);
      }),
    ).then(
      () => {
        inflight = undefined;
      },
      () => {
        inflight = undefined;
      },
    ));
  return {
    observe(cluster, result) {
      const failed =
        result.status === 'error' &&
        result.findings.some((f) => f.severity === 'error' && UNREACHABLE_CODE.test(f.code));
      if (failed) record(cluster, false, result.summary);
      else if (result.status !== 'error') record(cluster, true);
    },
    record,
    unreachable: () => [...down.entries()].map(([cluster, reason]) => ({ cluster, reason })),
    probe,
    start(intervalMs) {
      if (timer) return;
      const tick = (): void => {
        void probe().then(() => {
          if (timer) timer = setTimeout(tick, intervalMs);
        });
      };
      timer = setTimeout(tick, intervalMs);
    },
    async stop() {
      const t = timer;
      timer = undefined;
      if (t) clearTimeout(t);
      await inflight;
    },
  };
}

/** The /readyz line naming the unreachable clusters, when there are any. */
export function unreachableNote(reachability: Pick<ClusterReachability, 'unreachable'>): string[] {
  const down = reachability.unreachable();
  return down.length ? [`unreachable clusters: ${down.map((d) => d.cluster).join(', ')}`] : [];
}
