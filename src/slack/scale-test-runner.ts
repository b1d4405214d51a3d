import type { AdapterPool } from '../adapters/adapter-pool.js';
import type { WorkloadWatches } from '../adapters/workload-watches.js';
import type { Adapters } from '../adapters/open-adapters.js';
import type { StepResult } from '../domain/step-result.js';
import {
  recoverInterruptedScaleTests,
  type RecoveryReport,
} from '../steps/scale-test/recover-interrupted-scale-tests.js';
import type { RecordHandlers } from '../steps/scale-test/recovery-sweeps.js';
import { watchScaleTestRecords } from '../steps/scale-test/watch-scale-test-records.js';
import { watchRecordsInClusters } from '../steps/scale-test/watch-workload-records.js';
import type { ScaleTarget } from '../steps/scale-test/resolve-scale-target.js';
import type { ScaleTestPlan, ScaleTestSettings } from '../steps/scale-test/scale-test-types.js';
import { stepOf } from '../steps/step-registry.js';

/**
 * The Slack layer's seam to the scale test, as CommandExecutor is for read-only steps: plan
 * (read-only, throws MeshbotError `refused`), run, and recover interrupted tests.
 * `createClusterScaleTestRunner` wires the step registry's confirmation plan over the
 * process's adapter pool.
 */
export interface ScaleTestRunner {
  /** `cluster`: the pool's cluster to plan on (default: the pool's first). */
  plan(target: ScaleTarget, cluster?: string): Promise<ScaleTestPlan>;
  run(
    target: ScaleTarget,
    options: { requestedBy: string; onProgress(text: string): void; signal?: AbortSignal; cluster?: string },
  ): Promise<StepResult>;
  recover(options: {
    notify(text: string, report: RecoveryReport): void | Promise<void>;
    waitForRunning?: boolean;
    signal?: AbortSignal;
  }): Promise<RecoveryReport>;
  /** Watches the scale-test records (when each goes stale), for the recovery loop. */
  watchRecords(handlers: RecordHandlers): Promise<{ close(): void }>;
  /** Cancels tests in flight and waits until their replicas are back (the pool's owner closes the adapters). */
  close(): Promise<void>;
}

/** The `scaleTest` section of the config file, as step settings. */
export interface ScaleTestConfig {
  maxReplicas: number;
  stageTimeoutSeconds: number;
  overallTimeoutSeconds: number;
  namespaces: string[];
  notifyChannel?: string | undefined;
}

export function settingsFromConfig(c: ScaleTestConfig | undefined): Partial<ScaleTestSettings> {
  if (!c) return {};
  return {
    maxReplicas: c.maxReplicas,
    stageTimeoutMs: Math.round(c.stageTimeoutSeconds * 1000),
    overallTimeoutMs: Math.round(c.overallTimeoutSeconds * 1000),
    namespaces: c.namespaces,
  };
}

export function createClusterScaleTestRunner(deps: {
  /** The process's adapter sets; its owner closes it. */
  pool: Pick<AdapterPool, 'get'> & Partial<Pick<AdapterPool, 'clusters' | 'configured'>>;
  settings?: Partial<ScaleTestSettings>;
  /** `serve`'s shared workload watches (proxy-log-level's records are on the same objects). */
  watches?: WorkloadWatches;
}): ScaleTestRunner {
  const get = (cluster?: string): Promise<Adapters> => deps.pool.get(cluster);
  const settings = deps.settings ?? {};
  // Tests in flight: close() cancels them and waits until each has put its replicas back.
  const running = new Set<{ stop: AbortController; done: Promise<unknown> }>();
  return {
    async plan(target, cluster) {
      return stepOf('scale-test').confirmation.plan(
        { name: 'scale-test', target },
        await get(cluster),
        settings,
      );
    },
    async run(target, options) {
      const stop = new AbortController();
      const onAbort = (): void => stop.abort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const done = get(options.cluster).then(async (a) => {
        const result = await stepOf('scale-test').confirmation.run({ name: 'scale-test', target }, a, {
          requestedBy: options.requestedBy,
          settings,
          onProgress: options.onProgress,
          signal: stop.signal,
        });
        return deps.pool.configured ? { ...result, cluster: a.cluster } : result;
      });
      const entry = { stop, done };
      running.add(entry);
      try {
        return await done;
      } finally {
        running.delete(entry);
        options.signal?.removeEventListener('abort', onAbort);
      }
    },
    async recover(options) {
      // Every cluster's interrupted tests, at once; a cluster that cannot be asked fails alone.
      const clusters = deps.pool.configured && deps.pool.clusters ? deps.pool.clusters : [undefined];
      const named = clusters.length > 1;
      const reports = await Promise.all(
        clusters.map(async (cluster): Promise<RecoveryReport> => {
          try {
            const report = await recoverInterruptedScaleTests(await get(cluster), {
              settings,
              notify: options.notify,
              ...(options.waitForRunning ? { waitForRunning: true } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
            });
            return named && cluster !== undefined ? labelRecovery(report, cluster) : report;
          } catch (err) {
            if (!named) throw err;
            const message = err instanceof Error ? err.message : String(err);
            return {
              restored: [],
              running: [],
              unreadable: [],
              failed: [{ workload: `cluster ${cluster}`, message }],
            };
          }
        }),
      );
      return reports.length === 1 ? reports[0]! : mergeRecoveryReports(reports);
    },
    async watchRecords(handlers) {
      // Every cluster's records, as recover() sweeps every cluster.
      const clusters = deps.pool.configured && deps.pool.clusters ? deps.pool.clusters : [undefined];
      return watchRecordsInClusters(
        clusters,
        async (cluster, h) =>
          watchScaleTestRecords(await get(cluster), h, settings, await deps.watches?.of(cluster)),
        handlers,
      );
    },
    async close() {
      for (const r of running) r.stop.abort();
      await Promise.allSettled([...running].map((r) => r.done));
    },
  };
}

/** A cluster's recovery report with every workload prefixed by its cluster (`east: deploy/web.shop`). */
function labelRecovery(report: RecoveryReport, cluster: string): RecoveryReport {
  const at = (workload: string): string => `${cluster}: ${workload}`;
  return {
    restored: report.restored.map((r) => ({ ...r, workload: at(r.workload) })),
    running: report.running.map((r) => ({ ...r, workload: at(r.workload) })),
    unreadable: report.unreadable.map(at),
    failed: report.failed.map((f) => ({ ...f, workload: at(f.workload) })),
  };
}

function mergeRecoveryReports(reports: RecoveryReport[]): RecoveryReport {
  return {
    restored: reports.flatMap((r) => r.restored),
    running: reports.flatMap((r) => r.running),
    unreadable: reports.flatMap((r) => r.unreadable),
    failed: reports.flatMap((r) => r.failed),
  };
}
