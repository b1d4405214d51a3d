/**
 * linkerd-viz's tap, reached as the linkerd CLI reaches it (viz/tap/pkg/reader.go): a POST of
 * a protobuf TapByResourceRequest to the aggregated API on the Kubernetes API server,
 * `/apis/tap.linkerd.io/v1alpha1/watch/namespaces/NS/RESOURCEs/NAME/tap`, with the
 * kubeconfig's credentials; the answer a stream of length-prefixed TapEvents. The stream is
 * always closed: when the caller's signal aborts (duration, count reached, shutdown), when the
 * server ends it, or on an error.
 */
import http from 'node:http';
import https from 'node:https';
import { MeshbotError } from '../../errors.js';
import { createConcurrencyLimit } from '../concurrency-limit.js';
import type { KubeConnectionOptions } from '../kube/kube-get.js';
import { forbiddenError, parseForbiddenMessage, parseStatus } from '../kube/translate-kube-error.js';
import type { TapEvent, TapEventJson, TapRequestSpec } from './tap-wire.js';

/** The wire module, loaded when a tap runs (protobufjs is not paid for by other commands). */
type TapWire = typeof import('./tap-wire.js');

export const TAP_GROUP = 'tap.linkerd.io';
export const TAP_VERSION = 'v1alpha1';
/** The APIService linkerd-viz registers. */
export const TAP_API_SERVICE = `${TAP_VERSION}.${TAP_GROUP}`;
/** Where linkerd points people who lack tap permissions. */
export const TAP_RBAC_URL = 'https://linkerd.io/tap-rbac';

/** Why there was no tap: no such API (viz not installed), or registered but not serving. */
export class TapUnavailableError extends MeshbotError {
  readonly reason: 'not-installed' | 'unavailable';
  constructor(reason: 'not-installed' | 'unavailable', message: string, hint: string) {
    super(reason === 'not-installed' ? 'not-found' : 'unreachable', message, hint);
    this.name = 'TapUnavailableError';
    this.reason = reason;
  }
}

export type TapEnd = 'aborted' | 'server-closed';

export interface TapClient {
  /**
   * Streams the events of one tap to `onEvent`, each in meshbot's shape and as
   * `linkerd viz tap -o json` prints it, until `signal` aborts (resolves 'aborted') or
   * the server ends the stream ('server-closed'). The answer's headers must come within the
   * adapter's request timeout.
   * @throws TapUnavailableError (no tap API), MeshbotError forbidden (403 naming the RBAC rule),
   *   not-found (no pods to tap), timeout, unreachable.
   */
  watch(
    request: TapRequestSpec,
    onEvent: (event: TapEvent, json: TapEventJson) => void,
    signal: AbortSignal,
  ): Promise<TapEnd>;
  /** Ends every open tap ('aborted') and refuses new ones: the adapter set is closing. */
  close(): void;
}

/** The URL path of a tap (protohttp's TapReqToURL): a namespace, or a namespaced resource. */
export function tapPath(target: TapRequestSpec['target']): string {
  const base = `/apis/${TAP_GROUP}/${TAP_VERSION}/watch/namespaces`;
  if (target.type === 'namespace') return `${base}/${encodeURIComponent(target.name)}/tap`;
  return `${base}/${encodeURIComponent(target.namespace)}/${encodeURIComponent(`${target.type}s`)}/${encodeURIComponent(target.name)}/tap`;
}

export interface TapClientOptions {
  /** The API server's URL (the kubeconfig's, no trailing slash). */
  server: string;
  /** TLS material and credentials, as the adapter set's other plain requests use them. */
  connection: () => KubeConnectionOptions | Promise<KubeConnectionOptions>;
  /** Limit for the answer's headers, ms. */
  timeoutMs: number;
  /** Taps open at once at most (each holds pods' proxies busy); default 2. */
  maxConcurrent?: number;
}

function readAll(res: http.IncomingMessage, limit = 64 * 1024): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', () => resolve(Buffer.concat(chunks)));
    res.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** The failure of an answer other than 200, as a person can act on it. */
async function failureOf(
  wire: TapWire,
  res: http.IncomingMessage,
  request: TapRequestSpec,
  server: string,
): Promise<MeshbotError> {
  const code = res.statusCode ?? 0;
  const body = await readAll(res);
  const text = body.toString('utf8').trim();
  const target =
    request.target.type === 'namespace'
      ? `namespace ${request.target.name}`
      : `${request.target.type}/${request.target.name} in namespace ${request.target.namespace}`;
  const resource = request.target.type === 'namespace' ? 'namespaces/tap' : `${request.target.type}s/tap`;
  // The tap server's own errors: a protobuf ApiError (length-prefixed) under `linkerd-error`.
  if (res.headers[wire.TAP_ERROR_HEADER] !== undefined) {
    let message = text;
    try {
      const reader = wire.createFrameReader((m) => (message = wire.decodeApiError(m)));
      reader.push(body);
    } catch {
      // keep the raw text
    }
    const clean = message.trim().replace(/\s+/g, ' ');
    if (/not found/.test(clean) && !/no pods to tap/.test(clean)) {
      return new MeshbotError(
        'not-found',
        `linkerd-viz tap: ${clean}`,
        request.target.type === 'namespace'
          ? 'List them: kubectl get namespaces'
          : `List them: kubectl -n ${request.target.namespace} get ${request.target.type}s`,
      );
    }
    if (/no pods to tap/.test(clean)) {
      return new MeshbotError(
        'not-found',
        `linkerd-viz tap found no meshed pods to tap for ${target}: ${clean}`,
        /disable-tap/.test(clean)
          ? 'Their tap is turned off by the viz.linkerd.io/disable-tap annotation; tap another pod, or remove the annotation.'
          : 'Tap needs running meshed pods injected while linkerd-viz was installed (restart them if viz came later).',
      );
    }
    return new MeshbotError('internal', `linkerd-viz tap refused the tap of ${target}: ${clean}`);
  }
  const status = parseStatus(text);
  if (code === 403) {
    // The API server's RBAC (a Status naming verb and resource), or the tap server's own
    // SubjectAccessReview (JSON {"error": "tap authorization failed ..."}).
    const parsed = status?.message ? parseForbiddenMessage(status.message) : undefined;
    const err = forbiddenError(
      parsed ?? { verb: 'watch', resource, group: TAP_GROUP, namespace: request.target.namespace },
    );
    // A namespace's tap is authorized twice over different resources: the API server reads the
    // path `.../watch/namespaces/NS/tap` as resource `tap` in NS (RequestInfo), the tap server
    // asks for `namespaces/tap` in NS.
    const both =
      request.target.type === 'namespace'
        ? ' Tapping a namespace needs both: resources: ["tap", "namespaces/tap"] in tap.linkerd.io.'
        : '';
    return new MeshbotError('forbidden', err.message, `${err.hint ?? ''}${both} See ${TAP_RBAC_URL}.`);
  }
  if (code === 401) {
    return new MeshbotError(
      'unauthenticated',
      `Kubernetes at ${server} did not accept meshbot's credentials (401 Unauthorized)`,
      'The kubeconfig user or service-account token is missing, expired or wrong; check it with `kubectl auth whoami`.',
    );
  }
  if (code === 404) {
    return new TapUnavailableError(
      'not-installed',
      `Kubernetes at ${server} has no tap API (${TAP_GROUP}/${TAP_VERSION}): linkerd-viz is not installed, or its APIService ${TAP_API_SERVICE} is missing`,
      'Install linkerd-viz (linkerd viz install | kubectl apply -f -) and check it with `linkerd viz check`.',
    );
  }
  if (code === 503) {
    return new TapUnavailableError(
      'unavailable',
      `The tap API ${TAP_API_SERVICE} is registered but not serving (503: ${status?.message ?? (text || 'service unavailable')})`,
      `Is linkerd-viz's tap deployment running? kubectl -n linkerd-viz get pods; kubectl get apiservice ${TAP_API_SERVICE}`,
    );
  }
  const detail = status?.message ?? text.slice(0, 300);
  return new MeshbotError(
    code >= 500 ? 'unreachable' : 'internal',
    `Kubernetes at ${server} failed the tap of ${target} (HTTP ${code})${detail ? `: ${detail}` : ''}`,
  );
}

export function createTapClient(options: TapClientOptions): TapClient {
  const limit = createConcurrencyLimit(options.maxConcurrent ?? 2);
  const server = options.server;
  const closing = new AbortController();
  let closed = false;

  return {
    watch: (request, onEvent, callerSignal) => {
      if (closed) {
        return Promise.reject(
          new MeshbotError('unreachable', 'the tap client is closed (meshbot is stopping)'),
        );
      }
      // The caller's signal, or the adapter set closing, ends the tap.
      const signal = AbortSignal.any([callerSignal, closing.signal]);
      return limit.run(async () => {
        if (signal.aborted) return 'aborted';
        const wire = await import('./tap-wire.js');
        const url = new URL(`${server.replace(/\/$/, '')}${tapPath(request.target)}`);
        const body = wire.encodeTapRequest(request);
        const connection = await options.connection();
        const opts: https.RequestOptions = { ...connection, method: 'POST' };
        opts.headers = {
          ...connection.headers,
          'Content-Type': 'application/octet-stream',
          'Content-Length': body.length,
          Accept: 'application/octet-stream',
        };
        const send = url.protocol === 'https:' ? https.request : http.request;
        return new Promise<TapEnd>((resolve, reject) => {
          let settled = false;
          const finish = (outcome: TapEnd | MeshbotError): void => {
            if (settled) return;
            settled = true;
            clearTimeout(headersTimer);
            signal.removeEventListener('abort', onAbort);
            req.destroy();
            if (outcome instanceof MeshbotError) reject(outcome);
            else resolve(outcome);
          };
          const onAbort = (): void => finish('aborted');
          const headersTimer = setTimeout(
            () =>
              finish(
                new MeshbotError(
                  'timeout',
                  `Kubernetes at ${server} did not answer the tap within ${options.timeoutMs} ms`,
                  'The API server or linkerd-viz tap is slow; retry with a longer --timeout.',
                ),
              ),
            options.timeoutMs,
          );
          const req = send(url, opts, (res) => {
            clearTimeout(headersTimer);
            // The tap server answers its own errors 200 with the `linkerd-error` header
            // (protohttp.WriteErrorToHTTPResponse), so the header is read first.
            if (res.statusCode !== 200 || res.headers[wire.TAP_ERROR_HEADER] !== undefined) {
              void failureOf(wire, res, request, server).then(finish);
              return;
            }
            const reader = wire.createFrameReader((message) => {
              if (settled) return;
              let decoded: { event: TapEvent; json: TapEventJson };
              try {
                decoded = wire.decodeTapEventWithJson(message);
              } catch (err) {
                finish(
                  new MeshbotError(
                    'internal',
                    `linkerd-viz tap sent an event meshbot cannot read: ${err instanceof Error ? err.message : String(err)}`,
                  ),
                );
                return;
              }
              onEvent(decoded.event, decoded.json);
            });
            res.on('data', (chunk: Buffer) => {
              if (settled) return;
              try {
                reader.push(chunk);
              } catch (err) {
                finish(new MeshbotError('internal', `linkerd-viz tap: ${(err as Error).message}`));
              }
            });
            res.on('end', () => finish('server-closed'));
            res.on('error', () => finish(signal.aborted ? 'aborted' : 'server-closed'));
          });
          req.on('error', (err) => {
            if (settled) return;
            const code = (err as { code?: string }).code;
            finish(
              new MeshbotError(
                'unreachable',
                `Kubernetes at ${server} could not be reached for the tap${code ? ` (${code})` : ''}`,
                `Is the API server at ${server} up and reachable from here?`,
                { cause: err },
              ),
            );
          });
          signal.addEventListener('abort', onAbort, { once: true });
          if (signal.aborted) {
            finish('aborted');
            return;
          }
          req.end(body);
        });
      });
    },
    close() {
      closed = true;
      closing.abort();
    },
  };
}
