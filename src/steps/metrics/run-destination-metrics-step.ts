/**
 * `metrics` without a target: the destination controller cluster-wide, the numbers that say
 * whether it keeps up. From Prometheus: Get handling p99 (grpc_server_handling_seconds),
 * EndpointSlice informer lag p99, endpoint_updates_queue_overflow in the window, subscribers
 * in all and the hottest services. From Kubernetes: how fast pods churn (pods created and
 * being deleted in the window, per minute). Failed queries become findings; it never throws
 * for them.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ControlPlaneReader } from '../../adapters/kube/control-plane-reader.js';
import type { PrometheusClient } from '../../adapters/prometheus/prometheus-client.js';
import {
  statusFromFindings,
  type EvidenceTable,
  type Finding,
  type StepResult,
} from '../../domain/step-result.js';
import { describeError } from '../../errors.js';
import { formatDuration } from '../../grammar/duration.js';
import { meshCommands } from '../../grammar/mesh-commands.js';
import { promDuration, quantile } from './metrics-queries.js';

export interface DestinationMetricsInput {
  windowSeconds: number;
  /** End of the window; default now. */
  now?: Date;
}

export interface DestinationMetricsAdapters {
  prometheus?: PrometheusClient;
  controlPlane?: Pick<ControlPlaneReader, 'listPods'>;
}

export interface HotService {
  service: string;
  subscribers: number;
}

export interface DestinationMetricsData {
  windowSeconds: number;
  /** Whether Prometheus has any destination-controller series. */
  scraped: boolean | null;
  getHandlingP99Seconds: number | null;
  informerLagP99Seconds: number | null;
  queueOverflows: number | null;
  subscribers: number | null;
  /** The services with the most subscribers (at most 5). */
  hotServices: HotService[];
  /** Pods created or being deleted in the window, per minute, cluster-wide (from Kubernetes). */
  podChangesPerMinute: number | null;
  queries: Array<{ name: string; promql: string; error?: string }>;
}

/** Thresholds (docs/metrics.md). */
export const DESTINATION_LIMITS = {
  informerLagWarnSeconds: 1,
  informerLagFailSeconds: 5,
  /** A service this many proxies subscribe to is a hot spot for one destination replica. */
  hotServiceSubscribers: 1000,
  /** Pod changes per minute above which the destination controller's load is heavy. */
  heavyChurnPerMinute: 60,
} as const;

export function destinationQueries(windowSeconds: number): Record<string, string> {
  const w = promDuration(windowSeconds);
  return {
    scraped: 'count(grpc_server_handling_seconds_count) or count(endpoint_updates_queue_overflow)',
    getHandlingP99: quantile(0.99, 'grpc_server_handling_seconds_bucket{grpc_method="Get"}', w),
    informerLagP99: quantile(0.99, 'endpointslices_informer_lag_seconds_bucket', w),
    queueOverflows: `sum(increase(endpoint_updates_queue_overflow[${w}]))`,
    subscribers: 'sum(endpoints_subscribers)',
    hotServices: 'topk(5, sum by (namespace, service) (endpoints_subscribers))',
  };
}

/** Pods created, or with a deletion begun, inside the window, per minute. */
export function podChangesPerMinute(pods: V1Pod[], windowSeconds: number, now: Date): number {
  const from = now.getTime() - windowSeconds * 1000;
  const inWindow = (t: Date | string | undefined): boolean =>
    t !== undefined && new Date(t).getTime() >= from && new Date(t).getTime() <= now.getTime();
  let changes = 0;
  for (const p of pods) {
    if (inWindow(p.metadata?.creationTimestamp)) changes++;
    if (inWindow(p.metadata?.deletionTimestamp)) changes++;
  }
  return changes / (windowSeconds / 60);
}

const num = (v: number | null, digits = 2): string => (v === null ? 'no data' : String(+v.toFixed(digits)));

export async function runDestinationMetricsStep(
  input: DestinationMetricsInput,
  adapters: DestinationMetricsAdapters,
): Promise<StepResult<DestinationMetricsData>> {
  const started = new Date();
  const now = input.now ?? started;
  const findings: Finding[] = [];
  const queries = destinationQueries(input.windowSeconds);
  const data: DestinationMetricsData = {
    windowSeconds: input.windowSeconds,
    scraped: null,
    getHandlingP99Seconds: null,
    informerLagP99Seconds: null,
    queueOverflows: null,
    subscribers: null,
    hotServices: [],
    podChangesPerMinute: null,
    queries: [],
  };

  const churn = adapters.controlPlane
    ? adapters.controlPlane.listPods(undefined).then(
        (pods) => podChangesPerMinute(pods, input.windowSeconds, now),
        (err: unknown) => {
          findings.push({
            severity: 'warn',
            code: 'pods-unreadable',
            message: `Could not list pods to measure churn: ${describeError(err).message}`,
          });
          return null;
        },
      )
    : Promise.resolve(null);

  if (!adapters.prometheus) {
    findings.push({
      severity: 'warn',
      code: 'no-prometheus',
      message: 'Prometheus is not configured: the destination controller numbers are unknown',
      hint: 'Give --prometheus URL or --prometheus-port-forward.',
    });
  } else {
    const prom = adapters.prometheus;
    const results = await Promise.all(
      Object.entries(queries).map(async ([name, promql]) => {
        try {
          const r = await prom.query(promql, { time: now });
          data.queries.push({ name, promql });
          return [name, r.samples] as const;
        } catch (err) {
          data.queries.push({ name, promql, error: describeError(err).message });
          return [name, null] as const;
        }
      }),
    );
    const byName = new Map(results);
    const scalar = (name: string): number | null => {
      const s = byName.get(name);
      const v = s?.[0]?.value;
      return v === undefined || Number.isNaN(v) ? null : v;
    };
    const failed = data.queries.filter((q) => q.error);
    if (failed.length === data.queries.length) {
      findings.push({
        severity: 'error',
        code: 'prometheus-unreachable',
        message: `Prometheus at ${prom.url} answered no query: ${failed[0]?.error ?? 'unknown error'}`,
      });
    } else {
      data.scraped = (scalar('scraped') ?? 0) > 0;
      data.getHandlingP99Seconds = scalar('getHandlingP99');
      data.informerLagP99Seconds = scalar('informerLagP99');
      data.queueOverflows = scalar('queueOverflows');
      data.subscribers = scalar('subscribers');
      data.hotServices = (byName.get('hotServices') ?? [])
        .map((s) => ({
          service: `${s.metric['service'] ?? '?'}.${s.metric['namespace'] ?? '?'}`,
          subscribers: s.value,
        }))
        .sort((a, b) => b.subscribers - a.subscribers);
    }
  }
  data.podChangesPerMinute = await churn;
  findings.push(...judgeDestination(data));
  data.queries.sort((a, b) => a.name.localeCompare(b.name));

  const evidence: EvidenceTable[] = [
    {
      title: `Destination controller, cluster-wide (last ${formatDuration(input.windowSeconds)})`,
      columns: ['Reading', 'Value'],
      rows: [
        ['Get handling p99 (s)', num(data.getHandlingP99Seconds, 3)],
        ['EndpointSlice informer lag p99 (s)', num(data.informerLagP99Seconds, 3)],
        ['endpoint_updates_queue_overflow (increase)', num(data.queueOverflows, 0)],
        ['endpoints_subscribers (all services)', num(data.subscribers, 0)],
        ['Pod changes per minute (Kubernetes)', num(data.podChangesPerMinute, 1)],
      ],
    },
  ];
  if (data.hotServices.length) {
    evidence.push({
      title: 'Services with the most subscribers',
      columns: ['Service', 'Subscribers'],
      rows: data.hotServices.map((h) => [h.service, num(h.subscribers, 0)]),
    });
  }
  const status = statusFromFindings(findings);
  const problems = findings.filter((f) => f.severity !== 'info');
  return {
    step: 'metrics',
    target: 'destination controller',
    status,
    summary:
      status === 'pass'
        ? 'The destination controller keeps up: informer lag low, no queue overflow'
        : (problems[0]?.message ?? 'The destination controller needs a look'),
    findings,
    evidence,
    next:
      status === 'pass'
        ? []
        : [
            {
              label: 'Look at the destination pods',
              command: meshCommands.events({
                kind: 'deployment',
                name: 'linkerd-destination',
                namespace: 'linkerd',
              }),
            },
          ],
    data,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  };
}

/** What the readings mean; the bottleneck named when there is one. */
export function judgeDestination(d: DestinationMetricsData): Finding[] {
  const f: Finding[] = [];
  if (d.scraped === false) {
    f.push({
      severity: 'warn',
      code: 'destination-not-scraped',
      message: 'Prometheus has no series of the destination controller',
      hint: 'Is linkerd-viz scraping the destination pods (admin port 9996)?',
    });
  }
  const lag = d.informerLagP99Seconds;
  if (lag !== null && lag >= DESTINATION_LIMITS.informerLagWarnSeconds) {
    f.push({
      severity: lag >= DESTINATION_LIMITS.informerLagFailSeconds ? 'fail' : 'warn',
      code: 'informer-lag',
      message: `The destination controller sees EndpointSlice changes ${num(lag, 1)} s late (p99): proxies route on an old view`,
      hint: 'The controller is short of CPU or replicas: raise its CPU limit or add destination replicas.',
    });
  }
  if (d.queueOverflows !== null && d.queueOverflows > 0) {
    f.push({
      severity: 'fail',
      code: 'queue-overflow',
      message: `The endpoint updates queue overflowed ${num(d.queueOverflows, 0)} times: subscribers were cut off and had to reconnect`,
      hint: 'Too many updates for the controller: add destination replicas and look for a hot service below.',
    });
  }
  const hot = d.hotServices.find((h) => h.subscribers >= DESTINATION_LIMITS.hotServiceSubscribers);
  if (hot) {
    f.push({
      severity: 'warn',
      code: 'hot-service',
      message: `${hot.service} has ${num(hot.subscribers, 0)} subscribers: every change of it is sent to all of them`,
      subject: hot.service,
    });
  }
  if (d.podChangesPerMinute !== null && d.podChangesPerMinute >= DESTINATION_LIMITS.heavyChurnPerMinute) {
    f.push({
      severity: 'warn',
      code: 'heavy-churn',
      message: `Pods churn at ${num(d.podChangesPerMinute, 0)} changes a minute cluster-wide: heavy load on the destination controller`,
    });
  }
  if (f.length === 0) {
    f.push({
      severity: 'info',
      code: 'destination-keeps-up',
      message: 'Informer lag is low and the update queue did not overflow',
    });
  }
  return f;
}
