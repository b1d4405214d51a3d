/**
 * Everything proxy-log-level decides before it changes anything: the workload, its running
 * pods and each one's current filter (read from its admin server), the level, how long, and
 * whether it is allowed (the longest time configured, the most pods, no other change of the
 * log level under way). Confirmations show this plan.
 */
import type { KubeAdapter } from '../../adapters/kube/kube-adapter.js';
import type { KubeWorkload, WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import type { ProxyAdminClient } from '../../adapters/proxy-admin/proxy-admin-client.js';
import { createConcurrencyLimit } from '../../adapters/concurrency-limit.js';
import { MeshbotError } from '../../errors.js';
import { formatDuration } from '../../grammar/duration.js';
import type { RunnableCommand } from '../../grammar/parse-command.js';
import { formatWorkloadTarget } from '../../grammar/targets.js';
import { decodeRecord, LOG_LEVEL_ANNOTATION, staleAt, type LogLevelRecord } from './log-level-record.js';

export type ProxyLogLevelCommand = Extract<RunnableCommand, { name: 'proxy-log-level' }>;

export interface ProxyLogLevelSettings {
  /** The longest `--for` allowed, seconds. */
  maxDurationSeconds: number;
  /** The most pods one change may touch. */
  maxPods: number;
  /** Heartbeat interval of the record, ms (tests shorten it). */
  heartbeatMs?: number;
}

export const DEFAULT_PROXY_LOG_LEVEL_SETTINGS: ProxyLogLevelSettings = {
  maxDurationSeconds: 3600,
  maxPods: 50,
};

export function resolveLogLevelSettings(partial: Partial<ProxyLogLevelSettings> = {}): ProxyLogLevelSettings {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_PROXY_LOG_LEVEL_SETTINGS, ...defined };
}

export interface ProxyLogLevelAdapters {
  cluster: string;
  kube: Pick<KubeAdapter, 'listPods'>;
  scaling: Pick<WorkloadScaling, 'getWorkload' | 'setAnnotation' | 'listWorkloads'>;
  proxyAdmin: ProxyAdminClient;
}

export interface ProxyLogLevelPlan {
  cluster: string;
  workload: { kind: KubeWorkload['kind']; name: string; namespace: string };
  workloadText: string;
  level: string;
  forSeconds: number;
  /** The running pods and each one's filter now. */
  pods: Array<{ pod: string; current: string }>;
  /** A record whose holder stopped: the run puts its pods back first. */
  leftover?: LogLevelRecord;
  description: string;
}

/** Running, not terminating pods of a workload, by name. */
export async function runningPodsOf(
  adapters: Pick<ProxyLogLevelAdapters, 'kube'>,
  workload: KubeWorkload,
): Promise<string[]> {
  const pods = await adapters.kube.listPods(workload.namespace, { labelSelector: workload.selector });
  return pods
    .filter((p) => p.phase === 'Running' && !p.deleting)
    .map((p) => p.name)
    .sort();
}

/** Each pod's filter now, read at most four at a time. */
export async function readLevels(
  adapters: Pick<ProxyLogLevelAdapters, 'proxyAdmin'>,
  namespace: string,
  pods: string[],
): Promise<Array<{ pod: string; current: string }>> {
  const limit = createConcurrencyLimit(4);
  return Promise.all(
    pods.map((pod) =>
      limit.run(async () => ({ pod, current: await adapters.proxyAdmin.getLogLevel(namespace, pod) })),
    ),
  );
}

function describe(p: Omit<ProxyLogLevelPlan, 'description'>): string {
  const shown = p.pods.slice(0, 5).map((x) => `${x.pod} at "${x.current}"`);
  const more = p.pods.length > 5 ? ` and ${p.pods.length - 5} more` : '';
  return (
    `set the proxy log level of ${p.workloadText} (${p.pods.length} pod${p.pods.length === 1 ? '' : 's'}: ` +
    `${shown.join(', ')}${more}) to "${p.level}" for ${formatDuration(p.forSeconds)}, then put each pod back` +
    (p.leftover ? `; first put back what an interrupted change (${p.leftover.id}) left` : '')
  );
}

export async function planProxyLogLevel(
  command: ProxyLogLevelCommand,
  adapters: ProxyLogLevelAdapters,
  partial: Partial<ProxyLogLevelSettings> = {},
  now = Date.now(),
): Promise<ProxyLogLevelPlan> {
  const settings = resolveLogLevelSettings(partial);
  const text = formatWorkloadTarget(command.target);
  if (command.forSeconds > settings.maxDurationSeconds) {
    throw new MeshbotError(
      'refused',
      `--for ${formatDuration(command.forSeconds)} is longer than the ${formatDuration(settings.maxDurationSeconds)} allowed`,
      `Ask for at most --for ${formatDuration(settings.maxDurationSeconds)}; an admin sets the limit (config proxyLogLevel.maxDurationSeconds; on the CLI --max-duration).`,
    );
  }
  const workload = await adapters.scaling.getWorkload(command.target);
  if (!workload) {
    throw new MeshbotError(
      'not-found',
      `${text} does not exist`,
      `Check the name: kubectl -n ${command.target.namespace} get ${command.target.kind}s`,
    );
  }
  const raw = workload.annotations[LOG_LEVEL_ANNOTATION];
  const existing = decodeRecord(raw);
  let leftover: LogLevelRecord | undefined;
  if (raw !== undefined && existing) {
    if (now < staleAt(existing)) {
      throw new MeshbotError(
        'refused',
        `the proxy log level of ${text} is already set to "${existing.level}" by ${existing.requestedBy} until ${existing.expiresAt}`,
        'Stop that change first (its Stop button), or wait until it ends.',
      );
    }
    leftover = existing;
  }
  const pods = await runningPodsOf(adapters, workload);
  if (pods.length === 0) {
    throw new MeshbotError('refused', `${text} has no running pod whose log level could be set`);
  }
  if (pods.length > settings.maxPods) {
    throw new MeshbotError(
      'refused',
      `${text} has ${pods.length} running pods; meshbot changes the log level of at most ${settings.maxPods} at once`,
      'An admin can raise proxyLogLevel.maxPods; or look at one pod with kubectl port-forward.',
    );
  }
  const levels = await readLevels(adapters, workload.namespace, pods);
  // A leftover's pods are put back before the run: their original filter is the one to show.
  const current = levels.map((l) => ({
    pod: l.pod,
    current: leftover?.pods.find((p) => p.pod === l.pod)?.original ?? l.current,
  }));
  const plan = {
    cluster: adapters.cluster,
    workload: { kind: workload.kind, name: workload.name, namespace: workload.namespace },
    workloadText: text,
    level: command.level,
    forSeconds: command.forSeconds,
    pods: current,
    ...(leftover ? { leftover } : {}),
  };
  return { ...plan, description: describe(plan) };
}
