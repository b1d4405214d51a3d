/**
 * Crash recovery of raised proxy log levels, as for the scale test: the workloads carrying a
 * `meshbot.io/proxy-log-level` record of this cluster whose holder stopped (heartbeat three
 * intervals old, or the change past its expiry and a margin) get every pod put back from the
 * record, and the record removed. A record whose heartbeat is fresh (a change running here or
 * on another replica) is left alone. The record names the cluster (as the meshbot that wrote
 * it called it); the report says so when that name differs from these adapters' cluster.
 * `serve` runs it at start and then when a watched record goes stale; the CLI before a new change.
 */
import { formatWorkloadTarget } from '../../grammar/targets.js';
import { describeError } from '../../errors.js';
import { decodeRecord, LOG_LEVEL_ANNOTATION, staleAt } from './log-level-record.js';
import type { ProxyLogLevelAdapters } from './plan-proxy-log-level.js';
import { restoreLogLevels, type RestoreOutcome } from './restore-log-levels.js';

export interface RecoveredLogLevel {
  workload: string;
  id: string;
  cluster: string;
  /** The cluster (as these adapters name it) that put it back. */
  recoveredIn: string;
  level: string;
  requestedBy: string;
  holder: string;
  outcome: RestoreOutcome;
}

export interface LogLevelRecoveryReport {
  restored: RecoveredLogLevel[];
  running: Array<{ workload: string; id: string; holder: string; expiresAt: string }>;
  failed: Array<{ workload: string; message: string; hint?: string }>;
}

export function describeLogLevelRecovery(report: LogLevelRecoveryReport): string {
  const lines: string[] = [];
  for (const r of report.restored) {
    const back = r.outcome.pods
      .filter((p) => p.outcome === 'restored')
      .map((p) => `${p.pod} to "${p.original}"`);
    const failed = r.outcome.pods.filter((p) => p.outcome === 'failed').map((p) => p.pod);
    const fresh = r.outcome.newPods.map((p) => p.pod);
    lines.push(
      `${r.workload}${r.cluster !== r.recoveredIn ? ` (recorded in cluster ${r.cluster})` : ''}: proxy log level "${r.level}" (asked by ${r.requestedBy}, held by ${r.holder}) was interrupted; ` +
        `put back ${back.length ? back.join(', ') : 'no pod'}` +
        (failed.length ? `; could not put back ${failed.join(', ')} (tried again later)` : '') +
        (fresh.length ? `; left at their default: ${fresh.join(', ')}` : ''),
    );
  }
  for (const r of report.running) {
    lines.push(`${r.workload}: log level change ${r.id} held by ${r.holder} is still running; left alone`);
  }
  for (const f of report.failed)
    lines.push(`${f.workload}: could not restore: ${f.message}${f.hint ? ` (${f.hint})` : ''}`);
  return lines.length === 0 ? 'no interrupted log level changes' : lines.join('\n');
}

export async function recoverProxyLogLevels(
  adapters: ProxyLogLevelAdapters,
  options: {
    now?: () => number;
    notify?: (text: string, report: LogLevelRecoveryReport) => void | Promise<void>;
  } = {},
): Promise<LogLevelRecoveryReport> {
  const now = options.now ?? Date.now;
  const report: LogLevelRecoveryReport = { restored: [], running: [], failed: [] };
  let workloads;
  try {
    workloads = await adapters.scaling.listWorkloads();
  } catch (err) {
    const { message, hint } = describeError(err);
    report.failed.push({ workload: 'every namespace', message, ...(hint ? { hint } : {}) });
    if (options.notify) await options.notify(describeLogLevelRecovery(report), report);
    return report;
  }
  for (const w of workloads) {
    const record = decodeRecord(w.annotations[LOG_LEVEL_ANNOTATION]);
    // The record lives in the cluster it changed: whatever name that meshbot gave the cluster,
    // these adapters reach the same pods, so a stale record is put back here.
    if (!record) continue;
    const text = formatWorkloadTarget(w);
    const at = staleAt(record);
    if (!Number.isNaN(at) && now() < at) {
      report.running.push({
        workload: text,
        id: record.id,
        holder: record.holder,
        expiresAt: record.expiresAt,
      });
      continue;
    }
    try {
      const outcome = await restoreLogLevels(
        adapters,
        { kind: w.kind, name: w.name, namespace: w.namespace },
        record,
      );
      report.restored.push({
        workload: text,
        id: record.id,
        cluster: record.cluster,
        recoveredIn: adapters.cluster,
        level: record.level,
        requestedBy: record.requestedBy,
        holder: record.holder,
        outcome,
      });
    } catch (err) {
      const { message, hint } = describeError(err);
      report.failed.push({ workload: text, message, ...(hint ? { hint } : {}) });
    }
  }
  if (report.restored.length + report.failed.length > 0 && options.notify) {
    await options.notify(describeLogLevelRecovery(report), report);
  }
  return report;
}
