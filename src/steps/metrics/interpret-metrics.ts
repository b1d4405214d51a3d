/**
 * What the numbers mean: findings with a severity, a one-line summary and next steps, from the
 * readings alone (pure, so every rule is tested on its own). Thresholds are documented in
 * docs/metrics.md.
 */
import type { Finding, NextStep } from '../../domain/step-result.js';
import { formatDuration } from '../../grammar/duration.js';
import { meshCommands } from '../../grammar/mesh-commands.js';
import { formatServiceTarget, type ServiceTarget } from '../../grammar/targets.js';
import { THRESHOLDS, type MetricsData } from './metrics-types.js';

const DOCS_DESTINATION = 'https://linkerd.io/2/reference/architecture/#the-destination-service';

export interface Interpretation {
  findings: Finding[];
  summary: string;
  next: NextStep[];
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x >= 0.999 || x === 0 ? 0 : 1)}%`;
}

function secs(x: number): string {
  return x < 1 ? `${Math.round(x * 1000)}ms` : `${x.toFixed(x < 10 ? 1 : 0)}s`;
}

/** Round a counter increase for a person: "about 3", "0". */
function count(x: number): string {
  return x < THRESHOLDS.updatesMoved ? '0' : String(Math.round(x));
}

export function interpretMetrics(
  target: ServiceTarget,
  data: MetricsData,
  extra: Finding[] = [],
): Interpretation {
  const svc = formatServiceTarget(target);
  const serviceOnly = { service: target.service, namespace: target.namespace };
  const window = formatDuration(data.windowSeconds);
  const d = data.destination;
  const findings: Finding[] = [...extra];
  const next: NextStep[] = [];

  const failed = data.queries.filter((q) => q.error !== undefined);
  if (failed.length > 0) {
    findings.push({
      severity: 'error',
      code: 'prometheus-query-error',
      message: `${failed.length} of ${data.queries.length} Prometheus queries failed; the first: ${failed[0]!.error}`,
      hint: `Failed: ${failed.map((q) => q.name).join(', ')}. The numbers they feed are shown as "no data".`,
      subject: failed[0]!.promql,
    });
  }

  // Is the destination controller scraped at all, and does it know this service?
  const hasServiceSeries = d.updatesIncrease !== null || d.subscribers !== null || d.pods !== null;
  if (d.scraped === false) {
    findings.push({
      severity: 'warn',
      code: 'destination-not-scraped',
      message: `Prometheus at ${data.prometheusUrl} has no destination-controller series (endpoints_updates) at all`,
      hint: "linkerd-viz's Prometheus scrapes the controller's admin port 9996 (job linkerd-controller); check its scrape config and targets page.",
      docsUrl: 'https://linkerd.io/2/tasks/external-prometheus/',
    });
  } else if (d.scraped === true && !hasServiceSeries) {
    findings.push({
      severity: 'warn',
      code: 'no-destination-series',
      message: `The destination controller has no series for ${svc}: no proxy has asked for it since the controller started`,
      hint: 'The controller creates endpoints_* series for a service with its first subscription. Are its clients meshed? Is the name right?',
    });
  }

  // The core rule: pods came and went, the controller's update counter stayed flat.
  const changes = data.podChanges?.changes ?? [];
  if (changes.length > 0 && d.updatesIncrease !== null && d.updatesIncrease < THRESHOLDS.updatesMoved) {
    findings.push({
      severity: 'fail',
      code: 'updates-not-moving',
      message: `Pods of ${svc} changed ${changes.length} time${changes.length === 1 ? '' : 's'} in the last ${window} but endpoints_updates did not move`,
      hint:
        "The destination controller is not processing this service's endpoint changes: proxies keep routing to the address set they last got (stale endpoints: traffic to gone pods, none to new ones). " +
        'Compare what it serves with Kubernetes (endpoints), then restart the destination pods to recover.',
      docsUrl: DOCS_DESTINATION,
    });
    next.push(
      { label: 'Compare the destination with Kubernetes', command: meshCommands.endpoints(serviceOnly) },
      { label: 'Time a propagation end to end', command: meshCommands.scaleTest(serviceOnly) },
    );
  }

  if (d.exists === false) {
    findings.push({
      severity: 'warn',
      code: 'controller-says-missing',
      message: `The destination controller believes ${svc} does not exist (endpoints_exists is 0)`,
      hint: data.workloads
        ? 'Kubernetes has the service: the controller missed its creation. Compare with: endpoints ' + svc
        : 'Check that the service exists in Kubernetes.',
    });
  }

  if (d.subscribers !== null && d.subscribers < 0.5) {
    findings.push({
      severity: 'warn',
      code: 'no-subscribers',
      message: `No proxy is subscribed to ${svc} now (endpoints_subscribers is 0)`,
      hint: 'No meshed client resolves this service through the destination at the moment: either nothing calls it, or its clients are not meshed. Updates for it reach nobody.',
    });
  }

  if (d.informerLagP99Seconds !== null && d.informerLagP99Seconds > THRESHOLDS.informerLagP99Seconds) {
    findings.push({
      severity: 'warn',
      code: 'informer-lag',
      message: `The destination controller sees EndpointSlice changes ${secs(d.informerLagP99Seconds)} late (p99 over ${window}; p50 ${d.informerLagP50Seconds === null ? 'n/a' : secs(d.informerLagP50Seconds)})`,
      hint: `Above ${THRESHOLDS.informerLagP99Seconds}s, proxies learn of new and removed pods that late: requests go to terminated pods and new pods wait for traffic. Usually the API server is slow or the controller is starved (CPU throttling, too many watches).`,
      docsUrl: DOCS_DESTINATION,
    });
  }

  const g = data.golden;
  if (g.successRate !== null && g.successRate < THRESHOLDS.successRate) {
    findings.push({
      severity: 'warn',
      code: 'low-success-rate',
      message: `Inbound success rate of ${svc}'s pods is ${pct(g.successRate)} over ${window}`,
      hint: `Below ${pct(THRESHOLDS.successRate)}. Failures are responses the proxy classified as failures (5xx, gRPC errors).`,
    });
  }
  if (data.workloads && data.workloads.deployments.length > 0 && (g.rps === null || g.rps === 0)) {
    findings.push({
      severity: 'info',
      code: 'no-inbound-traffic',
      message: `No inbound requests reached ${svc}'s pods in the last ${window} (per their proxies)`,
    });
  }

  if (!next.some((n) => n.command?.name === 'endpoints') && findings.some((f) => f.severity !== 'info')) {
    next.push({
      label: 'Compare the destination with Kubernetes',
      command: meshCommands.endpoints(serviceOnly),
    });
  }

  return { findings, summary: summarize(svc, window, data, findings), next };
}

function summarize(svc: string, window: string, data: MetricsData, findings: Finding[]): string {
  const worst = findings.find((f) => f.severity === 'fail') ?? findings.find((f) => f.severity === 'error');
  if (worst) return worst.message;
  const d = data.destination;
  const g = data.golden;
  const parts: string[] = [];
  if (d.updatesIncrease !== null) {
    const moved = d.updatesLastMovedAt ? `, last ${agoOf(d.updatesLastMovedAt, data.to)}` : '';
    parts.push(`${count(d.updatesIncrease)} endpoint updates${moved}`);
  }
  if (d.subscribers !== null) {
    const n = Math.round(d.subscribers);
    parts.push(`${n} subscriber${n === 1 ? '' : 's'}`);
  }
  if (d.informerLagP99Seconds !== null) parts.push(`informer lag p99 ${secs(d.informerLagP99Seconds)}`);
  if (g.successRate !== null) parts.push(`success ${pct(g.successRate)}`);
  if (g.rps !== null) parts.push(`${g.rps.toFixed(1)} rps`);
  if (g.latencyMs.p99 !== null) parts.push(`p99 ${Math.round(g.latencyMs.p99)}ms`);
  const body = parts.length ? parts.join(', ') : 'no data';
  return `${svc} over ${window}: ${body}`;
}

function agoOf(iso: string, nowIso: string): string {
  const s = Math.max(0, (Date.parse(nowIso) - Date.parse(iso)) / 1000);
  return `${formatDuration(Math.round(s))} ago`;
}
