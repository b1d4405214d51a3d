/**
 * A client of Prometheus's HTTP query API: `/api/v1/query` (instant) and `/api/v1/query_range`.
 * It owns the timeout, a bound on concurrent queries, the zod parsing of responses and the
 * translation of failures into MeshbotErrors (see prometheus-errors.ts). Steps see only the
 * `PrometheusClient` interface, never how the URL was reached (direct or port-forward).
 */
import { MeshbotError } from '../../errors.js';
import { createConcurrencyLimit } from '../concurrency-limit.js';
import {
  PrometheusQueryError,
  translateFetchError,
  translateHttpStatus,
  reachHint,
  DEFAULT_PROMETHEUS_URL,
} from './prometheus-errors.js';
import { parsePrometheusUrl } from './prometheus-url.js';
import {
  prometheusEnvelope,
  samplesOf,
  seriesOf,
  type QueryData,
  type Sample,
  type Series,
} from './prometheus-responses.js';

export { DEFAULT_PROMETHEUS_URL };

export interface InstantResult {
  samples: Sample[];
  /** The raw samples, when the query was a range selector (`x[5m]`): a matrix. */
  series: Series[];
  warnings: string[];
}

export interface RangeResult {
  series: Series[];
  warnings: string[];
}

export interface RangeOptions {
  start: Date;
  end: Date;
  stepSeconds: number;
}

export interface PrometheusClient {
  /** The base URL queries go to (for messages). */
  readonly url: string;
  /** An instant query, evaluated at `time` (default: now). */
  query(promql: string, opts?: { time?: Date }): Promise<InstantResult>;
  /** A range query from start to end, one point every `stepSeconds`. */
  queryRange(promql: string, opts: RangeOptions): Promise<RangeResult>;
  /** Releases what the client holds (a port-forward, when it has one). */
  close(): Promise<void>;
}

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus.linkerd-viz.svc.cluster.local:9090 (a path prefix is kept). */
  url?: string;
  /** Per-request timeout, ms; also sent to Prometheus as the query's own `timeout`. Default 10 s. */
  timeoutMs?: number;
  /** Queries in flight at once. Default 4. */
  maxConcurrent?: number;
  /** The URL as a person knows it, when `url` is a local forward (used in messages). */
  displayUrl?: string;
  /**
   * Resolves the base URL on first use instead of `url` (e.g. opens a port-forward and answers
   * `http://127.0.0.1:PORT`). A failure is the query's failure; the next query tries again.
   */
  connect?: () => Promise<string>;
  /** Called by close(), e.g. to stop a port-forward. */
  onClose?: () => Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CONCURRENCY = 4;

export function createPrometheusClient(options: PrometheusClientOptions = {}): PrometheusClient {
  const fixed = options.connect ? undefined : parsePrometheusUrl(options.url ?? DEFAULT_PROMETHEUS_URL);
  const shown = options.displayUrl ?? fixed?.href.replace(/\/$/, '') ?? '(port-forward)';
  let connecting: Promise<URL> | undefined;
  const baseUrl = async (): Promise<URL> => {
    if (fixed) return fixed;
    connecting ??= options.connect!().then(parsePrometheusUrl);
    try {
      return await connecting;
    } catch (err) {
      connecting = undefined;
      throw err;
    }
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const limit = createConcurrencyLimit(options.maxConcurrent ?? DEFAULT_CONCURRENCY);

  async function call(
    endpoint: 'query' | 'query_range',
    params: URLSearchParams,
  ): Promise<QueryData & { warnings: string[] }> {
    const query = params.get('query') ?? '';
    params.set('timeout', `${Math.max(1, Math.floor(timeoutMs / 1000))}s`);
    return limit.run(async () => {
      const target = new URL(`api/v1/${endpoint}`, await baseUrl());
      let res: Response;
      let text: string;
      try {
        res = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: params.toString(),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        throw translateFetchError(err, shown, timeoutMs);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw res.ok
          ? new MeshbotError(
              'internal',
              `${shown} answered /api/v1/${endpoint} with something that is not JSON`,
              reachHint(shown),
            )
          : translateHttpStatus(res.status, shown, `/api/v1/${endpoint}`);
      }
      const parsed = prometheusEnvelope.safeParse(json);
      if (!parsed.success) {
        throw res.ok
          ? new MeshbotError(
              'internal',
              `${shown} answered /api/v1/${endpoint} with JSON that is not a Prometheus API response`,
              reachHint(shown),
            )
          : translateHttpStatus(res.status, shown, `/api/v1/${endpoint}`);
      }
      const env = parsed.data;
      if (env.status === 'error') throw new PrometheusQueryError(env.errorType, env.error, query);
      return Object.assign(env.data, { warnings: env.warnings ?? [] });
    });
  }

  return {
    url: shown,
    async query(promql, opts = {}) {
      const params = new URLSearchParams({ query: promql });
      if (opts.time) params.set('time', (opts.time.getTime() / 1000).toFixed(3));
      const data = await call('query', params);
      return {
        samples: samplesOf(data),
        series: data.resultType === 'matrix' ? seriesOf(data) : [],
        warnings: data.warnings,
      };
    },
    async queryRange(promql, { start, end, stepSeconds }) {
      if (!(stepSeconds > 0)) throw new RangeError(`step must be positive, got ${stepSeconds}`);
      const params = new URLSearchParams({
        query: promql,
        start: (start.getTime() / 1000).toFixed(3),
        end: (end.getTime() / 1000).toFixed(3),
        step: `${stepSeconds}`,
      });
      const data = await call('query_range', params);
      return { series: seriesOf(data), warnings: data.warnings };
    },
    async close() {
      await options.onClose?.();
    },
  };
}
