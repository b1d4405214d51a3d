/**
 * The API aggregation layer of kube-apiserver (k8s.io/kube-aggregator), as far as the sandbox
 * needs it: an APIService object `VERSION.GROUP` (apiregistration.k8s.io/v1) whose `spec.service`
 * names a backend makes `/apis/GROUP/VERSION/...` that backend's. The main server authenticates
 * and authorizes the request first (its RBAC sees the path's verb, resource and subresource), then
 * hands it over with the caller's identity in the request-header authentication headers
 * (`X-Remote-User`, `X-Remote-Group`), as the aggregator's proxy does. An APIService that is
 * not Available, or whose backend is not running, answers 503 `service unavailable` (text), and
 * its group is left out of discovery.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DiscoveryKind } from './discovery-documents.js';
import type { AuthorizationAttributes, Decision } from './rbac-authorizer.js';
import type { UserInfo } from './sandbox-identities.js';
import type { ObjectStore } from './store-types.js';

/** APIServices (the kind is served from kinds.ts). */
const API_SERVICE = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService' } as const;

/** The headers the aggregator sets for the backend (requestheader authentication). */
export const REMOTE_USER_HEADER = 'x-remote-user';
export const REMOTE_GROUP_HEADER = 'x-remote-group';
const REMOTE_EXTRA_PREFIX = 'x-remote-extra-';

/** A backend behind an APIService (the sandbox runs it in process). */
export interface AggregatedApiBackend {
  group: string;
  version: string;
  /** What discovery lists for the group version while the backend is available. */
  discovery: DiscoveryKind[];
  /** Whether the backend's pods serve (false: 503, as with no endpoints). */
  serving(): boolean;
  /**
   * Serves a request the main server authenticated and authorized. `review` is the
   * SubjectAccessReview the backend may ask (delegated authorization).
   */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: { review(attrs: AuthorizationAttributes): Decision },
  ): void;
}

/** The APIService object of a backend, as `linkerd viz install` creates it. */
export function apiServiceObject(
  backend: Pick<AggregatedApiBackend, 'group' | 'version'>,
  service: { namespace: string; name: string },
): Record<string, unknown> {
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: `${backend.version}.${backend.group}` },
    spec: {
      group: backend.group,
      version: backend.version,
      groupPriorityMinimum: 1000,
      versionPriority: 100,
      service: { namespace: service.namespace, name: service.name, port: 443 },
    },
  };
}

function isAvailable(store: ObjectStore, name: string): boolean | undefined {
  const obj = store.get(API_SERVICE, undefined, name);
  if (!obj) return undefined;
  const spec = (obj.spec ?? {}) as { service?: unknown };
  if (!spec.service) return undefined; // a local APIService: the main server's own group
  return true;
}

export interface Aggregator {
  /** The backend a path belongs to, when an APIService registers its group version. */
  route(pathname: string): { backend: AggregatedApiBackend | undefined; name: string } | undefined;
  /** Discovery kinds of the available aggregated group versions. */
  discoveryKinds(): DiscoveryKind[];
  /** Hands an authorized request to its backend, or answers 503. */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: { backend: AggregatedApiBackend | undefined },
    user: UserInfo,
    review: (attrs: AuthorizationAttributes) => Decision,
  ): void;
}

export function createAggregator(store: ObjectStore, backends: readonly AggregatedApiBackend[]): Aggregator {
  const available = (b: AggregatedApiBackend | undefined, name: string): b is AggregatedApiBackend =>
    b !== undefined && isAvailable(store, name) === true && b.serving();
  return {
    route(pathname) {
      const m = /^\/apis\/([^/]+)\/([^/]+)(\/|$)/.exec(pathname);
      if (!m) return undefined;
      const [, group, version] = m;
      const name = `${version}.${group}`;
      if (isAvailable(store, name) === undefined) return undefined;
      return { backend: backends.find((b) => b.group === group && b.version === version), name };
    },
    discoveryKinds() {
      return backends.filter((b) => available(b, `${b.version}.${b.group}`)).flatMap((b) => b.discovery);
    },
    forward(req, res, target, user, review) {
      const backend = target.backend;
      if (!backend || !available(backend, `${backend.version}.${backend.group}`)) {
        // kube-aggregator's proxyError: http.Error(w, "service unavailable", 503).
        res.writeHead(503, {
          'Content-Type': 'text/plain; charset=utf-8',
          'X-Content-Type-Options': 'nosniff',
        });
        res.end('service unavailable\n');
        return;
      }
      // The caller's own request-header values never reach the backend: the aggregator sets them.
      for (const key of Object.keys(req.headers)) {
        if (
          key === REMOTE_USER_HEADER ||
          key === REMOTE_GROUP_HEADER ||
          key.startsWith(REMOTE_EXTRA_PREFIX)
        ) {
          delete req.headers[key];
        }
      }
      req.headers[REMOTE_USER_HEADER] = user.name;
      req.headers[REMOTE_GROUP_HEADER] = user.groups.join(',');
      backend.serve(req, res, { review });
    },
  };
}

/** The caller as the backend reads it from the aggregator's headers. */
export function remoteUser(req: IncomingMessage): UserInfo {
  const name = String(req.headers[REMOTE_USER_HEADER] ?? '');
  const groups = String(req.headers[REMOTE_GROUP_HEADER] ?? '')
    .split(',')
    .filter((g) => g !== '');
  return { name, groups };
}
