/**
 * The proxy-logs step: the last lines of the `linkerd-proxy` container's log of one pod, or of
 * a few pods of a workload (`pods/log`, bounded by `tailLines` and `limitBytes`), with the
 * lines counted per level and the most frequent messages grouped (summarize-proxy-log.ts).
 * The full text goes with the result as a file. Status: warn when the proxies logged errors
 * or warnings, pass otherwise; a pod without a proxy is a finding, not a crash.
 */
import type { KubeAdapter, KubePod } from '../../adapters/kube/kube-adapter.js';
import type { PodLogReader } from '../../adapters/kube/pod-log-reader.js';
import type { WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import { createConcurrencyLimit } from '../../adapters/concurrency-limit.js';
import {
  makeAttachment,
  statusFromFindings,
  type EvidenceTable,
  type Finding,
  type NextStep,
  type StepResult,
} from '../../domain/step-result.js';
import { describeError, MeshbotError } from '../../errors.js';
import { formatDuration } from '../../grammar/duration.js';
import { formatPodOrWorkloadTarget, type PodTarget } from '../../grammar/pod-target.js';
import { formatWorkloadTarget, type WorkloadTarget } from '../../grammar/targets.js';
import { summarizeLines, topGroups, type LogCounts, type MessageGroup } from './summarize-proxy-log.js';

export const PROXY_CONTAINER = 'linkerd-proxy';

export interface ProxyLogsInput {
  target: PodTarget | WorkloadTarget;
  sinceSeconds: number;
  tailLines: number;
}

export interface ProxyLogsSettings {
  /** Pods of a workload read at most. */
  maxPods: number;
  /** Bytes read per pod at most (`limitBytes`). */
  limitBytes: number;
  /** Message groups shown. */
  maxGroups: number;
}

export const DEFAULT_PROXY_LOGS_SETTINGS: ProxyLogsSettings = {
  maxPods: 5,
  limitBytes: 1024 * 1024,
  maxGroups: 10,
};

export interface ProxyLogsAdapters {
  kube: Pick<KubeAdapter, 'listPods'>;
  scaling: Pick<WorkloadScaling, 'getWorkload'>;
  podLogs: PodLogReader;
}

export interface PodLogSummary {
  pod: string;
  counts: LogCounts;
  /** The lines read, oldest first. */
  lines: string[];
  /** Whether the answer hit `tailLines` or `limitBytes` (older lines were left out). */
  cut: boolean;
  /** Why the log could not be read, when it could not. */
  error?: string;
}

export interface ProxyLogsData {
  sinceSeconds: number;
  tailLines: number;
  pods: PodLogSummary[];
  /** Pods of the workload not read (beyond `maxPods`). */
  podsLeftOut: string[];
  totals: LogCounts;
  groups: MessageGroup[];
}

/** Running pods first (ready before not), then by name; the ones read of a workload. */
function pickPods(pods: KubePod[], max: number): { picked: string[]; leftOut: string[] } {
  const usable = pods
    .filter((p) => !p.deleting && p.phase !== 'Pending')
    .sort((a, b) => Number(b.ready) - Number(a.ready) || a.name.localeCompare(b.name))
    .map((p) => p.name);
  return { picked: usable.slice(0, max), leftOut: usable.slice(max) };
}

async function podsOf(
  target: PodTarget | WorkloadTarget,
  adapters: ProxyLogsAdapters,
  max: number,
): Promise<{ picked: string[]; leftOut: string[] }> {
  if (target.kind === 'pod') return { picked: [target.name], leftOut: [] };
  const w = await adapters.scaling.getWorkload(target);
  if (!w) {
    throw new MeshbotError(
      'not-found',
      `${formatWorkloadTarget(target)} does not exist`,
      `Check the name: kubectl -n ${target.namespace} get ${target.kind}s`,
    );
  }
  const pods = await adapters.kube.listPods(target.namespace, { labelSelector: w.selector });
  return pickPods(pods, max);
}

function addCounts(a: LogCounts, b: LogCounts): LogCounts {
  return {
    lines: a.lines + b.lines,
    other: a.other + b.other,
    ERROR: a.ERROR + b.ERROR,
    WARN: a.WARN + b.WARN,
    INFO: a.INFO + b.INFO,
    DEBUG: a.DEBUG + b.DEBUG,
    TRACE: a.TRACE + b.TRACE,
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function runProxyLogsStep(
  input: ProxyLogsInput,
  adapters: ProxyLogsAdapters,
  settings: ProxyLogsSettings = DEFAULT_PROXY_LOGS_SETTINGS,
  now = new Date(),
): Promise<StepResult<ProxyLogsData>> {
  const started = Date.now();
  const targetText = formatPodOrWorkloadTarget(input.target);
  const ns = input.target.namespace;
  const { picked, leftOut } = await podsOf(input.target, adapters, settings.maxPods);
  const groups = new Map<string, MessageGroup>();
  const limit = createConcurrencyLimit(2);
  const pods = await Promise.all(
    picked.map((pod) =>
      limit.run(async (): Promise<PodLogSummary> => {
        try {
          const text = await adapters.podLogs.readPodLog(ns, pod, {
            container: PROXY_CONTAINER,
            sinceSeconds: input.sinceSeconds,
            tailLines: input.tailLines,
            limitBytes: settings.limitBytes,
          });
          const lines = text.split('\n');
          if (lines[lines.length - 1] === '') lines.pop();
          return {
            pod,
            counts: summarizeLines(pod, lines, groups),
            lines,
            cut: lines.length >= input.tailLines || Buffer.byteLength(text) >= settings.limitBytes,
          };
        } catch (err) {
          const { message } = describeError(err);
          if (err instanceof MeshbotError && (err.kind === 'forbidden' || err.kind === 'unreachable'))
            throw err;
          return {
            pod,
            counts: summarizeLines(pod, [], groups),
            lines: [],
            cut: false,
            error: /is not valid for pod/.test(message)
              ? `${pod} has no ${PROXY_CONTAINER} container: it is not meshed`
              : message,
          };
        }
      }),
    ),
  );
  const totals = pods.reduce((a, p) => addCounts(a, p.counts), summarizeLines('', [], new Map()));
  const top = topGroups(groups.values(), settings.maxGroups);

  const findings: Finding[] = [];
  for (const p of pods) {
    if (p.error) {
      findings.push({ severity: 'warn', code: 'proxy-log-unreadable', message: p.error, subject: p.pod });
    }
  }
  if (totals.ERROR > 0) {
    findings.push({
      severity: 'warn',
      code: 'proxy-log-errors',
      message: `the proxies logged ${plural(totals.ERROR, 'error')} in the last ${formatDuration(input.sinceSeconds)}`,
      hint: 'The most frequent messages are below; the full log is attached.',
    });
  }
  if (totals.WARN > 0) {
    findings.push({
      severity: 'warn',
      code: 'proxy-log-warnings',
      message: `the proxies logged ${plural(totals.WARN, 'warning')} in the last ${formatDuration(input.sinceSeconds)}`,
    });
  }
  if (pods.length === 0) {
    findings.push({
      severity: 'warn',
      code: 'no-pods',
      message: `${targetText} has no running pod to read`,
    });
  }
  if (leftOut.length > 0) {
    findings.push({
      severity: 'info',
      code: 'pods-left-out',
      message: `read ${pods.length} of ${pods.length + leftOut.length} pods; left out: ${leftOut.join(', ')}`,
      hint: 'Read one of them with proxy-logs pod/NAME.NAMESPACE.',
    });
  }
  const cut = pods.filter((p) => p.cut).map((p) => p.pod);
  if (cut.length > 0) {
    findings.push({
      severity: 'info',
      code: 'log-cut',
      message: `only the last ${input.tailLines} lines were read of ${cut.join(', ')}`,
    });
  }

  const evidence: EvidenceTable[] = [
    {
      title: `linkerd-proxy log, last ${formatDuration(input.sinceSeconds)}`,
      columns: ['pod', 'lines', 'error', 'warn', 'info', 'debug', 'trace'],
      rows: pods.map((p) => [
        p.pod,
        p.error ? `(${p.error})` : String(p.counts.lines),
        String(p.counts.ERROR),
        String(p.counts.WARN),
        String(p.counts.INFO),
        String(p.counts.DEBUG),
        String(p.counts.TRACE),
      ]),
    },
  ];
  if (top.length > 0) {
    evidence.push({
      title: 'Most frequent messages',
      columns: ['count', 'level', 'target', 'message', 'pods'],
      rows: top.map((g) => [String(g.count), g.level, g.target, g.pattern, String(g.pods.length)]),
    });
  }

  const next: NextStep[] = [];
  if (input.target.kind !== 'pod' && totals.DEBUG === 0) {
    next.push({
      label: 'Raise the log level for a while',
      command: {
        name: 'proxy-log-level',
        target: input.target,
        level: 'warn,linkerd=debug',
        forSeconds: 600,
      },
      description: 'debug lines for ten minutes, then every pod put back',
    });
  }

  const status = statusFromFindings(findings);
  const text = pods
    .map(
      (p) =>
        `==> ${ns}/${p.pod} (${PROXY_CONTAINER}) <==\n${p.error ? `(${p.error})\n` : p.lines.join('\n') + '\n'}`,
    )
    .join('\n');
  const summary =
    pods.length === 0
      ? `${targetText}: no pod to read`
      : `${plural(totals.lines, 'line')} from ${plural(pods.length, 'pod')}: ${plural(totals.ERROR, 'error')}, ${plural(totals.WARN, 'warning')}, ${totals.DEBUG} debug`;
  return {
    step: 'proxy-logs',
    target: targetText,
    status,
    summary,
    findings,
    evidence,
    next,
    data: {
      sinceSeconds: input.sinceSeconds,
      tailLines: input.tailLines,
      pods,
      podsLeftOut: leftOut,
      totals,
      groups: top,
    },
    startedAt: now.toISOString(),
    durationMs: Date.now() - started,
    attachments: [
      makeAttachment({
        filename: `proxy-logs-${targetText.replace(/[^A-Za-z0-9.-]+/g, '_')}.log`,
        contentType: 'text/plain',
        data: Buffer.from(text, 'utf8'),
        title: `linkerd-proxy log of ${targetText}`,
      }),
    ],
  };
}
