/**
 * Tap events joined into requests: a request's `request_init`, `response_init` and
 * `response_end` share a stream id. Success is judged as `linkerd viz top` does (viz/cmd/top.go):
 * an HTTP status of 500 or more fails; otherwise a reset fails, and a gRPC status of Unknown,
 * DeadlineExceeded, Internal, Unavailable or DataLoss fails.
 */
import type { TapEvent } from '../../adapters/tap/tap-wire.js';
import type { TappedRequest } from './tap-types.js';

/** gRPC codes linkerd counts as failures: Unknown, DeadlineExceeded, Internal, Unavailable, DataLoss. */
const GRPC_FAILURES = new Set([2, 4, 13, 14, 15]);

/** Resource-kind labels of an endpoint, in the order linkerd's CLI prefers them. */
const RESOURCE_LABELS: Array<[string, string]> = [
  ['deployment', 'deploy'],
  ['statefulset', 'statefulset'],
  ['daemonset', 'daemonset'],
  ['job', 'job'],
  ['pod', 'pod'],
];

/** `deploy/web`, else the pod, else the address, from an endpoint's labels. */
export function endpointName(
  labels: Record<string, string> | undefined,
  address: string | undefined,
): string {
  for (const [label, short] of RESOURCE_LABELS) {
    const v = labels?.[label];
    if (v) return `${short}/${v}`;
  }
  return address ?? '-';
}

export function judgeSuccess(r: Pick<TappedRequest, 'httpStatus' | 'grpcStatus' | 'resetCode'>): boolean {
  if (r.httpStatus !== undefined && r.httpStatus >= 500) return false;
  if (r.resetCode !== undefined) return false;
  if (r.grpcStatus !== undefined && GRPC_FAILURES.has(r.grpcStatus)) return false;
  return true;
}

/**
 * Collects events as they arrive; `onComplete` is told each request whose response ended.
 * Events of a stream whose request_init was not seen (it began before the tap) are dropped.
 */
export function createRequestJoiner(now: () => number): {
  add(event: TapEvent): TappedRequest | undefined;
  requests(): TappedRequest[];
  inFlight(): number;
} {
  const byStream = new Map<string, TappedRequest>();
  const all: TappedRequest[] = [];
  return {
    add(event) {
      const http = event.http;
      if (!http) return undefined;
      const direction =
        event.proxy_direction === 'INBOUND'
          ? 'inbound'
          : event.proxy_direction === 'OUTBOUND'
            ? 'outbound'
            : 'unknown';
      if (http.request_init) {
        const init = http.request_init;
        const request: TappedRequest = {
          atMs: now(),
          direction,
          method: init.method ?? 'GET',
          scheme: init.scheme ?? 'http',
          authority: init.authority ?? '',
          path: init.path ?? '/',
          source: endpointName(event.source_meta, event.source),
          destination: endpointName(event.destination_meta, event.destination),
          complete: false,
        };
        byStream.set(init.id ?? '', request);
        all.push(request);
        return undefined;
      }
      if (http.response_init) {
        const r = byStream.get(http.response_init.id ?? '');
        if (!r) return undefined;
        if (http.response_init.http_status !== undefined) r.httpStatus = http.response_init.http_status;
        if (http.response_init.since_request_init !== undefined)
          r.latencyMs = http.response_init.since_request_init;
        return undefined;
      }
      if (http.response_end) {
        const end = http.response_end;
        const id = end.id ?? '';
        const r = byStream.get(id);
        if (!r) return undefined;
        byStream.delete(id);
        if (end.since_request_init !== undefined) r.latencyMs = end.since_request_init;
        if (end.response_bytes !== undefined) r.responseBytes = Number(end.response_bytes);
        if (end.eos?.grpc_status_code !== undefined) r.grpcStatus = end.eos.grpc_status_code;
        if (end.eos?.reset_error_code !== undefined) r.resetCode = end.eos.reset_error_code;
        r.success = judgeSuccess(r);
        r.complete = true;
        return r;
      }
      return undefined;
    },
    requests: () => all,
    inFlight: () => byStream.size,
  };
}
