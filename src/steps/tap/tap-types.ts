/** The tap step's types: its limits, the requests it saw, and its summary (docs/tap.md). */
import type { TapEventJson } from '../../adapters/tap/tap-wire.js';

/** The operator's caps (config `tap:`), which no command may exceed. */
export interface TapLimits {
  maxDurationSeconds: number;
  maxRequests: number;
}

export const DEFAULT_TAP_LIMITS: TapLimits = { maxDurationSeconds: 60, maxRequests: 1000 };

/** One HTTP request seen by tap: its three events (request, response headers, end) joined. */
export interface TappedRequest {
  /** ms since the tap started, when the request began. */
  atMs: number;
  direction: 'inbound' | 'outbound' | 'unknown';
  method: string;
  scheme: string;
  authority: string;
  path: string;
  /** The calling side: `deploy/vote-bot`, a pod, or an address. */
  source: string;
  /** The called side: `deploy/voting`, `svc/...`, a pod, or an address. */
  destination: string;
  /** HTTP status of the response, when its headers came. */
  httpStatus?: number;
  /** gRPC status from the trailers, when there was one. */
  grpcStatus?: number;
  /** HTTP/2 reset error code, when the stream was reset. */
  resetCode?: number;
  /** Time to the end of the response (else to its headers), ms. */
  latencyMs?: number;
  responseBytes?: number;
  /** As linkerd viz top judges: 5xx, a reset, or a gRPC status of Unknown, DeadlineExceeded, Internal, Unavailable or DataLoss fail. */
  success?: boolean;
  /** The response had not ended when the tap stopped. */
  complete: boolean;
}

/** Requests of one route: method + path + destination. */
export interface TapRouteStats {
  method: string;
  path: string;
  destination: string;
  direction: TappedRequest['direction'];
  count: number;
  failures: number;
  /** 0..1, over completed requests. */
  successRate: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Status codes seen, with counts: `200`, `500`, `grpc 2`, `reset`. */
  statuses: Record<string, number>;
}

export interface TapData {
  /** The cluster tapped (its name in the adapter pool). */
  cluster?: string;
  /** The match sent to tap. */
  match: { to?: string; path?: string; method?: string };
  durationSeconds: number;
  maxRequests: number;
  /** Why the sample ended: the duration elapsed, the count was reached, or the server closed. */
  ended: 'duration' | 'count' | 'server-closed' | 'aborted';
  /** Completed requests seen (the ones counted). */
  requestCount: number;
  /** Requests still without a response end when the tap stopped. */
  inFlight: number;
  routes: TapRouteStats[];
  /** Every request, in arrival order (the full list: JSON output, the Slack file). */
  requests: TappedRequest[];
  /**
   * The raw TapEvents, in arrival order, as `linkerd viz tap -o json` prints them (JSON output,
   * the Slack `.events.jsonl` file): at most TAP_EVENTS_PER_REQUEST per sampled request
   * (`--max`), so the sampling limits bound them too.
   */
  events: TapEventJson[];
  /** Events that came after that bound and were not kept. */
  eventsDropped: number;
}

/** A request is three events (request_init, response_init, response_end). */
export const TAP_EVENTS_PER_REQUEST = 3;
