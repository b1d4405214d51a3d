/**
 * proxy-log-level: sets a new log filter on every running pod of a workload (PUT
 * /proxy-log-level on each proxy's admin server, through a port-forward), holds it for `--for`,
 * then puts every pod back. While it lasts the workload carries a record (log-level-record.ts)
 * with each pod's original filter and a heartbeat renewed every few seconds. The pods are put
 * back when the time is up, when `signal` aborts (Stop, shutdown), and in every outcome of the
 * run; after a crash the record is all that is left, and recovery puts the pods back from it.
 */
import { createConcurrencyLimit } from '../../adapters/concurrency-limit.js';
import type { WorkloadRef } from '../../adapters/kube/workload-scaling.js';
import {
  statusFromFindings,
  type EvidenceTable,
  type Finding,
  type StepResult,
} from '../../domain/step-result.js';
import { describeError, MeshbotError } from '../../errors.js';
import { formatDuration } from '../../grammar/duration.js';
import { pause } from '../pause.js';
import { startHeartbeat } from '../scale-test/scale-test-heartbeat.js';
import {
  decodeRecord,
  encodeRecord,
  HEARTBEAT_MS,
  holderIdentity,
  LOG_LEVEL_ANNOTATION,
  LOG_LEVEL_HEARTBEAT,
  newRecordId,
  type LogLevelRecord,
} from './log-level-record.js';
import {
  planProxyLogLevel,
  resolveLogLevelSettings,
  type ProxyLogLevelAdapters,
  type ProxyLogLevelCommand,
  type ProxyLogLevelSettings,
} from './plan-proxy-log-level.js';
import { restoreLogLevels, type PodRestore, type RestoreOutcome } from './restore-log-levels.js';

/** Why the level was put back: its time was up, or the run's signal aborted with this reason. */
/** `elsewhere`: its record was removed by another meshbot (a Stop there, or recovery). */
export type EndReason = 'expired' | 'stopped' | 'shutdown' | 'elsewhere';

export interface ProxyLogLevelData {
  cluster: string;
  workload: string;
  level: string;
  forSeconds: number;
  recordId: string;
  startedAt: string;
  expiresAt: string;
  endedBy: EndReason;
  pods: Array<PodRestore & { set: boolean; setError?: string }>;
  newPods: RestoreOutcome['newPods'];
  recordRemoved: boolean;
}

export interface ProxyLogLevelRunOptions {
  requestedBy: string;
  settings?: Partial<ProxyLogLevelSettings>;
  /** Aborting puts the pods back at once; `signal.reason` 'shutdown' or anything else ('stopped'). */
  signal?: AbortSignal;
  onProgress?(text: string): void;
  /** Told once every pod is set, with the record (the Slack thread offers Stop then). */
  onRaised?(record: LogLevelRecord): void;
}

/** Writes the record, only on the workload as read: a record written meanwhile is a refusal. */
async function writeRecord(
  adapters: ProxyLogLevelAdapters,
  ref: WorkloadRef,
  record: LogLevelRecord,
  text: string,
): Promise<void> {
  const current = await adapters.scaling.getWorkload(ref);
  if (!current) throw new MeshbotError('not-found', `${text} no longer exists`);
  const raw = current.annotations[LOG_LEVEL_ANNOTATION];
  if (raw !== undefined && decodeRecord(raw)?.id !== record.id) {
    throw new MeshbotError('refused', `another change of the proxy log level of ${text} began a moment ago`);
  }
  try {
    await adapters.scaling.setAnnotation(
      ref,
      LOG_LEVEL_ANNOTATION,
      encodeRecord(record),
      current.resourceVersion,
    );
  } catch (err) {
    if (err instanceof MeshbotError && err.kind === 'conflict') {
      throw new MeshbotError(
        'conflict',
        `${text} changed while the log level was being set; nothing was changed`,
        'Try again.',
      );
    }
    throw err;
  }
}

function endReason(signal: AbortSignal | undefined, lost: boolean): EndReason {
  if (signal?.aborted) return signal.reason === 'shutdown' ? 'shutdown' : 'stopped';
  return lost ? 'elsewhere' : 'expired';
}

const ENDED: Record<EndReason, string> = {
  expired: 'its time was up',
  stopped: 'it was stopped',
  shutdown: 'meshbot shut down',
  elsewhere: 'another meshbot put it back',
};

export async function runProxyLogLevel(
  command: ProxyLogLevelCommand,
  adapters: ProxyLogLevelAdapters,
  options: ProxyLogLevelRunOptions,
): Promise<StepResult<ProxyLogLevelData>> {
  const started = new Date();
  const settings = resolveLogLevelSettings(options.settings);
  const progress = (text: string): void => options.onProgress?.(text);
  const plan = await planProxyLogLevel(command, adapters, settings, started.getTime());
  const ref: WorkloadRef = plan.workload;
  if (plan.leftover) {
    const back = await restoreLogLevels(adapters, ref, plan.leftover);
    progress(
      `put back ${back.pods.filter((p) => p.outcome === 'restored').length} pod(s) left by interrupted change ${plan.leftover.id}`,
    );
  }
  const heartbeatMs = settings.heartbeatMs ?? HEARTBEAT_MS;
  const expiresAt = new Date(started.getTime() + command.forSeconds * 1000);
  const record: LogLevelRecord = {
    v: 1,
    id: newRecordId(),
    cluster: adapters.cluster,
    level: command.level,
    pods: plan.pods.map((p) => ({ pod: p.pod, original: p.current })),
    requestedBy: options.requestedBy,
    holder: holderIdentity(),
    startedAt: started.toISOString(),
    expiresAt: expiresAt.toISOString(),
    // Beats from the write, not from the start: planning (a port-forward per pod) can take longer
    // than three beats, and a record written already stale is put back by recovery at once.
    heartbeatAt: new Date().toISOString(),
    heartbeatMs,
  };
  await writeRecord(adapters, ref, record, plan.workloadText);
  // The wait ends on Stop/shutdown (the caller's signal), or when the record is no longer this
  // change's (a Stop on another replica or recovery put the pods back): within one beat.
  const ended = new AbortController();
  let lost = false;
  const onAbort = (): void => ended.abort(options.signal?.reason);
  if (options.signal?.aborted)
    onAbort(); // stopped before it began: no event will come
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const heartbeat = startHeartbeat(adapters.scaling, ref, record.id, {
    record: LOG_LEVEL_HEARTBEAT,
    intervalMs: heartbeatMs,
    onLost: () => {
      lost = true;
      ended.abort('elsewhere');
    },
  });
  const setErrors = new Map<string, string>();
  let restored: RestoreOutcome;
  let endedBy: EndReason;
  try {
    const limit = createConcurrencyLimit(4);
    await Promise.all(
      plan.pods.map((p) =>
        limit.run(async () => {
          try {
            await adapters.proxyAdmin.setLogLevel(plan.workload.namespace, p.pod, command.level);
          } catch (err) {
            setErrors.set(p.pod, describeError(err).message);
          }
        }),
      ),
    );
    const set = plan.pods.length - setErrors.size;
    if (set > 0) {
      progress(
        `set ${set} pod(s) of ${plan.workloadText} to "${command.level}" until ${expiresAt.toISOString()} (${formatDuration(command.forSeconds)})`,
      );
      options.onRaised?.(record);
      await pause(expiresAt.getTime() - Date.now(), ended.signal);
    }
    endedBy = endReason(options.signal, lost);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await heartbeat.stop();
    // Whatever happened above, every pod is put back; unless another change now holds the
    // workload (its record replaced this one's): its pods are that change's to put back.
    restored = await restoreUnlessReplaced(adapters, ref, record).catch((err: unknown): RestoreOutcome => ({
      pods: record.pods.map((p) => ({ ...p, outcome: 'failed' as const, error: describeError(err).message })),
      newPods: [],
      recordRemoved: false,
    }));
  }
  progress(
    `put ${restored.pods.filter((p) => p.outcome === 'restored').length} pod(s) back: ${ENDED[endedBy]}`,
  );
  return resultOf(command, plan.workloadText, record, restored, setErrors, endedBy, started);
}

/** restoreLogLevels, unless the workload's record is now another change's (pods left to it). */
async function restoreUnlessReplaced(
  adapters: ProxyLogLevelAdapters,
  ref: WorkloadRef,
  record: LogLevelRecord,
): Promise<RestoreOutcome> {
  const now = decodeRecord((await adapters.scaling.getWorkload(ref))?.annotations[LOG_LEVEL_ANNOTATION]);
  if (now && now.id !== record.id) {
    return {
      pods: record.pods.map((p) => ({ ...p, outcome: 'replaced' as const })),
      newPods: [],
      recordRemoved: false,
    };
  }
  return restoreLogLevels(adapters, ref, record);
}

function resultOf(
  command: ProxyLogLevelCommand,
  workloadText: string,
  record: LogLevelRecord,
  restored: RestoreOutcome,
  setErrors: Map<string, string>,
  endedBy: EndReason,
  started: Date,
): StepResult<ProxyLogLevelData> {
  const pods = restored.pods.map((p) => ({
    ...p,
    set: !setErrors.has(p.pod),
    ...(setErrors.has(p.pod) ? { setError: setErrors.get(p.pod)! } : {}),
  }));
  const findings: Finding[] = [];
  for (const p of pods) {
    if (p.setError) {
      findings.push({
        severity: 'warn',
        code: 'log-level-not-set',
        message: `${p.pod}: the level could not be set: ${p.setError}`,
        subject: p.pod,
      });
    }
    if (p.outcome === 'failed') {
      findings.push({
        severity: 'fail',
        code: 'log-level-not-restored',
        message: `${p.pod} could not be put back to "${p.original}": ${p.error ?? 'unknown error'}`,
        hint: `The record stays on ${workloadText}; meshbot tries again. By hand: kubectl port-forward, then curl -X PUT --data '${p.original}' localhost:4191/proxy-log-level`,
        subject: p.pod,
      });
    }
  }
  const replaced = pods.filter((p) => p.outcome === 'replaced').map((p) => p.pod);
  if (replaced.length > 0) {
    findings.push({
      severity: 'info',
      code: 'log-level-replaced',
      message: `another change of ${workloadText}'s log level took over meanwhile; its pods were left to it: ${replaced.join(', ')}`,
    });
  }
  for (const n of restored.newPods) {
    findings.push({
      severity: 'info',
      code: 'new-pod-left-alone',
      message: `${n.pod} appeared meanwhile and was left at its default${n.level ? ` ("${n.level}")` : ''}`,
      subject: n.pod,
    });
  }
  const gone = pods.filter((p) => p.outcome === 'gone').map((p) => p.pod);
  if (gone.length > 0) {
    findings.push({
      severity: 'info',
      code: 'pod-gone',
      message: `gone meanwhile (nothing to put back): ${gone.join(', ')}`,
    });
  }
  if (setErrors.size === pods.length && pods.length > 0) {
    findings.push({
      severity: 'error',
      code: 'log-level-not-set',
      message: `no pod of ${workloadText} took the level "${command.level}"`,
    });
  }
  const evidence: EvidenceTable[] = [
    {
      title: `Proxy log level of ${workloadText}`,
      columns: ['pod', 'before', 'during', 'after'],
      rows: [
        ...pods.map((p) => [
          p.pod,
          p.original,
          p.set ? command.level : `(not set: ${p.setError ?? ''})`,
          p.outcome === 'restored'
            ? p.original
            : p.outcome === 'gone'
              ? '(pod gone)'
              : p.outcome === 'replaced'
                ? '(another change)'
                : `(failed: ${p.error ?? ''})`,
        ]),
        ...restored.newPods.map((n) => [n.pod, '(new pod)', n.level ?? '?', n.level ?? '?']),
      ],
    },
  ];
  const back = pods.filter((p) => p.outcome === 'restored').length;
  const status = statusFromFindings(findings);
  return {
    step: 'proxy-log-level',
    target: workloadText,
    status,
    summary:
      status === 'fail' || status === 'error'
        ? `${workloadText}: ${findings.find((f) => f.severity === 'fail' || f.severity === 'error')?.message ?? 'failed'}`
        : `"${command.level}" on ${pods.length - setErrors.size} pod(s) of ${workloadText} for ${formatDuration((Date.now() - started.getTime()) / 1000)}; ${back} put back (${ENDED[endedBy]})`,
    findings,
    evidence,
    next: [
      {
        label: "Read the proxies' logs",
        command: {
          name: 'proxy-logs',
          target: command.target,
          sinceSeconds: Math.max(
            60,
            Math.min(86400, Math.ceil((Date.now() - started.getTime()) / 1000) + 60),
          ),
          tailLines: 500,
        },
      },
    ],
    data: {
      cluster: record.cluster,
      workload: workloadText,
      level: command.level,
      forSeconds: command.forSeconds,
      recordId: record.id,
      startedAt: record.startedAt,
      expiresAt: record.expiresAt,
      endedBy,
      pods,
      newPods: restored.newPods,
      recordRemoved: restored.recordRemoved,
    },
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  };
}
