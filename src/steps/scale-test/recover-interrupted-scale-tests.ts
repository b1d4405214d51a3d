/**
 * Crash recovery. A scale test records itself on its workload (annotation `meshbot.io/scale-test`
 * with the original replicas); if the process dies mid-test, that record is all that is left.
 * At start (`serve`, and the CLI before a new test) this finds the workloads that carry one,
 * puts their replicas back, removes the record and says what it did.
 *
 * A record whose test may still be running (another replica of meshbot, within the test's own
 * limit) is left alone; with `waitForRunning`, recovery waits until it can no longer be
 * running and then restores it if it is still there.
 */
import type { KubeWorkload, WorkloadRef } from '../../adapters/kube/workload-scaling.js';
import { describeError, MeshbotError } from '../../errors.js';
import { staleAfterMs } from './check-scale-safety.js';
import { resolveSettings, type ScaleTestAdapters } from './plan-scale-test.js';
import { formatWorkloadTarget } from '../../grammar/targets.js';
import {
  decodeAnnotation,
  SCALE_TEST_ANNOTATION,
  staleAt,
  type ScaleTestAnnotation,
} from './scale-test-annotation.js';
import type { ScaleTestSettings } from './scale-test-types.js';
import { setReplicas } from './set-replicas.js';
import { pause } from '../pause.js';
import { scaleTestNamespaces } from './scale-test-namespaces.js';

export interface RecoveredTest {
  workload: string;
  testId: string;
  requestedBy: string;
  startedAt: string;
  /** Replicas found, and put back. */
  found: number;
  restoredTo: number;
}

export interface RecoveryReport {
  restored: RecoveredTest[];
  /** Records of tests that may still be running, left alone. */
  running: Array<{ workload: string; testId: string; requestedBy: string; startedAt: string }>;
  /** Records meshbot could not read: the annotation is removed, replicas are left as they are. */
  unreadable: string[];
  failed: Array<{ workload: string; message: string; hint?: string }>;
}

export interface RecoveryOptions {
  /** Told when recovery did (or failed to do) something: once at once, then once per test put back later. */
  notify?: (text: string, report: RecoveryReport) => void | Promise<void>;
  settings?: Partial<ScaleTestSettings>;
  /** Wait for records of possibly running tests to go stale, then restore them. */
  waitForRunning?: boolean;
  signal?: AbortSignal;
  now?: () => number;
}

export function describeRecovery(report: RecoveryReport): string {
  const lines: string[] = [];
  for (const r of report.restored) {
    lines.push(
      r.found === r.restoredTo
        ? `${r.workload}: scale test ${r.testId} (asked by ${r.requestedBy} at ${r.startedAt}) was interrupted; replicas were already ${r.restoredTo}, its record is removed`
        : `${r.workload}: scale test ${r.testId} (asked by ${r.requestedBy} at ${r.startedAt}) was interrupted; replicas put back from ${r.found} to ${r.restoredTo}`,
    );
  }
  for (const w of report.unreadable)
    lines.push(`${w}: removed an unreadable ${SCALE_TEST_ANNOTATION} annotation (replicas left as they are)`);
  for (const r of report.running)
    lines.push(
      `${r.workload}: scale test ${r.testId} (asked by ${r.requestedBy} at ${r.startedAt}) may still be running; left alone`,
    );
  for (const f of report.failed)
    lines.push(`${f.workload}: could not restore: ${f.message}${f.hint ? ` (${f.hint})` : ''}`);
  return lines.length === 0 ? 'no interrupted scale tests' : lines.join('\n');
}

/**
 * Removes the record of test `testId`, only as read (resourceVersion precondition): a newer
 * test's record, or one another replica already removed, is left alone. False when it was not
 * this test's record any more.
 */
async function removeRecord(
  scaling: ScaleTestAdapters['scaling'],
  ref: WorkloadRef,
  testId: string,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const current = await scaling.getWorkload(ref);
    if (!current || decodeAnnotation(current.annotations[SCALE_TEST_ANNOTATION])?.testId !== testId)
      return false;
    try {
      await scaling.setAnnotation(ref, SCALE_TEST_ANNOTATION, null, current.resourceVersion);
      return true;
    } catch (err) {
      if (!(err instanceof MeshbotError && err.kind === 'conflict') || attempt >= 5) throw err;
    }
  }
}

/** Restores one workload from its record; re-reads first so a record already cleared is left alone. */
async function restoreOne(
  adapters: ScaleTestAdapters,
  workload: KubeWorkload,
  record: ScaleTestAnnotation,
  report: RecoveryReport,
): Promise<void> {
  const scaling = adapters.scaling;
  const ref: WorkloadRef = { kind: workload.kind, name: workload.name, namespace: workload.namespace };
  const text = formatWorkloadTarget(workload);
  try {
    const current = await scaling.getWorkload(ref);
    const still = decodeAnnotation(current?.annotations[SCALE_TEST_ANNOTATION]);
    if (!current || still?.testId !== record.testId) return;
    const out = await setReplicas(scaling, ref, record.originalReplicas, { attempts: 8 });
    if (!(await removeRecord(scaling, ref, record.testId))) return;
    report.restored.push({
      workload: text,
      testId: record.testId,
      requestedBy: record.requestedBy,
      startedAt: record.startedAt,
      found: out.from,
      restoredTo: record.originalReplicas,
    });
  } catch (err) {
    const { message, hint } = describeError(err);
    report.failed.push({ workload: text, message, ...(hint ? { hint } : {}) });
  }
}

export async function recoverInterruptedScaleTests(
  adapters: ScaleTestAdapters,
  options: RecoveryOptions = {},
): Promise<RecoveryReport> {
  const settings = resolveSettings(options.settings);
  const now = options.now ?? Date.now;
  const scaling = adapters.scaling;
  const report: RecoveryReport = { restored: [], running: [], unreadable: [], failed: [] };
  const allowed = scaleTestNamespaces(settings);
  const namespaces = allowed === 'all' ? [undefined] : allowed;
  const workloads: KubeWorkload[] = [];
  for (const ns of namespaces) {
    try {
      workloads.push(...(await scaling.listWorkloads(ns)));
    } catch (err) {
      const { message, hint } = describeError(err);
      report.failed.push({
        workload: ns ? `namespace ${ns}` : 'every namespace',
        message,
        ...(hint ? { hint } : {}),
      });
    }
  }
  const waiting: Array<{ workload: KubeWorkload; record: ScaleTestAnnotation; at: number }> = [];
  for (const w of workloads) {
    const raw = w.annotations[SCALE_TEST_ANNOTATION];
    if (raw === undefined) continue;
    const record = decodeAnnotation(raw);
    if (!record) {
      try {
        await scaling.setAnnotation(w, SCALE_TEST_ANNOTATION, null);
        report.unreadable.push(formatWorkloadTarget(w));
      } catch (err) {
        report.failed.push({ workload: formatWorkloadTarget(w), message: describeError(err).message });
      }
      continue;
    }
    const at = staleAt(record, staleAfterMs(settings));
    if (Number.isNaN(at) || now() >= at) await restoreOne(adapters, w, record, report);
    else waiting.push({ workload: w, record, at });
  }
  const acted = (r: RecoveryReport): boolean => r.restored.length + r.unreadable.length + r.failed.length > 0;
  if (acted(report) && options.notify) await options.notify(describeRecovery(report), report);
  if (!options.waitForRunning) {
    for (const w of waiting) {
      report.running.push({
        workload: formatWorkloadTarget(w.workload),
        testId: w.record.testId,
        requestedBy: w.record.requestedBy,
        startedAt: w.record.startedAt,
      });
    }
    return report;
  }
  // Later: each possibly running test, once it cannot be running any more; told as it happens.
  waiting.sort((a, b) => a.at - b.at);
  for (const w of waiting) {
    await pause(w.at - now(), options.signal);
    if (options.signal?.aborted) {
      report.running.push({
        workload: formatWorkloadTarget(w.workload),
        testId: w.record.testId,
        requestedBy: w.record.requestedBy,
        startedAt: w.record.startedAt,
      });
      continue;
    }
    const later: RecoveryReport = { restored: [], running: [], unreadable: [], failed: [] };
    await restoreOne(adapters, w.workload, w.record, later);
    report.restored.push(...later.restored);
    report.failed.push(...later.failed);
    if (acted(later) && options.notify) await options.notify(describeRecovery(later), later);
  }
  return report;
}
