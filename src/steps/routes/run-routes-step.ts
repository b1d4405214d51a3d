/**
 * The routes step: per-route success rate, RPS and p50/p95/p99 latency of one service, from
 * Prometheus, as `linkerd viz routes` presents them, for the route models Linkerd has had:
 * ServiceProfile routes (`route_*` metrics, `rt_route`), HTTPRoutes (`gateway.networking.k8s.io`
 * and `policy.linkerd.io`, the proxy's `outbound_http_route_*` metrics) and Gateway API GRPCRoutes
 * (`outbound_grpc_route_*`). It says which models the service's objects use (and which route
 * kinds the cluster does not serve), shows each model that exists, shows requests that match no
 * route as `[DEFAULT]`, and judges each route against thresholds. Prometheus missing or unreachable is an
 * `error` result with a finding, never a throw.
 */
import type { KubeAdapter } from '../../adapters/kube/kube-adapter.js';
import {
  HTTP_ROUTE_GROUPS,
  type KubeGrpcRoute,
  type KubeHttpRoute,
  type KubeServiceProfile,
  type RouteObjectReader,
} from '../../adapters/kube/route-objects.js';
import type { PrometheusClient } from '../../adapters/prometheus/prometheus-client.js';
import { PrometheusQueryError } from '../../adapters/prometheus/prometheus-errors.js';
import type { Sample } from '../../adapters/prometheus/prometheus-responses.js';
import {
  statusFromFindings,
  type EvidenceTable,
  type Finding,
  type NextStep,
  type StepResult,
} from '../../domain/step-result.js';
import { describeError, MeshbotError } from '../../errors.js';
import { formatDuration } from '../../grammar/duration.js';
import { meshCommands } from '../../grammar/mesh-commands.js';
import { formatServiceTarget, type ServiceTarget } from '../../grammar/targets.js';
import { formatMs, formatPercent, formatRps, orDash } from './format-route-values.js';
import { judgeRoutes } from './judge-routes.js';
import { QUANTILES, routeQueries, serviceFqdn, type Quantile } from './route-queries.js';
import { grpcRouteRows, httpRouteRows, profileRows, type QuantileSamples } from './route-rows.js';
import {
  DEFAULT_ROUTE,
  DEFAULT_ROUTE_THRESHOLDS,
  MODEL_LABELS,
  type RouteModel,
  type RouteRow,
  type RoutesData,
  type RoutesQueryRecord,
  type RouteThresholds,
} from './routes-types.js';

export interface RoutesStepInput {
  target: ServiceTarget;
  windowSeconds: number;
  thresholds?: Partial<RouteThresholds>;
  /** Default `cluster.local`. */
  clusterDomain?: string;
  /** End of the window; default now. */
  now?: Date;
}

export interface RoutesAdapters {
  /** The cluster's name in the adapter pool, recorded in the result. */
  cluster?: string;
  prometheus?: PrometheusClient;
  kube: Pick<KubeAdapter, 'getService'>;
  routes: RouteObjectReader;
}

const MODEL_NAMES: Record<RouteModel, string> = {
  'service-profile': 'ServiceProfile (linkerd.io/v1alpha2)',
  'http-route': 'HTTPRoute (gateway.networking.k8s.io/v1, policy.linkerd.io/v1beta3)',
  'grpc-route': 'GRPCRoute (gateway.networking.k8s.io/v1)',
};

interface RouteObjects {
  profile: KubeServiceProfile | undefined;
  httpRoutes: KubeHttpRoute[];
  grpcRoutes: KubeGrpcRoute[];
  /** Route resources (`PLURAL.GROUP`) the cluster does not serve: their CRDs are not installed. */
  notServed: string[];
}

/** Does the HTTPRoute or GRPCRoute name the service as a parent? */
function hasServiceParent(r: KubeHttpRoute | KubeGrpcRoute, t: ServiceTarget): boolean {
  return r.parentRefs.some(
    (p) =>
      (p.group === '' || p.group === 'core') &&
      p.kind === 'Service' &&
      p.name === t.service &&
      p.namespace === t.namespace,
  );
}

async function readRouteObjects(
  adapters: RoutesAdapters,
  t: ServiceTarget,
  domain: string,
): Promise<RouteObjects> {
  const [profile, grpcRoutes, ...routeLists] = await Promise.all([
    adapters.routes.getServiceProfile(t.namespace, t.service, domain),
    adapters.routes.listGrpcRoutes(t.namespace),
    ...HTTP_ROUTE_GROUPS.map((g) => adapters.routes.listHttpRoutes(t.namespace, g)),
  ]);
  return {
    profile: profile.value,
    httpRoutes: routeLists.flatMap((l) => l.value).filter((r) => hasServiceParent(r, t)),
    grpcRoutes: grpcRoutes.value.filter((r) => hasServiceParent(r, t)),
    notServed: [profile, ...routeLists, grpcRoutes].filter((r) => !r.served).map((r) => r.resource),
  };
}

function result(
  target: ServiceTarget,
  startedAt: Date,
  findings: Finding[],
  data: RoutesData,
  extra: { summary: string; status?: StepResult['status']; evidence?: EvidenceTable[]; next?: NextStep[] },
): StepResult<RoutesData> {
  return {
    step: 'routes',
    target: formatServiceTarget(target),
    status: extra.status ?? statusFromFindings(findings),
    summary: extra.summary,
    findings,
    evidence: extra.evidence ?? [],
    next: extra.next ?? [],
    data,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
}

function errorFinding(err: unknown, code: string, subject?: string): Finding {
  const { message, hint } = describeError(err);
  return { severity: 'error', code, message, ...(hint ? { hint } : {}), ...(subject ? { subject } : {}) };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

export async function runRoutesStep(
  input: RoutesStepInput,
  adapters: RoutesAdapters,
): Promise<StepResult<RoutesData>> {
  const startedAt = new Date();
  const { target, windowSeconds } = input;
  const domain = input.clusterDomain ?? 'cluster.local';
  const thresholds: RouteThresholds = { ...DEFAULT_ROUTE_THRESHOLDS, ...input.thresholds };
  const svc = formatServiceTarget(target);
  const data: RoutesData = {
    cluster: adapters.cluster ?? 'default',
    prometheusUrl: adapters.prometheus?.url ?? '(none)',
    windowSeconds,
    models: [],
    serviceProfile: null,
    httpRoutes: [],
    grpcRoutes: [],
    notServed: [],
    rows: [],
    thresholds,
    queries: [],
  };

  // Kubernetes: the service, and the objects that define its routes.
  let objects: RouteObjects;
  try {
    const [service, read] = await Promise.all([
      adapters.kube.getService(target.namespace, target.service),
      readRouteObjects(adapters, target, domain),
    ]);
    if (!service) {
      return result(
        target,
        startedAt,
        [
          {
            severity: 'fail',
            code: 'service-not-found',
            message: `Kubernetes has no service ${svc}`,
            hint: `Check the name and namespace (kubectl get svc -n ${target.namespace}).`,
          },
        ],
        data,
        { summary: `Kubernetes has no service ${svc}` },
      );
    }
    objects = read;
  } catch (err) {
    const finding = errorFinding(err, 'kubernetes-unreadable');
    return result(target, startedAt, [finding], data, { summary: finding.message, status: 'error' });
  }
  if (objects.profile) {
    data.models.push('service-profile');
    data.serviceProfile = { name: objects.profile.name, routes: objects.profile.routes.length };
  }
  if (objects.httpRoutes.length) data.models.push('http-route');
  if (objects.grpcRoutes.length) data.models.push('grpc-route');
  const ref = (r: KubeHttpRoute | KubeGrpcRoute) => ({
    group: r.group,
    name: r.name,
    namespace: r.namespace,
  });
  data.httpRoutes = objects.httpRoutes.map(ref);
  data.grpcRoutes = objects.grpcRoutes.map(ref);
  data.notServed = objects.notServed;
  // What Kubernetes said: the models the service uses, and those the cluster cannot have.
  const modelFindings = [describeModels(target, objects, domain), ...notServedFindings(objects.notServed)];

  // Prometheus.
  const prom = adapters.prometheus;
  if (!prom) {
    const finding: Finding = {
      severity: 'error',
      code: 'prometheus-not-configured',
      message: 'No Prometheus is configured for the routes step',
      hint: 'Give its URL with --prometheus URL (linkerd-viz: http://prometheus.linkerd-viz.svc.cluster.local:9090).',
    };
    return result(target, startedAt, [finding, ...modelFindings], data, {
      summary: finding.message,
      status: 'error',
    });
  }
  const q = routeQueries(target, windowSeconds, domain);
  const time = input.now ?? new Date();
  const ask = async (name: string, promql: string): Promise<Settled<Sample[]>> => {
    const rec: RoutesQueryRecord = { name, promql };
    data.queries.push(rec);
    const r = await settle(prom.query(promql, { time }));
    if (!r.ok) {
      rec.error = describeError(r.error).message;
      return r;
    }
    return { ok: true, value: r.value.samples };
  };
  const askQuantiles = (name: string, byQ: Record<Quantile, string>): Promise<Array<Settled<Sample[]>>> =>
    Promise.all(QUANTILES.map((quantile) => ask(`${name} p${Math.round(quantile * 100)}`, byQ[quantile])));
  const [spResponses, spLatency, hrStatuses, hrLatency, grStatuses, grLatency] = await Promise.all([
    ask('profileResponses', q.profileResponses),
    askQuantiles('profileLatency', q.profileLatency),
    ask('httpRouteStatuses', q.httpRouteStatuses),
    askQuantiles('httpRouteLatency', q.httpRouteLatency),
    ask('grpcRouteStatuses', q.grpcRouteStatuses),
    askQuantiles('grpcRouteLatency', q.grpcRouteLatency),
  ]);
  const all = [spResponses, ...spLatency, hrStatuses, ...hrLatency, grStatuses, ...grLatency];
  const unreachable = all.find(
    (r) => !r.ok && !(r.error instanceof PrometheusQueryError && r.error.kind !== 'timeout'),
  );
  if (unreachable && !unreachable.ok) {
    const err = unreachable.error;
    const finding = errorFinding(
      err,
      err instanceof MeshbotError && err.kind === 'timeout' ? 'prometheus-timeout' : 'prometheus-unreachable',
      prom.url,
    );
    return result(target, startedAt, [finding, ...modelFindings], data, {
      summary: finding.message,
      status: 'error',
    });
  }
  const samples = (r: Settled<Sample[]>): Sample[] => (r.ok ? r.value : []);
  const quantiles = (rs: Array<Settled<Sample[]>>): QuantileSamples =>
    Object.fromEntries(QUANTILES.map((quantile, i) => [quantile, samples(rs[i]!)])) as QuantileSamples;

  const findings: Finding[] = [...modelFindings];
  for (const rec of data.queries.filter((r) => r.error !== undefined)) {
    findings.push({
      severity: 'warn',
      code: 'query-failed',
      message: `Prometheus could not answer ${rec.name}: ${rec.error}`,
    });
  }
  if (objects.profile) {
    data.rows.push(
      ...profileRows(
        target.service,
        objects.profile,
        samples(spResponses),
        quantiles(spLatency),
        windowSeconds,
      ),
    );
  }
  const hr = httpRouteRows(
    target.service,
    objects.httpRoutes,
    samples(hrStatuses),
    quantiles(hrLatency),
    windowSeconds,
  );
  // With neither model, today's proxies still report every request under their default route:
  // show that [DEFAULT] row when it has traffic.
  if (objects.httpRoutes.length) data.rows.push(...hr);
  else if (!objects.profile && !objects.grpcRoutes.length)
    data.rows.push(...hr.filter((r) => r.requests > 0));
  if (objects.grpcRoutes.length) {
    data.rows.push(
      ...grpcRouteRows(
        target.service,
        objects.grpcRoutes,
        samples(grStatuses),
        quantiles(grLatency),
        windowSeconds,
      ),
    );
  }

  findings.push(...judgeRoutes(data.rows, thresholds));
  if (data.rows.length > 0 && data.rows.every((r) => r.requests === 0)) {
    findings.push({
      severity: 'info',
      code: 'no-route-traffic',
      message: `Prometheus has no route metrics for ${svc} over the last ${formatDuration(windowSeconds)}`,
      hint: 'No requests reached the service in the window, or its proxies are not scraped; try a longer --window.',
    });
  }
  const failing = data.rows.filter((r) => r.verdict !== undefined);
  const next: NextStep[] = failing.length
    ? [
        { label: `Pods of ${svc}: restarts and warnings`, command: meshCommands.events(target) },
        { label: `Golden metrics of ${svc}`, command: meshCommands.metrics(target) },
      ]
    : [];
  return result(target, startedAt, findings, data, {
    summary: summarize(svc, data, failing),
    evidence: evidenceOf(data),
    next,
  });
}

function describeModels(t: ServiceTarget, o: RouteObjects, domain: string): Finding {
  const svc = formatServiceTarget(t);
  const parts: string[] = [];
  const used: RouteModel[] = [];
  if (o.profile) {
    used.push('service-profile');
    parts.push(
      `ServiceProfile ${o.profile.name} (${o.profile.routes.length} route${o.profile.routes.length === 1 ? '' : 's'})`,
    );
  }
  const routeList = (label: string, routes: Array<KubeHttpRoute | KubeGrpcRoute>): string =>
    `${routes.length} ${label}${routes.length === 1 ? '' : 's'} (${routes.map((r) => `${r.name}.${r.group}`).join(', ')})`;
  if (o.httpRoutes.length) {
    used.push('http-route');
    parts.push(routeList('HTTPRoute', o.httpRoutes));
  }
  if (o.grpcRoutes.length) {
    used.push('grpc-route');
    parts.push(routeList('GRPCRoute', o.grpcRoutes));
  }
  if (parts.length === 0) {
    return {
      severity: 'info',
      code: 'no-routes-defined',
      message: `${svc} has no ServiceProfile (${serviceFqdn(t, domain)}) and no HTTPRoute or GRPCRoute with it as parent: every request is [DEFAULT]`,
      hint: 'Define routes with a ServiceProfile (linkerd profile), or an HTTPRoute or GRPCRoute whose parentRef is the Service.',
    };
  }
  // Which model the proxies follow when several exist (linkerd2-proxy's logical router;
  // policy-controller/grpc/src/outbound.rs to_proto).
  const hints: string[] = [];
  if (o.profile && used.length > 1) {
    hints.push(
      "Where a ServiceProfile exists, Linkerd's proxies route by it and ignore the service's HTTPRoutes and GRPCRoutes.",
    );
  }
  if (o.grpcRoutes.length && o.httpRoutes.length) {
    hints.push(
      "Where a GRPCRoute has the service as parent, Linkerd's policy controller serves the port as gRPC and its HTTPRoutes are not used (unless the port's appProtocol is HTTP/1).",
    );
  }
  const many = used.length === 2 ? 'both route models' : `${used.length} route models`;
  return {
    severity: 'info',
    code: 'route-model',
    message: `${svc} uses ${used.length > 1 ? many : MODEL_NAMES[used[0]!]}: ${parts.join(' and ')}`,
    ...(hints.length ? { hint: hints.join(' ') } : {}),
  };
}

/** How a person names each route resource, and where its CRD comes from. */
const ROUTE_RESOURCES: Record<string, { kind: string; install: string }> = {
  'serviceprofiles.linkerd.io': {
    kind: 'ServiceProfile',
    install: "Linkerd's CRDs (linkerd install --crds | kubectl apply -f -, or the linkerd-crds chart)",
  },
  'httproutes.policy.linkerd.io': {
    kind: 'HTTPRoute',
    install: "Linkerd's CRDs (linkerd install --crds | kubectl apply -f -, or the linkerd-crds chart)",
  },
  'httproutes.gateway.networking.k8s.io': {
    kind: 'HTTPRoute',
    install: "the Gateway API's CRDs (its standard install, or linkerd-crds with installGatewayAPI=true)",
  },
  'grpcroutes.gateway.networking.k8s.io': {
    kind: 'GRPCRoute',
    install: "the Gateway API's CRDs (its standard install, or linkerd-crds with installGatewayAPI=true)",
  },
};

/** One finding naming the route resources the cluster does not serve, and what installs them. */
function notServedFindings(notServed: string[]): Finding[] {
  if (!notServed.length) return [];
  const names = notServed.map((r) => `${ROUTE_RESOURCES[r]?.kind ?? r} (${r})`);
  const one = notServed.length === 1;
  const installs = [...new Set(notServed.map((r) => ROUTE_RESOURCES[r]?.install).filter((x) => x))];
  return [
    {
      severity: 'info',
      code: 'route-kinds-not-served',
      message: `This cluster does not serve ${names.join(', ')}: ${one ? 'its CRD is' : 'their CRDs are'} not installed, so the service can have no routes of ${one ? 'that kind' : 'those kinds'}`,
      hint: `To define such routes, install ${installs.join('; and ')}.`,
    },
  ];
}

function summarize(svc: string, data: RoutesData, failing: RouteRow[]): string {
  const window = formatDuration(data.windowSeconds);
  const routes = data.rows.filter((r) => r.route !== DEFAULT_ROUTE).length;
  const models = data.models.length
    ? data.models.map((m) => MODEL_LABELS[m]).join(' + ')
    : 'no routes defined';
  const head = `${svc} over ${window}: ${routes} route${routes === 1 ? '' : 's'} (${models})`;
  if (!failing.length) return `${head}, all within thresholds`;
  const worst = failing
    .slice(0, 3)
    .map((r) =>
      r.verdict === 'fail' && r.successRate !== null
        ? `${r.route} ${formatPercent(r.successRate)}`
        : `${r.route} p99 ${orDash(r.latencyMs.p99, formatMs)}`,
    );
  return `${head}; ${failing.length} crossing thresholds: ${worst.join(', ')}`;
}

function rowCells(r: RouteRow): string[] {
  const has = r.requests > 0;
  return [
    r.route,
    r.service,
    has ? orDash(r.successRate, formatPercent) : '-',
    has ? orDash(r.rps, formatRps) : '-',
    has ? orDash(r.latencyMs.p50, formatMs) : '-',
    has ? orDash(r.latencyMs.p95, formatMs) : '-',
    has ? orDash(r.latencyMs.p99, formatMs) : '-',
  ];
}

const COLUMNS = ['ROUTE', 'SERVICE', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99'];

function evidenceOf(data: RoutesData): EvidenceTable[] {
  const window = formatDuration(data.windowSeconds);
  const tables: EvidenceTable[] = [];
  const sp = data.rows.filter((r) => r.model === 'service-profile');
  if (sp.length) {
    tables.push({
      title: `ServiceProfile ${data.serviceProfile?.name ?? ''} routes (over ${window})`,
      columns: [...COLUMNS, 'VERDICT'],
      rows: sp.map((r) => [...rowCells(r), r.verdict ?? '']),
    });
  }
  for (const model of ['http-route', 'grpc-route'] as const) {
    const outbound = data.rows.filter((r) => r.model === model);
    if (!outbound.length) continue;
    tables.push({
      title: `${MODEL_LABELS[model]} routes (outbound, over ${window})`,
      columns: [COLUMNS[0]!, 'KIND', ...COLUMNS.slice(1), 'VERDICT'],
      rows: outbound.map((r) => {
        const cells = rowCells(r);
        return [cells[0]!, r.kind ?? '', ...cells.slice(1), r.verdict ?? ''];
      }),
    });
  }
  const defined = data.rows.filter((r) => r.matches);
  if (defined.length) {
    tables.push({
      title: 'Route definitions',
      columns: ['ROUTE', 'MODEL', 'MATCHES'],
      rows: defined.map((r) => [r.route, r.kind ?? MODEL_LABELS[r.model], r.matches!]),
    });
  }
  return tables;
}
