/**
 * Translation of what can go wrong talking to Prometheus into MeshbotErrors a person can act
 * on: it is down or unreachable, it is slow, it refused the query, or the URL is not a
 * Prometheus. "No data" is not an error: an empty result is a valid answer.
 */
import { MeshbotError } from '../../errors.js';

/** linkerd-viz's in-cluster Prometheus. */
export const DEFAULT_PROMETHEUS_URL = 'http://prometheus.linkerd-viz.svc.cluster.local:9090';

/** How to reach Prometheus another way, for hints. */
export function reachHint(url: string): string {
  return (
    `Is Prometheus running and is ${url} its address? Give another with --prometheus URL ` +
    `(default: linkerd-viz's ${DEFAULT_PROMETHEUS_URL}), or from outside the cluster use ` +
    `--prometheus-port-forward to reach linkerd-viz/prometheus port 9090 through the Kubernetes API.`
  );
}

/** Prometheus answered `status: error`: the query was refused or failed while it ran. */
export class PrometheusQueryError extends MeshbotError {
  /** Prometheus's errorType: bad_data, execution, timeout, canceled, internal, unavailable, ... */
  readonly errorType: string;
  readonly query: string;

  constructor(errorType: string, error: string, query: string) {
    super(
      errorType === 'timeout' ? 'timeout' : 'internal',
      `Prometheus refused the query (${errorType}): ${error}`,
      errorType === 'bad_data'
        ? `The query was: ${query}. This is a meshbot bug or a Prometheus older than 2.x; please report it.`
        : `The query was: ${query}. Prometheus may be overloaded; try a shorter --window.`,
    );
    this.name = 'PrometheusQueryError';
    this.errorType = errorType;
    this.query = query;
  }
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

// Duck-typed, not `instanceof Error`: fetch's errors may come from another realm (jest's VM).
function asErrorLike(e: unknown): ErrorLike | undefined {
  return typeof e === 'object' && e !== null ? (e as ErrorLike) : undefined;
}

/** The socket error code (ECONNREFUSED, ENOTFOUND, ...) somewhere down the cause chain. */
function causeCode(err: unknown): string | undefined {
  let e = asErrorLike(err);
  for (let depth = 0; depth < 4 && e; depth++) {
    if (typeof e.code === 'string') return e.code;
    e = asErrorLike(e.cause);
  }
  return undefined;
}

/** A failure of fetch itself (no HTTP answer) as a MeshbotError. */
export function translateFetchError(err: unknown, url: string, timeoutMs: number): MeshbotError {
  if (err instanceof MeshbotError) return err;
  const like = asErrorLike(err);
  const name = typeof like?.name === 'string' ? like.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new MeshbotError(
      'timeout',
      `Prometheus at ${url} did not answer within ${Math.round(timeoutMs / 100) / 10}s`,
      `${reachHint(url)} A slow Prometheus may need a shorter --window.`,
      { cause: err },
    );
  }
  const code = causeCode(err);
  const detail = code ?? (typeof like?.message === 'string' ? like.message : String(err));
  return new MeshbotError(
    'unreachable',
    `Prometheus at ${url} could not be reached (${detail})`,
    reachHint(url),
    { cause: err },
  );
}

/** An HTTP answer that is not a Prometheus API envelope, by status code. */
export function translateHttpStatus(status: number, url: string, endpoint: string): MeshbotError {
  if (status === 401) {
    return new MeshbotError(
      'unauthenticated',
      `Prometheus at ${url} answered 401 Unauthorized`,
      reachHint(url),
    );
  }
  if (status === 403) {
    return new MeshbotError(
      'forbidden',
      `Prometheus at ${url} answered 403 Forbidden for ${endpoint}`,
      reachHint(url),
    );
  }
  if (status === 404) {
    return new MeshbotError(
      'not-found',
      `${url} has no Prometheus API (${endpoint} answered 404)`,
      `Give Prometheus's base URL, e.g. ${DEFAULT_PROMETHEUS_URL}, with --prometheus.`,
    );
  }
  if (status >= 500) {
    return new MeshbotError('unreachable', `Prometheus at ${url} answered ${status}`, reachHint(url));
  }
  return new MeshbotError(
    'internal',
    `Prometheus at ${url} answered ${status} to ${endpoint} without an API response`,
    reachHint(url),
  );
}
