import type { AdapterPool } from '../../adapters/adapter-pool.js';
import type { WorkloadWatches } from '../../adapters/workload-watches.js';
import type { StepResult } from '../../domain/step-result.js';
import { describeError } from '../../errors.js';
import type { LogLevelRecord } from '../../steps/proxy-log-level/log-level-record.js';
import { decodeRecord, LOG_LEVEL_ANNOTATION } from '../../steps/proxy-log-level/log-level-record.js';
import type {
  ProxyLogLevelCommand,
  ProxyLogLevelPlan,
  ProxyLogLevelSettings,
} from '../../steps/proxy-log-level/plan-proxy-log-level.js';
import type { LogLevelRecoveryReport } from '../../steps/proxy-log-level/recover-proxy-log-levels.js';
import type { RestoreOutcome } from '../../steps/proxy-log-level/restore-log-levels.js';
import type { RecordHandlers } from '../../steps/scale-test/recovery-sweeps.js';
import { watchRecordsInClusters } from '../../steps/scale-test/watch-workload-records.js';
import { stepOf } from '../../steps/step-registry.js';
import { LOG_LEVEL_COUNTDOWN_MS } from './log-level-countdown.js';

/**
 * The Slack layer's seam to proxy-log-level, as ScaleTestRunner is to the scale test: plan,
 * run (held until `--for` is up, Stop, or shutdown), stop a change by its record id (here, or
 * on another replica: then straight from its record), recover interrupted changes, and close
 * (every change in flight put back). Adapters come from the pool for the command's cluster.
 */
export interface LogLevelRunner {
  /** How often the thread's countdown of a raised level is updated, ms (a minute by default). */
  readonly countdownMs: number;
  plan(command: ProxyLogLevelCommand, cluster: string): Promise<ProxyLogLevelPlan>;
  run(
    command: ProxyLogLevelCommand,
    cluster: string,
    options: { requestedBy: string; onProgress(text: string): void; onRaised(record: LogLevelRecord): void },
  ): Promise<StepResult>;
  /**
   * Stops change `id`: aborts it when it runs here ('stopping': its run puts the pods back and
   * reports), else puts the pods back from the record ('restored'), or 'gone' when it ended.
   */
  stop(
    command: ProxyLogLevelCommand,
    cluster: string,
    id: string,
  ): Promise<{ state: 'stopping' } | { state: 'restored'; outcome: RestoreOutcome } | { state: 'gone' }>;
  recover(options: {
    notify(text: string, report: LogLevelRecoveryReport): void | Promise<void>;
  }): Promise<LogLevelRecoveryReport>;
  /** Watches the records of every cluster (when each goes stale), for the recovery loop. */
  watchRecords(handlers: RecordHandlers): Promise<{ close(): void }>;
  close(): Promise<void>;
}

export function createLogLevelRunner(deps: {
  pool: Pick<AdapterPool, 'get' | 'clusters'>;
  settings?: Partial<ProxyLogLevelSettings>;
  /** `serve`'s shared workload watches (the scale test's records are on the same objects). */
  watches?: WorkloadWatches;
  /** How often the Slack thread's countdown is updated, ms (default a minute). */
  countdownMs?: number;
}): LogLevelRunner {
  const settings = deps.settings ?? {};
  const running = new Map<string, { stop: AbortController; done: Promise<unknown> }>();
  const anonymous = new Set<{ stop: AbortController; done: Promise<unknown> }>();
  return {
    countdownMs: deps.countdownMs ?? LOG_LEVEL_COUNTDOWN_MS,
    async plan(command, cluster) {
      return stepOf('proxy-log-level').confirmation.plan(command, await deps.pool.get(cluster), settings);
    },
    async run(command, cluster, options) {
      const stop = new AbortController();
      const adapters = await deps.pool.get(cluster);
      const { runProxyLogLevel } = await import('../../steps/proxy-log-level/run-proxy-log-level.js');
      const entry = { stop, done: Promise.resolve() as Promise<unknown> };
      let id: string | undefined;
      anonymous.add(entry);
      const done = runProxyLogLevel(command, adapters, {
        requestedBy: options.requestedBy,
        settings,
        signal: stop.signal,
        onProgress: options.onProgress,
        onRaised: (record) => {
          id = record.id;
          running.set(record.id, entry);
          options.onRaised(record);
        },
      });
      entry.done = done;
      try {
        return await done;
      } finally {
        anonymous.delete(entry);
        if (id) running.delete(id);
      }
    },
    async stop(command, cluster, id) {
      const here = running.get(id);
      if (here) {
        here.stop.abort('stopped');
        return { state: 'stopping' };
      }
      const adapters = await deps.pool.get(cluster);
      const workload = await adapters.scaling.getWorkload(command.target);
      const record = decodeRecord(workload?.annotations[LOG_LEVEL_ANNOTATION]);
      if (!record || record.id !== id) return { state: 'gone' };
      const { restoreLogLevels } = await import('../../steps/proxy-log-level/restore-log-levels.js');
      return { state: 'restored', outcome: await restoreLogLevels(adapters, command.target, record) };
    },
    async recover(options) {
      const { recoverProxyLogLevels } =
        await import('../../steps/proxy-log-level/recover-proxy-log-levels.js');
      const report: LogLevelRecoveryReport = { restored: [], running: [], failed: [] };
      for (const cluster of deps.pool.clusters) {
        try {
          const r = await recoverProxyLogLevels(await deps.pool.get(cluster), { notify: options.notify });
          report.restored.push(...r.restored);
          report.running.push(...r.running);
          report.failed.push(...r.failed);
        } catch (err) {
          report.failed.push({ workload: `cluster ${cluster}`, message: describeError(err).message });
        }
      }
      return report;
    },
    async watchRecords(handlers) {
      const { watchLogLevelRecords } = await import('../../steps/proxy-log-level/watch-log-level-records.js');
      return watchRecordsInClusters(
        deps.pool.clusters,
        async (cluster, h) =>
          watchLogLevelRecords(await deps.pool.get(cluster), h, await deps.watches?.of(cluster)),
        handlers,
      );
    },
    async close() {
      const all = [...anonymous];
      for (const r of all) r.stop.abort('shutdown');
      await Promise.allSettled(all.map((r) => r.done));
    },
  };
}
