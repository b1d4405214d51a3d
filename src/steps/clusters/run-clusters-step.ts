import type { AdapterPool } from '../../adapters/adapter-pool.js';
import { DEFAULT_CONTROL_PLANE_NAMESPACE } from '../../adapters/open-adapters.js';
import { statusFromFindings, type Finding, type StepResult } from '../../domain/step-result.js';
import { describeError, MeshbotError } from '../../errors.js';
import { createCheckContext } from '../check/check-context.js';

/** One cluster as `clusters` shows it. */
export interface ClusterStatus {
  cluster: string;
  reachable: boolean;
  /** The API server's gitVersion (GET /version). */
  kubernetesVersion?: string;
  /** The control plane's release, read as `check` reads it (linkerd-config, else the control-plane pods). */
  linkerdVersion?: string;
  /** Why it is unreachable, or why the Linkerd version is unknown. */
  problem?: string;
  durationMs: number;
}

export interface ClustersData {
  clusters: ClusterStatus[];
}

/** How long each cluster may take to answer `clusters` (all are asked at once). */
export const CLUSTER_PROBE_TIMEOUT_MS = 5000;

function withTimeout<T>(work: Promise<T>, ms: number, cluster: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new MeshbotError('timeout', `cluster "${cluster}" did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Asks one cluster for its versions; never throws. */
export async function probeCluster(
  pool: Pick<AdapterPool, 'get'>,
  cluster: string,
  timeoutMs = CLUSTER_PROBE_TIMEOUT_MS,
): Promise<ClusterStatus> {
  const started = Date.now();
  const ask = async (): Promise<ClusterStatus> => {
    const adapters = await pool.get(cluster);
    const info = await adapters.controlPlane.serverVersion();
    const status: ClusterStatus = {
      cluster,
      reachable: true,
      kubernetesVersion: info.gitVersion,
      durationMs: 0,
    };
    try {
      const ctx = createCheckContext(adapters.controlPlane, {
        controlPlaneNamespace: adapters.options.controlPlaneNamespace ?? DEFAULT_CONTROL_PLANE_NAMESPACE,
        proxy: false,
      });
      const version = await ctx.controlPlaneVersion();
      if (version) status.linkerdVersion = version.version;
      else status.problem = 'no Linkerd version found (linkerd-config, control-plane pods)';
    } catch (err) {
      status.problem = `Linkerd version unknown: ${describeError(err).message}`;
    }
    return status;
  };
  try {
    const status = await withTimeout(ask(), timeoutMs, cluster);
    return { ...status, durationMs: Date.now() - started };
  } catch (err) {
    return {
      cluster,
      reachable: false,
      problem: describeError(err).message,
      durationMs: Date.now() - started,
    };
  }
}

/**
 * `clusters`: every cluster of the pool (or the one named) asked at once, each bounded by its
 * own time limit: reachable or not, its Kubernetes version (GET /version) and its Linkerd
 * release. An unreachable cluster is a `fail` finding naming it; the others answer regardless.
 */
export async function runClustersStep(
  pool: Pick<AdapterPool, 'get' | 'clusters'>,
  options: { only?: string; timeoutMs?: number } = {},
): Promise<StepResult<ClustersData>> {
  const startedAt = new Date();
  const names = options.only !== undefined ? [options.only] : [...pool.clusters];
  const clusters = await Promise.all(names.map((name) => probeCluster(pool, name, options.timeoutMs)));
  const findings: Finding[] = clusters
    .filter((c) => !c.reachable)
    .map((c) => ({
      severity: 'fail',
      code: 'cluster-unreachable',
      subject: c.cluster,
      message: `cluster "${c.cluster}" is unreachable: ${c.problem ?? 'no answer'}`,
      hint: "Commands on it fail until it answers; the other clusters are not affected. Check its kubeconfig context and the API server's address.",
    }));
  // A reachable cluster whose Linkerd version could not be read (a 403, no linkerd-config): a warning.
  for (const c of clusters) {
    if (c.reachable && c.problem !== undefined) {
      findings.push({
        severity: 'warn',
        code: 'linkerd-version-unknown',
        subject: c.cluster,
        message: `cluster "${c.cluster}": ${c.problem}`,
      });
    }
  }
  const up = clusters.filter((c) => c.reachable).length;
  return {
    step: 'clusters',
    target: options.only ?? 'every cluster',
    status: statusFromFindings(findings),
    summary: `${up} of ${clusters.length} cluster${clusters.length === 1 ? '' : 's'} reachable`,
    findings,
    evidence: [
      {
        title: 'Clusters',
        columns: ['CLUSTER', 'REACHABLE', 'KUBERNETES', 'LINKERD', 'NOTE'],
        rows: clusters.map((c) => [
          c.cluster,
          c.reachable ? 'yes' : 'no',
          c.kubernetesVersion ?? '-',
          c.linkerdVersion ?? '-',
          c.problem ?? '',
        ]),
      },
    ],
    next: [],
    data: { clusters },
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
}
