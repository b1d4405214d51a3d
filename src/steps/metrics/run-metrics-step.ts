/**
 * The metrics step: the destination controller's numbers for one service and the golden metrics
 * of its pods, from Prometheus, with what they mean. Prometheus down, a failed query or no data
 * become findings; the step never throws for them.
 */
import type {
  PrometheusClient,
  RangeResult,
  InstantResult,
} from '../../adapters/prometheus/prometheus-client.js';
import type { KubeAdapter, KubePod } from '../../adapters/kube/kube-adapter.js';
import { PrometheusQueryError } from '../../adapters/prometheus/prometheus-errors.js';
import type { Series } from '../../adapters/prometheus/prometheus-responses.js';
import { describeError, MeshbotError } from '../../errors.js';
import {
  statusFromFindings,
  worstStatus,
  type EvidenceTable,
  type Finding,
  type StepResult,
} from '../../domain/step-result.js';
import { formatDuration } from '../../grammar/duration.js';
import { formatServiceTarget, type ServiceTarget } from '../../grammar/targets.js';
import { counterGrowth, lastMovedAt, podChangesFrom, scalarOf, sumSeries } from './analyze-series.js';
import { interpretMetrics } from './interpret-metrics.js';
import {
  instantQueries,
  rangeQueries,
  rangeStepSeconds,
  updatesRawSamples,
  type InstantQueries,
  type RangeQueries,
} from './metrics-queries.js';
import type { ChartSeries, MetricsData, QueryRecord, ServiceWorkloads } from './metrics-types.js';

export interface MetricsStepInput {
  target: ServiceTarget;
  windowSeconds: number;
  /** Pod changes younger than this are not held against the controller yet. Default 30 s. */
  settleSeconds?: number;
  /** End of the window; default now. */
  now?: Date;
}

/** What the step needs: Prometheus, and Kubernetes to find the service's workloads. */
export interface MetricsAdapters {
  prometheus?: PrometheusClient;
  kube?: Pick<KubeAdapter, 'getService' | 'listPods'>;
}

const DEFAULT_SETTLE_SECONDS = 30;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

async function attempt<T>(p: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: describeError(err).message };
  }
}

/** The deployment a pod belongs to: Linkerd's proxy label, else its ReplicaSet's name without the hash. */
export function deploymentOf(pod: KubePod): string | undefined {
  const fromProxy = pod.labels['linkerd.io/proxy-deployment'];
  if (fromProxy) return fromProxy;
  const hash = pod.labels['pod-template-hash'];
  if (pod.owner?.kind === 'ReplicaSet' && hash && pod.owner.name.endsWith(`-${hash}`)) {
    return pod.owner.name.slice(0, -(hash.length + 1));
  }
  return undefined;
}

async function findWorkloads(
  kube: MetricsAdapters['kube'],
  target: ServiceTarget,
): Promise<{ workloads: ServiceWorkloads | null; findings: Finding[] }> {
  const svc = formatServiceTarget(target);
  if (!kube) {
    return {
      workloads: null,
      findings: [
        {
          severity: 'info',
          code: 'no-kubernetes',
          message: `Kubernetes is not configured: the workloads of ${svc} are unknown, so pod changes and golden metrics are left out`,
        },
      ],
    };
  }
  try {
    const service = await kube.getService(target.namespace, target.service);
    if (!service) {
      return {
        workloads: null,
        findings: [
          {
            severity: 'warn',
            code: 'service-not-found',
            message: `Kubernetes has no service ${svc}; only the destination controller's numbers are shown`,
            hint: 'Check the name and namespace (kubectl get svc -n ' + target.namespace + ').',
          },
        ],
      };
    }
    if (!service.selector || Object.keys(service.selector).length === 0) {
      return { workloads: { deployments: [], pods: 0, readyPods: 0 }, findings: [] };
    }
    const pods = await kube.listPods(target.namespace, { labelSelector: service.selector });
    const deployments = [
      ...new Set(pods.map(deploymentOf).filter((d): d is string => d !== undefined)),
    ].sort();
    return {
      workloads: {
        deployments,
        pods: pods.length,
        readyPods: pods.filter((p) => p.ready && !p.deleting).length,
      },
      findings: [],
    };
  } catch (err) {
    const { message } = describeError(err);
    return {
      workloads: null,
      findings: [
        {
          severity: 'warn',
          code: 'kubernetes-unreadable',
          message: `Could not read ${svc}'s pods from Kubernetes (${message}); pod changes and golden metrics are left out`,
          ...(err instanceof MeshbotError && err.hint ? { hint: err.hint } : {}),
        },
      ],
    };
  }
}

function errorResult(
  target: ServiceTarget,
  startedAt: Date,
  finding: Finding,
  data: MetricsData,
): StepResult<MetricsData> {
  return {
    step: 'metrics',
    target: formatServiceTarget(target),
    status: 'error',
    summary: finding.message,
    findings: [finding],
    evidence: [],
    next: [],
    data,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
}

/** MetricsData with nothing read yet: every reading null, no series. */
export function emptyData(prometheusUrl: string, windowSeconds: number, from: Date, to: Date): MetricsData {
  return {
    prometheusUrl,
    windowSeconds,
    from: from.toISOString(),
    to: to.toISOString(),
    stepSeconds: rangeStepSeconds(windowSeconds),
    workloads: null,
    destination: {
      scraped: null,
      updatesIncrease: null,
      updatesLastMovedAt: null,
      subscribers: null,
      exists: null,
      pods: null,
      podsChanges: null,
      informerLagP50Seconds: null,
      informerLagP99Seconds: null,
      getHandlingP99Seconds: null,
    },
    podChanges: null,
    golden: { successRate: null, rps: null, latencyMs: { p50: null, p95: null, p99: null } },
    series: [],
    queries: [],
  };
}

/**
 * Phase 1: Kubernetes (which workloads?), and one cheap query to learn whether Prometheus
 * answers at all before firing the rest at it; an `error` result when it cannot be asked.
 */
async function askKubernetesAndProbe(
  input: MetricsStepInput,
  adapters: MetricsAdapters,
  data: MetricsData,
  startedAt: Date,
  to: Date,
): Promise<
  | StepResult<MetricsData>
  | {
      prom: PrometheusClient;
      kube: Awaited<ReturnType<typeof findWorkloads>>;
      probe: Awaited<ReturnType<typeof attemptRaw<InstantResult>>>;
    }
> {
  const { target, windowSeconds } = input;
  const prom = adapters.prometheus;
  if (!prom) {
    return errorResult(
      target,
      startedAt,
      {
        severity: 'error',
        code: 'prometheus-not-configured',
        message: 'No Prometheus is configured for the metrics step',
        hint: 'Give its URL with --prometheus URL (linkerd-viz: http://prometheus.linkerd-viz.svc.cluster.local:9090).',
      },
      data,
    );
  }

  const [kube, probe] = await Promise.all([
    findWorkloads(adapters.kube, target),
    attemptRaw(prom.query(instantQueries(target, windowSeconds, []).destinationScraped, { time: to })),
  ]);
  data.workloads = kube.workloads;
  if (!probe.ok && !(probe.error instanceof PrometheusQueryError && probe.error.kind !== 'timeout')) {
    const err = probe.error;
    const finding: Finding = {
      severity: 'error',
      code:
        err instanceof MeshbotError && err.kind === 'timeout'
          ? 'prometheus-timeout'
          : 'prometheus-unreachable',
      message: describeError(err).message,
      ...(describeError(err).hint ? { hint: describeError(err).hint } : {}),
      subject: prom.url,
    };
    const r = errorResult(target, startedAt, finding, data);
    r.findings.push(...kube.findings);
    return r;
  }

  return { prom, kube, probe };
}

export async function runMetricsStep(
  input: MetricsStepInput,
  adapters: MetricsAdapters,
): Promise<StepResult<MetricsData>> {
  const startedAt = new Date();
  const { target, windowSeconds } = input;
  const to = input.now ?? new Date();
  const from = new Date(to.getTime() - windowSeconds * 1000);
  const data = emptyData(adapters.prometheus?.url ?? '(none)', windowSeconds, from, to);

  const asked = await askKubernetesAndProbe(input, adapters, data, startedAt, to);
  if ('step' in asked) return asked;
  const { prom, kube, probe } = asked;

  const deployments = kube.workloads?.deployments ?? [];
  const iq = instantQueries(target, windowSeconds, deployments);
  const rq = rangeQueries(target, windowSeconds, deployments);
  const stepSeconds = rangeStepSeconds(windowSeconds);
  const queries: QueryRecord[] = [{ name: 'destinationScraped', promql: iq.destinationScraped }];

  const { instant, range } = queryRecorder(prom, { iq, rq, from, to, stepSeconds }, queries);

  if (!probe.ok) queries[0]!.error = describeError(probe.error).message;
  const scrapedCount = probe.ok ? scalarOf(probe.value.samples) : null;
  const wantGolden = deployments.length > 0;
  const [
    updatesIncrease,
    subscribers,
    exists,
    pods,
    podsChanges,
    lagP50,
    lagP99,
    getP99,
    successRate,
    rps,
    p50,
    p95,
    p99,
    updatesSeries,
    subscribersSeries,
    podsSeries,
    lagSeries,
    successSeries,
    podStarts,
  ] = await Promise.all([
    instant('updatesIncrease'),
    instant('subscribers'),
    instant('exists'),
    instant('pods'),
    instant('podsChanges'),
    instant('informerLagP50'),
    instant('informerLagP99'),
    instant('getHandlingP99'),
    wantGolden ? instant('successRate') : null,
    wantGolden ? instant('rps') : null,
    wantGolden ? instant('latencyP50') : null,
    wantGolden ? instant('latencyP95') : null,
    wantGolden ? instant('latencyP99') : null,
    range('updates'),
    range('subscribers'),
    range('pods'),
    range('informerLagP99'),
    wantGolden ? range('successRate') : null,
    wantGolden ? range('podStarts') : null,
  ]);
  // Keep the record in a stable order (the order the queries are declared in).
  const order = [...Object.keys(iq), ...Object.keys(rq).map((k) => `${k} (range)`)];
  data.queries = queries.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  data.stepSeconds = stepSeconds;

  const moved = updatesSeries ? lastMovedAt(updatesSeries) : null;
  data.destination = {
    scraped: probe.ok ? scrapedCount !== null && scrapedCount > 0 : null,
    // increase() needs two samples in the window; a series younger than that reads from the range.
    updatesIncrease: updatesIncrease ?? (updatesSeries ? counterGrowth(updatesSeries) : null),
    updatesLastMovedAt: moved === null ? null : new Date(moved).toISOString(),
    subscribers,
    exists: exists === null ? null : exists > 0,
    pods,
    podsChanges,
    informerLagP50Seconds: lagP50,
    informerLagP99Seconds: lagP99,
    getHandlingP99Seconds: getP99,
  };
  data.golden = { successRate, rps, latencyMs: { p50, p95, p99 } };
  const firstUpdatesPoint = await firstSampleAt(prom, target, updatesSeries, stepSeconds, queries);
  data.podChanges = podStarts
    ? podChangesFrom(podStarts, {
        fromMs: from.getTime(),
        toMs: to.getTime(),
        stepSeconds,
        settleSeconds: input.settleSeconds ?? DEFAULT_SETTLE_SECONDS,
        ...(firstUpdatesPoint !== undefined && Number.isFinite(firstUpdatesPoint)
          ? { sinceMs: firstUpdatesPoint }
          : {}),
      })
    : null;

  data.series = chartSeries({ updatesSeries, podsSeries, subscribersSeries, lagSeries, successSeries });

  const interpretation = interpretMetrics(target, data, kube.findings);
  const findings = interpretation.findings;

  const result: StepResult<MetricsData> = {
    step: 'metrics',
    target: formatServiceTarget(target),
    status: worstStatus(statusFromFindings(findings)),
    summary: interpretation.summary,
    findings,
    evidence: evidenceOf(data),
    next: interpretation.next,
    data,
    startedAt: startedAt.toISOString(),
    durationMs: 0,
  };

  result.durationMs = Date.now() - startedAt.getTime();
  return result;
}

/** Runs the step's queries, recording each (and its error) for `data.queries`; a failed one reads null. */
function queryRecorder(
  prom: PrometheusClient,
  q: { iq: InstantQueries; rq: RangeQueries; from: Date; to: Date; stepSeconds: number },
  queries: QueryRecord[],
): {
  instant(name: keyof InstantQueries): Promise<number | null>;
  range(name: keyof RangeQueries): Promise<RangeResult['series'] | null>;
} {
  return {
    async instant(name) {
      const rec: QueryRecord = { name, promql: q.iq[name] };
      queries.push(rec);
      const r: Outcome<InstantResult> = await attempt(prom.query(q.iq[name], { time: q.to }));
      if (!r.ok) {
        rec.error = r.error;
        return null;
      }
      return scalarOf(r.value.samples);
    },
    async range(name) {
      const rec: QueryRecord = { name: `${name} (range)`, promql: q.rq[name] };
      queries.push(rec);
      const r = await attempt(
        prom.queryRange(q.rq[name], { start: q.from, end: q.to, stepSeconds: q.stepSeconds }),
      );
      if (!r.ok) {
        rec.error = r.error;
        return null;
      }
      return r.value.series;
    },
  };
}

type RangeSeries = RangeResult['series'] | null;

/** The series front ends draw, summed over pods, in the order of the chart's panels. */
function chartSeries(s: {
  updatesSeries: RangeSeries;
  podsSeries: RangeSeries;
  subscribersSeries: RangeSeries;
  lagSeries: RangeSeries;
  successSeries: RangeSeries;
}): ChartSeries[] {
  const series: ChartSeries[] = [];
  if (s.updatesSeries)
    series.push({
      key: 'updates',
      label: 'endpoints_updates',
      unit: 'count',
      points: sumSeries(s.updatesSeries),
    });
  if (s.podsSeries)
    series.push({ key: 'pods', label: 'endpoints_pods', unit: 'pods', points: sumSeries(s.podsSeries) });
  if (s.subscribersSeries) {
    series.push({
      key: 'subscribers',
      label: 'endpoints_subscribers',
      unit: 'streams',
      points: sumSeries(s.subscribersSeries),
    });
  }
  if (s.lagSeries) {
    series.push({
      key: 'informerLagP99',
      label: 'informer lag p99',
      unit: 's',
      points: sumSeries(s.lagSeries),
    });
  }
  if (s.successSeries) {
    series.push({
      key: 'successRate',
      label: 'inbound success rate',
      unit: '%',
      points: sumSeries(s.successSeries),
    });
  }
  return series;
}

/**
 * When the service's endpoints_updates series began (ms): the first point of the range query is
 * up to one step after the first sample; the raw samples just before it give the exact time.
 */
async function firstSampleAt(
  prom: PrometheusClient,
  target: ServiceTarget,
  updatesSeries: Series[] | null,
  stepSeconds: number,
  queries: QueryRecord[],
): Promise<number | undefined> {
  const firstPoint = Math.min(
    ...(updatesSeries ?? []).map((s) => s.points[0]?.t ?? Number.POSITIVE_INFINITY),
  );
  if (!Number.isFinite(firstPoint)) return undefined;
  const rec: QueryRecord = { name: 'updatesFirstSample', promql: updatesRawSamples(target, 2 * stepSeconds) };
  queries.push(rec);
  try {
    const raw = await prom.query(rec.promql, { time: new Date(firstPoint) });
    const first = Math.min(...raw.series.map((s) => s.points[0]?.t ?? Number.POSITIVE_INFINITY));
    return Number.isFinite(first) ? first : firstPoint - stepSeconds * 1000;
  } catch (err) {
    rec.error = describeError(err).message;
    return firstPoint - stepSeconds * 1000;
  }
}

async function attemptRaw<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

function num(v: number | null, digits = 0, unit = ''): string {
  return v === null ? 'no data' : `${v.toFixed(digits)}${unit}`;
}

function evidenceOf(data: MetricsData): EvidenceTable[] {
  const d = data.destination;
  const g = data.golden;
  const window = formatDuration(data.windowSeconds);
  const tables: EvidenceTable[] = [
    {
      title: `Destination controller (over ${window})`,
      columns: ['metric', 'value'],
      rows: [
        ['endpoints_updates increase', num(d.updatesIncrease, 1)],
        [
          'endpoints_updates last moved',
          d.updatesLastMovedAt ?? (d.updatesIncrease === null ? 'no data' : 'not in the window'),
        ],
        ['endpoints_subscribers', num(d.subscribers)],
        ['endpoints_exists', d.exists === null ? 'no data' : String(d.exists)],
        ['endpoints_pods', num(d.pods)],
        ['ready pods in Kubernetes now', data.workloads ? String(data.workloads.readyPods) : 'unknown'],
        ['endpoints_pods changes', num(d.podsChanges)],
        [
          'informer lag p50 / p99',
          `${num(d.informerLagP50Seconds, 2, 's')} / ${num(d.informerLagP99Seconds, 2, 's')}`,
        ],
        ['Get handling p99 (stream lifetime)', num(d.getHandlingP99Seconds, 2, 's')],
      ],
    },
    {
      title: `Golden metrics, inbound (over ${window})`,
      columns: ['metric', 'value'],
      rows: [
        ['workloads', data.workloads ? data.workloads.deployments.join(', ') || '(none found)' : 'unknown'],
        ['success rate', g.successRate === null ? 'no data' : `${(g.successRate * 100).toFixed(2)}%`],
        ['requests per second', num(g.rps, 2)],
        [
          'latency p50 / p95 / p99',
          `${num(g.latencyMs.p50, 0, 'ms')} / ${num(g.latencyMs.p95, 0, 'ms')} / ${num(g.latencyMs.p99, 0, 'ms')}`,
        ],
      ],
    },
  ];
  if (data.podChanges && data.podChanges.changes.length > 0) {
    tables.push({
      title: "Pod changes in the window (from the proxies' process_start_time_seconds)",
      columns: ['pod', 'change', 'at'],
      rows: data.podChanges.changes.map((c) => [c.pod, c.change, c.at]),
    });
  }
  return tables;
}
