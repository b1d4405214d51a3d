/**
 * linkerd-viz's tap API server (viz/tap/api/handlers.go, grpc_server.go) as an aggregated API
 * backend of the sandbox's API server: the group version `tap.linkerd.io/v1alpha1`, discovery of
 * its resources, and `POST .../watch/namespaces/NS[/RESOURCE/NAME]/tap`:
 * 1. its own SubjectAccessReview (`watch` on RESOURCE/tap in tap.linkerd.io) of the caller the
 *    aggregator names; a denial is 403 with a JSON `{"error": "tap authorization failed ..."}`;
 * 2. the protobuf TapByResourceRequest: it must name the URL's resource, and match with a flat
 *    `all` list (anything else is refused, as the real server does);
 * 3. the target's meshed pods, chosen as the real server chooses them (tap-target-pods.ts;
 *    none: "no pods to tap");
 * 4. a stream of length-prefixed TapEvents, from the traffic model (synthetic-tap-traffic.ts),
 *    filtered by the match (destination, method, path prefix, authority, scheme) and limited to
 *    `maxRps` requests per second (default 100), until the client goes away.
 * Its own errors are answered as protohttp.WriteErrorToHTTPResponse does: status 200, header
 * `linkerd-error`, a length-prefixed ApiError.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  decodeTapRequest,
  encodeApiError,
  encodeTapEvent,
  frame,
  TAP_CONTENT_TYPE,
  TAP_ERROR_HEADER,
  type DecodedTapRequest,
} from '../../adapters/tap/tap-wire.js';
import { toProtoIp } from '../destination/ip-address.js';
import { remoteUser, type AggregatedApiBackend } from '../kube/aggregated-apis.js';
import type { DiscoveryKind } from '../kube/discovery-documents.js';
import type { ObjectStore } from '../kube/store-types.js';
import type { TrafficEdge } from '../traffic/traffic-model.js';
import { tapTrafficSource, type SyntheticRequest, type TapEndpoint } from './synthetic-tap-traffic.js';
import { podsToTap } from './tap-target-pods.js';

export const TAP_GROUP = 'tap.linkerd.io';
export const TAP_VERSION = 'v1alpha1';
const TAP_RBAC_URL = 'https://linkerd.io/tap-rbac';
const DEFAULT_MAX_RPS = 100;
/** How often the stream takes requests from the traffic model. */
const TICK_MS = 200;

/** The resources tap serves (handlers.go), namespaced but `namespaces`. */
const RESOURCES: Array<[string, boolean]> = [
  ['namespaces', false],
  ['pods', true],
  ['replicationcontrollers', true],
  ['services', true],
  ['daemonsets', true],
  ['deployments', true],
  ['replicasets', true],
  ['statefulsets', true],
  ['jobs', true],
  ['cronjobs', true],
];

const DISCOVERY: DiscoveryKind[] = RESOURCES.map(([plural, namespaced]) => ({
  group: TAP_GROUP,
  version: TAP_VERSION,
  kind: 'Tap',
  plural,
  singular: '',
  namespaced,
  verbs: ['watch'],
}));

export interface TapApiOptions {
  store: ObjectStore;
  edges: readonly TrafficEdge[];
  clusterDomain?: string;
  /** The control plane's namespace: a pod is meshed when `linkerd.io/control-plane-ns` names it. */
  controlPlaneNamespace?: string;
  /** Whether the tap pods serve (false: the aggregator answers 503). */
  serving?: () => boolean;
}

export interface RunningTapApi extends AggregatedApiBackend {
  /** Ends every open tap stream. */
  close(): void;
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(text);
}

/** protohttp.WriteErrorToHTTPResponse: the header, then the ApiError written with status 200. */
function writeTapError(res: ServerResponse, statusText: string, message: string): void {
  res.writeHead(200, { [TAP_ERROR_HEADER]: statusText, 'Content-Type': TAP_CONTENT_TYPE });
  res.end(frame(encodeApiError(message)));
}

function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The URL a request's target implies (TapReqToURL). */
function urlOfRequest(request: DecodedTapRequest): string {
  const r = request.target?.resource ?? { namespace: '', type: '', name: '' };
  const base = `/apis/${TAP_GROUP}/${TAP_VERSION}/watch/namespaces`;
  if (r.type === 'namespace') return `${base}/${encodeURIComponent(r.name)}/tap`;
  return `${base}/${encodeURIComponent(r.namespace)}/${encodeURIComponent(`${r.type}s`)}/${encodeURIComponent(r.name)}/tap`;
}

interface Filter {
  destinations: Array<{ namespace: string; type: string; name: string }>;
  method?: string;
  pathPrefix?: string;
  authority?: string;
  scheme?: string;
}

/** The flat `all` match the real server accepts (makeByResourceMatch); else the error it gives. */
function filterOf(request: DecodedTapRequest): Filter | string {
  const match = request.match;
  if (!match?.all) return `unexpected match specified: ${JSON.stringify(match ?? {})}`;
  const filter: Filter = { destinations: [] };
  for (const m of match.all.matches ?? []) {
    if (m.destinations?.resource) filter.destinations.push(m.destinations.resource);
    else if (m.http) {
      if (m.http.method !== undefined) filter.method = m.http.method.toUpperCase();
      else if (m.http.path !== undefined) filter.pathPrefix = m.http.path;
      else if (m.http.authority !== undefined) filter.authority = m.http.authority;
      else if (m.http.scheme !== undefined) filter.scheme = m.http.scheme.toLowerCase();
      else return 'unknown HTTP match type';
    } else return `unknown match type: ${JSON.stringify(m)}`;
  }
  return filter;
}

/** The proxy's DestinationLabel match: the resource's kind label and namespace (destinationLabels). */
function matchesDestination(d: Filter['destinations'][number], labels: Record<string, string>): boolean {
  // KindToL5DLabel: a job's label is `k8s_job` (Prometheus keeps `job` for itself).
  if (d.name && labels[d.type === 'job' ? 'k8s_job' : d.type] !== d.name) return false;
  if (d.type !== 'namespace' && d.namespace && labels['namespace'] !== d.namespace) return false;
  if (d.type === 'namespace' && d.name && labels['namespace'] !== d.name) return false;
  return true;
}

function matches(f: Filter, r: SyntheticRequest): boolean {
  if (f.destinations.length && !f.destinations.every((d) => matchesDestination(d, r.destination.labels))) {
    return false;
  }
  if (f.method !== undefined && r.method !== f.method) return false;
  if (f.pathPrefix !== undefined && !r.path.startsWith(f.pathPrefix)) return false;
  if (f.authority !== undefined && r.authority !== f.authority) return false;
  if (f.scheme !== undefined && f.scheme !== 'http') return false;
  return true;
}

function tcpAddress(e: TapEndpoint): Record<string, unknown> {
  return { ip: toProtoIp(e.ip) ?? { ipv4: 0 }, port: e.port };
}

function duration(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

const REGISTERED_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'HEAD', 'TRACE'];

/** The three events of one request, as a proxy's tap reports them. */
function eventsOf(r: SyntheticRequest, id: { base: number; stream: number }): Record<string, unknown>[] {
  const common = {
    source: tcpAddress(r.source),
    source_meta: { labels: r.source.labels },
    destination: tcpAddress(r.destination),
    destination_meta: { labels: r.destination.labels },
    proxy_direction: r.direction,
  };
  const method = REGISTERED_METHODS.includes(r.method)
    ? { registered: r.method }
    : { unregistered: r.method };
  const status = r.grpc ? 200 : r.success ? 200 : 500;
  const eos = r.grpc ? { grpc_status_code: r.success ? 0 : 2 } : undefined;
  return [
    {
      ...common,
      http: {
        request_init: { id, method, scheme: { registered: 'HTTP' }, authority: r.authority, path: r.path },
      },
    },
    {
      ...common,
      http: { response_init: { id, since_request_init: duration(r.latencyMs * 0.9), http_status: status } },
    },
    {
      ...common,
      http: {
        response_end: {
          id,
          since_request_init: duration(r.latencyMs),
          since_response_init: duration(r.latencyMs * 0.1),
          response_bytes: r.success ? 512 : 64,
          ...(eos ? { eos } : {}),
        },
      },
    },
  ];
}

export function createTapApi(options: TapApiOptions): RunningTapApi {
  const { store } = options;
  const domain = options.clusterDomain ?? 'cluster.local';
  const streams = new Set<() => void>();
  const bases = new Map<string, number>();
  let nextBase = 0x5eed0001;
  const baseOf = (pod: string): number => {
    let b = bases.get(pod);
    if (b === undefined) bases.set(pod, (b = nextBase++ >>> 0));
    return b;
  };
  let stream = 0;

  async function handleTap(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    review: Parameters<AggregatedApiBackend['serve']>[2]['review'],
  ): Promise<void> {
    const parts = url.pathname.split('/');
    // /apis/tap.linkerd.io/v1alpha1/watch/namespaces/NS/tap (8) or .../NS/RESOURCE/NAME/tap (10)
    let namespace: string;
    let resource: string;
    let name = '';
    if (parts.length === 8) {
      namespace = decodeURIComponent(parts[6]!);
      resource = parts[5]!;
    } else if (parts.length === 10) {
      namespace = decodeURIComponent(parts[6]!);
      resource = parts[7]!;
      name = decodeURIComponent(parts[8]!);
    } else {
      writeJson(res, 400, { error: `invalid path: "${url.pathname}"` });
      return;
    }
    if (!RESOURCES.some(([plural]) => plural === resource)) {
      writeJson(res, 404, { paths: ['/apis', `/apis/${TAP_GROUP}`, `/apis/${TAP_GROUP}/${TAP_VERSION}`] });
      return;
    }
    const user = remoteUser(req);
    const decision = review({
      resourceRequest: true,
      user,
      verb: 'watch',
      group: TAP_GROUP,
      resource,
      subresource: 'tap',
      namespace,
      ...(name ? { name } : {}),
    });
    if (!decision.allowed) {
      const why = decision.reason ? `: ${decision.reason}` : '';
      writeJson(res, 403, {
        error: `tap authorization failed (not authorized to access ${resource}.${TAP_GROUP}${why}), visit ${TAP_RBAC_URL} for more information`,
      });
      return;
    }
    let request: DecodedTapRequest;
    try {
      request = decodeTapRequest(await readBody(req));
    } catch (err) {
      writeTapError(
        res,
        'Bad Request',
        `Error decoding Tap Request proto: ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    if (urlOfRequest(request) !== url.pathname) {
      writeTapError(
        res,
        'Internal Server Error',
        `tap request body did not match APIServer URL: "${urlOfRequest(request)}" != "${url.pathname}"`,
      );
      return;
    }
    const filter = filterOf(request);
    if (typeof filter === 'string') {
      writeTapError(res, 'Internal Server Error', filter);
      return;
    }
    const target = request.target?.resource ?? { namespace: '', type: '', name: '' };
    const chosen = podsToTap(store, target, options.controlPlaneNamespace ?? 'linkerd');
    if ('error' in chosen) {
      writeTapError(res, 'Internal Server Error', chosen.error);
      return;
    }
    // The pods are chosen once, when the tap starts, as the real server does: a pod that
    // replaces one of them later is not tapped.
    const keys = new Set(chosen.pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    const source = tapTrafficSource(store, options.edges, (p) => keys.has(p.key), domain);
    const maxRps = request.maxRps && request.maxRps > 0 ? request.maxRps : DEFAULT_MAX_RPS;
    res.writeHead(200, { 'Content-Type': TAP_CONTENT_TYPE, Connection: 'keep-alive' });
    res.flushHeaders();
    const timers = new Set<NodeJS.Timeout>();
    let windowStart = Date.now();
    let inWindow = 0;
    let last = Date.now();
    const tick = setInterval(() => {
      const now = Date.now();
      const seconds = (now - last) / 1000;
      last = now;
      if (now - windowStart >= 1000) {
        windowStart = now;
        inWindow = 0;
      }
      for (const r of source.take(seconds)) {
        if (!matches(filter, r)) continue;
        if (inWindow >= maxRps) break;
        inWindow++;
        const id = { base: baseOf(r.reporter), stream: ++stream };
        const [init, rspInit, rspEnd] = eventsOf(r, id);
        res.write(frame(encodeTapEvent(init!)));
        const t = setTimeout(() => {
          timers.delete(t);
          if (res.writableEnded || res.destroyed) return;
          res.write(frame(encodeTapEvent(rspInit!)));
          res.write(frame(encodeTapEvent(rspEnd!)));
        }, r.latencyMs);
        timers.add(t);
      }
    }, TICK_MS);
    const stop = (): void => {
      clearInterval(tick);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      streams.delete(stop);
      if (!res.writableEnded) res.end();
    };
    streams.add(stop);
    res.on('close', stop);
  }

  return {
    group: TAP_GROUP,
    version: TAP_VERSION,
    discovery: DISCOVERY,
    serving: options.serving ?? (() => true),
    serve(req, res, ctx) {
      const url = new URL(req.url ?? '/', 'http://tap');
      const method = (req.method ?? 'GET').toUpperCase();
      if (method === 'POST' && url.pathname.endsWith('/tap')) {
        handleTap(req, res, url, ctx.review).catch((err: unknown) => {
          if (!res.headersSent)
            writeJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
          else res.destroy();
        });
        return;
      }
      if (method === 'GET' && url.pathname.replace(/\/$/, '') === `/apis/${TAP_GROUP}/${TAP_VERSION}`) {
        writeJson(res, 200, {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: `${TAP_GROUP}/${TAP_VERSION}`,
          resources: RESOURCES.flatMap(([plural, namespaced]) => [
            { name: plural, singularName: '', namespaced, kind: 'Tap', verbs: ['watch'] },
            { name: `${plural}/tap`, singularName: '', namespaced, kind: 'Tap', verbs: ['watch'] },
          ]),
        });
        return;
      }
      writeJson(res, 404, { paths: ['/apis', `/apis/${TAP_GROUP}`, `/apis/${TAP_GROUP}/${TAP_VERSION}`] });
    },
    close() {
      for (const stop of [...streams]) stop();
    },
  };
}
