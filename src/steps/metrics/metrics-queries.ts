/**
 * Every PromQL query of the metrics step, in one place, each with what it answers.
 *
 * Label names follow what linkerd-viz's Prometheus stores:
 * - destination controller (admin port 9996): `endpoints_*{namespace, service, port, ...}` per
 *   service port the controller watches (the series exist once a proxy has subscribed);
 *   informer lag and gRPC histograms are process-wide (no service label);
 * - proxies (job linkerd-proxy, relabelled from the pod): `namespace`, `pod`, `deployment`, and
 *   `direction`, `classification`, `authority` from the proxy itself.
 *
 * Windows are written in seconds (`[1800s]`). Label values are escaped; regex values quoted.
 */
import type { ServiceTarget } from '../../grammar/targets.js';

/** A label value inside `"..."`: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** RE2 metacharacters escaped, so a name matches itself only. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type Matcher = string | { re: string };

/** `{a="x",b=~"y|z"}` from a map; regex values are given as `{ re }` and not escaped again. */
export function selector(matchers: Record<string, Matcher>): string {
  const parts = Object.entries(matchers).map(([name, m]) =>
    typeof m === 'string' ? `${name}="${escapeLabelValue(m)}"` : `${name}=~"${escapeLabelValue(m.re)}"`,
  );
  return `{${parts.join(',')}}`;
}

/** A duration in PromQL syntax, whole seconds. */
export function promDuration(seconds: number): string {
  return `${Math.max(1, Math.round(seconds))}s`;
}

/**
 * The destination controller's per-service series of the target. A numeric port narrows to that
 * port (the `port` label holds the service port number); a named port cannot be matched there, so
 * every port of the service is read.
 */
export function destinationSelector(target: ServiceTarget): string {
  const m: Record<string, Matcher> = { namespace: target.namespace, service: target.service };
  if (typeof target.port === 'number') m.port = String(target.port);
  return selector(m);
}

/** Inbound proxy series of the pods of the given deployments (the service's workloads). */
export function inboundSelector(
  namespace: string,
  deployments: string[],
  extra: Record<string, Matcher> = {},
): string {
  const re = deployments.length ? deployments.map(escapeRegex).join('|') : '$^'; // `$^` matches nothing
  return selector({ direction: 'inbound', namespace, deployment: { re }, ...extra });
}

/** Process-level proxy series (one per pod, present whether or not the pod gets traffic). */
export function podSelector(namespace: string, deployments: string[]): string {
  const re = deployments.length ? deployments.map(escapeRegex).join('|') : '$^';
  return selector({ namespace, deployment: { re } });
}

/** `histogram_quantile(q, sum by (le) (rate(BUCKET[W])))`: a quantile of a histogram over a window. */
export function quantile(q: number, bucketSeries: string, window: string): string {
  return `histogram_quantile(${q}, sum by (le) (rate(${bucketSeries}[${window}])))`;
}

export interface InstantQueries {
  /** How many endpoint updates the controller processed for the service in the window. */
  updatesIncrease: string;
  /** Proxies subscribed to the service now (streams open on Get). */
  subscribers: string;
  /** 1 when the controller believes the service exists, 0 when not. */
  exists: string;
  /** Pods the controller holds for the service now. */
  pods: string;
  /** How often the controller's pod count changed in the window (its own view). */
  podsChanges: string;
  /** Whether Prometheus has any destination-controller series at all (is it scraped?). */
  destinationScraped: string;
  /** Delay between an EndpointSlice change and the controller seeing it, p50 and p99. */
  informerLagP50: string;
  informerLagP99: string;
  /** p99 of the Get RPC's handling time. Get is a server stream: this is how long streams live. */
  getHandlingP99: string;
  /** Inbound success rate of the service's pods: successful responses / all responses. */
  successRate: string;
  /** Inbound requests per second of the service's pods. */
  rps: string;
  /** Inbound response latency of the service's pods, ms. */
  latencyP50: string;
  latencyP95: string;
  latencyP99: string;
}

/** The instant queries, evaluated once at the end of the window. */
export function instantQueries(
  target: ServiceTarget,
  windowSeconds: number,
  deployments: string[],
): InstantQueries {
  const w = promDuration(windowSeconds);
  const dst = destinationSelector(target);
  const inbound = inboundSelector(target.namespace, deployments);
  const success = inboundSelector(target.namespace, deployments, { classification: 'success' });
  return {
    // increase() extrapolates to the window's edges, so it can be fractional; 0 means flat.
    updatesIncrease: `sum(increase(endpoints_updates${dst}[${w}]))`,
    subscribers: `sum(endpoints_subscribers${dst})`,
    // max over ports: every port series carries the same answer.
    exists: `max(endpoints_exists${dst})`,
    pods: `max(endpoints_pods${dst})`,
    podsChanges: `max(changes(endpoints_pods${dst}[${w}]))`,
    destinationScraped: `count(endpoints_updates)`,
    // The informers are shared by every service: their lag is the controller's, not the service's.
    informerLagP50: quantile(0.5, 'endpointslices_informer_lag_seconds_bucket', w),
    informerLagP99: quantile(0.99, 'endpointslices_informer_lag_seconds_bucket', w),
    getHandlingP99: quantile(0.99, 'grpc_server_handling_seconds_bucket{grpc_method="Get"}', w),
    successRate: `sum(rate(response_total${success}[${w}])) / sum(rate(response_total${inbound}[${w}]))`,
    rps: `sum(rate(request_total${inbound}[${w}]))`,
    latencyP50: quantile(0.5, `response_latency_ms_bucket${inbound}`, w),
    latencyP95: quantile(0.95, `response_latency_ms_bucket${inbound}`, w),
    latencyP99: quantile(0.99, `response_latency_ms_bucket${inbound}`, w),
  };
}

export interface RangeQueries {
  /** The counter itself, per series: a flat line is a controller that processed nothing. */
  updates: string;
  subscribers: string;
  /** Pods the controller holds over time. */
  pods: string;
  informerLagP99: string;
  successRate: string;
  /**
   * One series per pod of the service's workloads while the pod runs; the value is the pod's
   * start time. Pods that start or stop in the window are the changes the controller must follow.
   */
  podStarts: string;
}

/** Resolution of the range queries: about 240 points over the window, at least 1 s apart. */
export function rangeStepSeconds(windowSeconds: number): number {
  return Math.max(1, Math.ceil(windowSeconds / 240));
}

/** Rate window of the range queries: at least a minute (several scrapes), at least four steps. */
export function rangeRateSeconds(windowSeconds: number): number {
  return Math.max(60, 4 * rangeStepSeconds(windowSeconds));
}

export function rangeQueries(
  target: ServiceTarget,
  windowSeconds: number,
  deployments: string[],
): RangeQueries {
  const r = promDuration(rangeRateSeconds(windowSeconds));
  const dst = destinationSelector(target);
  const inbound = inboundSelector(target.namespace, deployments);
  const success = inboundSelector(target.namespace, deployments, { classification: 'success' });
  return {
    updates: `endpoints_updates${dst}`,
    subscribers: `sum(endpoints_subscribers${dst})`,
    pods: `max(endpoints_pods${dst})`,
    informerLagP99: quantile(0.99, 'endpointslices_informer_lag_seconds_bucket', r),
    successRate: `sum(rate(response_total${success}[${r}])) / sum(rate(response_total${inbound}[${r}]))`,
    podStarts: `max by (pod) (process_start_time_seconds${podSelector(target.namespace, deployments)})`,
  };
}

/**
 * The raw samples of the service's endpoints_updates in the `seconds` before an instant: read at
 * the first point of the range query, it gives the exact time of the series' first sample (the
 * first subscription), which the range query only knows to one step.
 */
export function updatesRawSamples(target: ServiceTarget, seconds: number): string {
  return `endpoints_updates${destinationSelector(target)}[${promDuration(seconds)}]`;
}
