/**
 * The sandbox Kubernetes API server: serves an ObjectStore over plain HTTP on 127.0.0.1 the
 * way kube-apiserver does, so `kubectl` and @kubernetes/client-node work against it.
 * - discovery (`/version`, `/api`, `/api/v1`, `/apis`, `/apis/G/V`) from the store's kinds;
 * - get, list (label/field selectors, limit + continue), watch (chunked JSON lines; a too-old
 *   resourceVersion is an ERROR event with a 410 Status), create, update, patch, delete,
 *   deletecollection, and the `status` and `scale` subresources;
 * - server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`);
 * - access rules that answer 403 like RBAC, users named by bearer token;
 * - port-forward to targets the caller resolves: WebSocket `v4.channel.k8s.io` (client-node's
 *   PortForward), and SPDY/3.1 (`kubectl port-forward`, plain or tunnelled in a WebSocket).
 * Errors are `Status` bodies with the real codes and reasons.
 */
import { servePodLog, type PodLogSource } from './pod-log.js';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import * as z from 'zod';
import { answerReview, REVIEW_KINDS } from './access-review.js';
import { servedKinds } from './served-kinds.js';
import { createAggregator, type AggregatedApiBackend } from './aggregated-apis.js';
import { denyingRule, type AccessRequest, type AccessRule } from './access-rules.js';
import { authenticate, impersonate } from './authenticate-request.js';
import { ensureBootstrapPolicy } from './bootstrap-policy.js';
import {
  authorizeRbac,
  CLUSTER_ROLE,
  rulesFor,
  type AuthorizationAttributes,
  type Decision,
} from './rbac-authorizer.js';
import { createTokenIssuer } from './service-account-tokens.js';
import { createServingCertificate } from './serving-certificate.js';
import { fieldManagerOf, parseApplyPatch, recordUpdate, serverSideApply } from './server-side-apply.js';
import {
  includeObjectParam,
  isTrue,
  mediaType,
  parseBody,
  readBody,
  record,
  clone,
  statusFailure,
  tableVersionAccepted,
  writeJson,
  writeJsonList,
  writeStatus,
} from './api-messages.js';
import { parseResourcePath, splitGroupVersion, type ResourcePath } from './api-paths.js';
import {
  AUTHENTICATED_GROUP,
  DEFAULT_TOKENS,
  MASTERS_GROUP,
  MESHBOT_USER,
  type UserInfo,
} from './sandbox-identities.js';
import {
  acceptsAggregatedDiscovery,
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiVersions,
  coreResourceList,
  groupResourceList,
  versionInfo,
  type DiscoveryKind,
  type VersionInfo,
} from './discovery-documents.js';
import { apiVersionOf } from './kinds.js';
import { openApiV3GroupVersion, openApiV3Root } from './openapi-documents.js';
import {
  runSpdyPortForward,
  SPDY_PORT_FORWARD_PROTOCOL,
  SPDY_WEBSOCKET_PROTOCOL,
} from './spdy-port-forward.js';
import { applyPatch } from './patch.js';
import {
  choosePortForwardProtocol,
  parsePorts,
  runPortForward,
  type PortForwardTarget,
} from './port-forward-channel.js';
import {
  badRequest,
  conflict,
  forbidden,
  methodNotAllowed,
  notFound,
  StatusError,
  toStatusBody,
  unsupportedMediaType,
} from './status-error.js';
import type { KindSpec, KubeObject, ObjectStore, StatusBody, WatchEvent } from './store-types.js';
import { toTable } from './table-printer.js';

export type { AccessRule } from './access-rules.js';
export {
  CONTROL_PLANE_TOKEN,
  CONTROL_PLANE_USER,
  MESHBOT_USER,
  SANDBOX_TOKEN,
} from './sandbox-identities.js';

/** Where a pod's port is really served, or undefined when nothing listens there. */
export type PortForwardResolver = (namespace: string, pod: string, port: number) => PortForwardTarget;

export interface ApiServerOptions {
  store: ObjectStore;
  /** 0 or absent = ephemeral. */
  port?: number;
  host?: '127.0.0.1';
  /** Rules that deny requests before RBAC is asked (see access-rules.ts). */
  accessRules?: AccessRule[];
  /**
   * Bearer token -> user (a name alone: groups `system:authenticated`), added to
   * DEFAULT_TOKENS (the admin's and the control plane's, both `system:masters`). An unknown
   * token is answered 401 Unauthorized; a request without one acts as `defaultUser`, admin.
   */
  tokens?: Record<string, string | UserInfo>;
  /** The user of token-less requests, and the one rules without a user deny; default MESHBOT_USER. */
  defaultUser?: string;
  /** Create the bootstrap ClusterRoles and bindings (cluster-admin, discovery...); default true. */
  bootstrapPolicy?: boolean;
  /**
   * Told every authorization decision of a request, as kube-apiserver's audit log records
   * them (tests use it to learn which permissions a command uses).
   */
  audit?: (event: AuditEvent) => void;
  portForward?: PortForwardResolver;
  /** The containers' logs that `pods/log` returns (pod-log.ts); absent: every log is empty. */
  podLogs?: PodLogSource;
  version?: Partial<VersionInfo>;
  /** Backends of aggregated APIs, served when an APIService registers them (aggregated-apis.ts). */
  aggregatedApis?: AggregatedApiBackend[];
}

/** One authorization decision: who asked what, and whether it was allowed. */
export interface AuditEvent {
  attributes: AuthorizationAttributes;
  allowed: boolean;
}

export interface RunningApiServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `https://127.0.0.1:PORT2`: a second port, for clients that send tokens only over TLS (kubectl). */
  httpsUrl: string;
  port: number;
  /** PEM of the certificate the https side serves (its own CA). */
  servingCaPem(): Promise<string>;
  setAccessRules(rules: AccessRule[]): void;
  /**
   * A token for an existing ServiceAccount (what `kubectl create token` asks for), valid
   * for `expirationSeconds` (default one day).
   * @throws StatusError 404 when the ServiceAccount does not exist.
   */
  mintServiceAccountToken(namespace: string, name: string, expirationSeconds?: number): string;
  /** Ends open watches, WebSockets and connections, then the server. */
  close(): Promise<void>;
}

/** Kinds whose DELETE answers the deleted object rather than a Status (ReturnDeletedObject). */
const RETURNS_DELETED_OBJECT = new Set(['/pods', '/services', '/serviceaccounts', '/persistentvolumeclaims']);

type Verb = Exclude<AccessRequest['verb'], '*'>;

/** Verbs a scenario access rule can name; others (impersonate, use, bind...) are never denied by one. */
const RULE_VERBS = new Set<string>([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  '*',
]);

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  user: UserInfo;
}

const SPDY_TUNNEL_STAND_IN = 'meshbot-sandbox-spdy-tunnel';

/** The channel protocol client-node offers, else the SPDY tunnel kubectl offers. */
function chooseWebSocketProtocol(offered: Iterable<string>): string | undefined {
  const list = [...offered].map((p) => p.trim());
  if (list.includes(SPDY_TUNNEL_STAND_IN)) return SPDY_WEBSOCKET_PROTOCOL;
  return (
    choosePortForwardProtocol(list) ??
    (list.includes(SPDY_WEBSOCKET_PROTOCOL) ? SPDY_WEBSOCKET_PROTOCOL : undefined)
  );
}

const deleteOptionsSchema = z.object({
  gracePeriodSeconds: z.number().int().nullish(),
  preconditions: z.object({ resourceVersion: z.string().nullish(), uid: z.string().nullish() }).nullish(),
  propagationPolicy: z.string().nullish(),
});

function continueToken(resourceVersion: string, lastKey: string): string {
  return Buffer.from(JSON.stringify({ rv: resourceVersion, start: lastKey })).toString('base64url');
}

function parseContinue(token: string): { rv: string; start: string } {
  try {
    const parsed = z
      .object({ rv: z.string(), start: z.string() })
      .parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return parsed;
  } catch {
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

function objectKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const store = opts.store;
  const host = opts.host ?? '127.0.0.1';
  const defaultUser = opts.defaultUser ?? MESHBOT_USER;
  const tokens: Record<string, UserInfo> = { ...DEFAULT_TOKENS };
  for (const [token, user] of Object.entries(opts.tokens ?? {})) {
    tokens[token] = typeof user === 'string' ? { name: user, groups: [AUTHENTICATED_GROUP] } : user;
  }
  const issuer = createTokenIssuer();
  const anonymous: UserInfo = { name: defaultUser, groups: [MASTERS_GROUP, AUTHENTICATED_GROUP] };
  if (
    (opts.bootstrapPolicy ?? true) &&
    store.kinds().some((k) => k.group === CLUSTER_ROLE.group && k.plural === CLUSTER_ROLE.plural)
  ) {
    ensureBootstrapPolicy(store);
  }
  const version = versionInfo(opts.version);
  let accessRules: AccessRule[] = [...(opts.accessRules ?? [])];
  const aggregator = createAggregator(store, opts.aggregatedApis ?? []);
  let serverAddress = `${host}:0`;

  const sockets = new Set<Duplex>();
  const watches = new Set<() => void>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => chooseWebSocketProtocol(protocols) ?? false,
  });
  let closing = false;

  function kindFor(path: ResourcePath): KindSpec {
    const spec = servedKinds(store).find(
      (k) => k.group === path.group && k.version === path.version && k.plural === path.plural,
    );
    if (!spec) throw notFound404();
    return spec;
  }

  function notFound404(): StatusError {
    return statusFailure(404, 'NotFound', 'the server could not find the requested resource', {});
  }

  /** The authenticated caller, after impersonation. */
  function userOf(req: IncomingMessage): UserInfo {
    const caller = authenticate(req.headers, { tokens, issuer, store, anonymous });
    return impersonate(req.headers, caller, authorize);
  }

  /**
   * The authorizer chain: the scenario's access rules deny first (a fault the sandbox injects,
   * as a denying authorization webhook would), then `system:masters` may do anything, then RBAC.
   */
  function decide(attrs: AuthorizationAttributes): Decision {
    if (attrs.resourceRequest && RULE_VERBS.has(attrs.verb)) {
      const request: AccessRequest = {
        user: attrs.user.name,
        verb: attrs.verb as AccessRequest['verb'],
        group: attrs.group,
        resource: attrs.resource,
        ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
        ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
        ...(attrs.name ? { name: attrs.name } : {}),
      };
      if (denyingRule(accessRules, request, defaultUser)) return { allowed: false, reason: '' };
    }
    if (attrs.user.groups.includes(MASTERS_GROUP)) return { allowed: true, reason: '' };
    return authorizeRbac(store, attrs);
  }

  /** @throws StatusError 403 with the real API server's text when the request is not allowed. */
  function authorize(attrs: AuthorizationAttributes): void {
    const decision = decide(attrs);
    opts.audit?.({ attributes: attrs, allowed: decision.allowed });
    if (decision.allowed) return;
    if (!attrs.resourceRequest) {
      const reason = decision.reason ? `: ${decision.reason}` : '';
      throw statusFailure(
        403,
        'Forbidden',
        `forbidden: User "${attrs.user.name}" cannot ${attrs.verb} path "${attrs.path}"${reason}`,
        {},
      );
    }
    throw forbidden({
      user: attrs.user.name,
      verb: attrs.verb,
      resource: { group: attrs.group, plural: attrs.resource },
      ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
      ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
      ...(attrs.name ? { name: attrs.name } : {}),
      ...(decision.reason ? { reason: decision.reason } : {}),
    });
  }

  function resourceAttributes(user: UserInfo, verb: string, path: ResourcePath): AuthorizationAttributes {
    // Namespace objects are cluster-scoped, but RBAC sees them in their own namespace.
    const namespace =
      path.plural === 'namespaces' && path.group === '' && path.name ? path.name : path.namespace;
    return {
      resourceRequest: true,
      user,
      verb,
      group: path.group,
      resource: path.plural,
      ...(path.subresource ? { subresource: path.subresource } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(path.name ? { name: path.name } : {}),
    };
  }

  /**
   * The main server's authorization of a request from its path alone, as kube-apiserver's
   * RequestInfo reads it (`/watch/` makes the verb `watch` whatever the method): for aggregated
   * APIs and for paths no route serves.
   */
  function authorizeByRequestInfo(r: Request): void {
    const pathname = r.url.pathname.replace(/\/+$/, '') || '/';
    const method = (r.req.method ?? 'GET').toUpperCase();
    const path = isResourcePath(pathname) ? parseResourcePath(pathname) : undefined;
    if (!path) {
      authorize({ resourceRequest: false, user: r.user, verb: method.toLowerCase(), path: r.url.pathname });
      return;
    }
    const verb = path.watchPrefix
      ? 'watch'
      : method === 'GET'
        ? path.name === undefined
          ? 'list'
          : 'get'
        : method === 'POST'
          ? 'create'
          : method === 'PUT'
            ? 'update'
            : method === 'PATCH'
              ? 'patch'
              : path.name === undefined
                ? 'deletecollection'
                : 'delete';
    authorize(resourceAttributes(r.user, verb, path));
  }

  // ---------------------------------------------------------------------------------------
  // Non-resource paths

  /** Whether kube-apiserver sees the path as a resource request (`/api/v1/X...`, `/apis/G/V/X...`). */
  function isResourcePath(pathname: string): boolean {
    const parts = pathname.split('/').filter((p) => p !== '');
    return (parts[0] === 'api' && parts.length >= 3) || (parts[0] === 'apis' && parts.length >= 4);
  }

  function serveNonResource(r: Request): boolean {
    const pathname = r.url.pathname.replace(/\/+$/, '') || '/';
    if (isResourcePath(pathname)) return false;
    authorize({
      resourceRequest: false,
      user: r.user,
      verb: (r.req.method ?? 'GET').toLowerCase(),
      path: r.url.pathname,
    });
    const kinds: DiscoveryKind[] = [...servedKinds(store), ...REVIEW_KINDS, ...aggregator.discoveryKinds()];
    if (pathname === '/version') {
      writeJson(r.res, 200, version);
      return true;
    }
    if (
      pathname === '/healthz' ||
      pathname === '/readyz' ||
      pathname === '/livez' ||
      /^\/(healthz|readyz|livez)\//.test(pathname)
    ) {
      r.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
      r.res.end('ok');
      return true;
    }
    if (pathname === '/openapi/v3') {
      writeJson(r.res, 200, openApiV3Root(kinds));
      return true;
    }
    if (pathname.startsWith('/openapi/v3/')) {
      const doc = openApiV3GroupVersion(kinds, pathname.slice('/openapi/v3/'.length), version.gitVersion);
      if (!doc) throw notFound404();
      writeJson(r.res, 200, doc);
      return true;
    }
    if ((pathname === '/api' || pathname === '/apis') && acceptsAggregatedDiscovery(r.req.headers.accept)) {
      writeJson(
        r.res,
        200,
        aggregatedDiscovery(kinds, pathname === '/api'),
        AGGREGATED_DISCOVERY_CONTENT_TYPE,
      );
      return true;
    }
    if (pathname === '/api') {
      writeJson(r.res, 200, apiVersions(serverAddress));
      return true;
    }
    if (pathname === '/api/v1') {
      writeJson(r.res, 200, coreResourceList(kinds));
      return true;
    }
    if (pathname === '/apis') {
      writeJson(r.res, 200, apiGroupList(kinds));
      return true;
    }
    const groupOnly = /^\/apis\/([^/]+)$/.exec(pathname);
    if (groupOnly?.[1]) {
      const group = apiGroup(kinds, groupOnly[1]);
      if (!group) throw notFound404();
      writeJson(r.res, 200, group);
      return true;
    }
    const gv = splitGroupVersion(pathname);
    if (gv && gv.rest.length === 0) {
      if (gv.group === '' || !kinds.some((k) => k.group === gv.group && k.version === gv.version)) {
        throw notFound404();
      }
      writeJson(r.res, 200, groupResourceList(kinds, gv.group, gv.version));
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------
  // Resources

  async function serveResource(r: Request, path: ResourcePath): Promise<void> {
    const method = r.req.method ?? 'GET';
    // A group version nobody serves is the API server's NotFound, whatever the method (once
    // authorized: the authorization filter runs before the routes).
    const served = (k: { group: string; version: string }) =>
      k.group === path.group && k.version === path.version;
    if (!servedKinds(store).some(served) && !REVIEW_KINDS.some(served)) {
      authorizeByRequestInfo(r);
      throw notFound404();
    }
    const watch = path.watchPrefix || isTrue(r.url.searchParams.get('watch'));
    let verb: Verb;
    if (path.subresource === 'portforward') {
      throw badRequest('Upgrade request required');
    }
    switch (method) {
      case 'GET':
        verb = watch ? 'watch' : path.name === undefined ? 'list' : 'get';
        break;
      case 'POST':
        // POST names an object only for a subresource that creates something (serviceaccounts/token).
        if (path.name !== undefined && path.subresource === undefined) throw methodNotAllowed();
        verb = 'create';
        break;
      case 'PUT':
        if (path.name === undefined) throw methodNotAllowed();
        verb = 'update';
        break;
      case 'PATCH':
        if (path.name === undefined) throw methodNotAllowed();
        verb = 'patch';
        break;
      case 'DELETE':
        verb = path.name === undefined ? 'deletecollection' : 'delete';
        break;
      default:
        throw methodNotAllowed();
    }
    if (path.watchPrefix && method !== 'GET') throw methodNotAllowed();
    authorize(resourceAttributes(r.user, verb, path));
    const review = REVIEW_KINDS.find(
      (k) => k.group === path.group && k.version === path.version && k.plural === path.plural,
    );
    if (review && path.name === undefined && (path.namespace !== undefined) === review.namespaced) {
      if (verb !== 'create') throw methodNotAllowed();
      return serveAccessReview(r, review.kind, path.namespace);
    }
    if (path.group === '' && path.plural === 'pods' && path.subresource === 'log') {
      if (verb !== 'get' || path.namespace === undefined || path.name === undefined) throw methodNotAllowed();
      const source = opts.podLogs;
      return servePodLog(
        r.res,
        { store, ...(source ? { source } : {}) },
        path.namespace,
        path.name,
        r.url.searchParams,
      );
    }
    if (path.group === '' && path.plural === 'serviceaccounts' && path.subresource === 'token') {
      if (verb !== 'create') throw methodNotAllowed();
      return serveTokenRequest(r, path);
    }
    if (method !== 'GET' && r.url.searchParams.getAll('dryRun').some((v) => v !== '')) {
      // Better to refuse than to change the store when the client asked for no change.
      throw badRequest(
        'dryRun is not supported by the meshbot sandbox API server; leave out --dry-run=server',
      );
    }

    const spec = kindFor(path);
    if (spec.namespaced && path.namespace === undefined) {
      if (path.name !== undefined) throw notFound404();
      if (verb !== 'list' && verb !== 'watch') throw methodNotAllowed();
    }
    if (!spec.namespaced && path.namespace !== undefined) throw notFound404();
    if (path.subresource !== undefined) {
      const sub = path.subresource;
      if (sub !== 'status' && sub !== 'scale') throw notFound404();
      if (!(spec.subresources ?? []).includes(sub)) throw notFound404();
      if (verb === 'delete') throw methodNotAllowed();
    }
    if (verb === 'watch' && path.subresource !== undefined) throw methodNotAllowed();

    if (path.subresource === 'scale') return serveScale(r, spec, path, verb);
    if (path.subresource === 'status') return serveStatusSubresource(r, spec, path, verb);

    switch (verb) {
      case 'list':
        return serveList(r, spec, path);
      case 'watch':
        return serveWatch(r, spec, path);
      case 'get':
        return serveGet(r, spec, path);
      case 'create':
        return serveCreate(r, spec, path);
      case 'update':
        return serveUpdate(r, spec, path);
      case 'patch':
        return servePatch(r, spec, path);
      case 'delete':
        return serveDelete(r, spec, path);
      case 'deletecollection':
        return serveDeleteCollection(r, spec, path);
    }
  }

  async function serveAccessReview(r: Request, kind: string, namespace: string | undefined): Promise<void> {
    const body = await parseBody(r.req, kind);
    writeJson(
      r.res,
      201,
      answerReview(kind, body, {
        user: r.user,
        namespace,
        decide,
        rulesFor: (user, ns) => rulesFor(store, user, ns),
      }),
    );
  }

  function mintToken(
    namespace: string,
    name: string,
    expirationSeconds: number,
  ): { token: string; expiresAt: Date } {
    const spec = kindFor({ group: '', version: 'v1', plural: 'serviceaccounts', watchPrefix: false });
    const sa = store.get(spec, namespace, name);
    if (!sa) throw notFound(spec, name);
    return issuer.mint({ namespace, name, uid: sa.metadata.uid ?? '' }, expirationSeconds);
  }

  /** TokenRequest (`kubectl create token NAME`): a token for the ServiceAccount. */
  async function serveTokenRequest(r: Request, path: ResourcePath): Promise<void> {
    const body = record(await parseBody(r.req, 'TokenRequest')) ?? {};
    const spec = record(body['spec']) ?? {};
    const asked = spec['expirationSeconds'];
    const expirationSeconds = typeof asked === 'number' && asked >= 600 ? Math.floor(asked) : 3600;
    const { token, expiresAt } = mintToken(path.namespace ?? '', path.name ?? '', expirationSeconds);
    writeJson(r.res, 201, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: path.name, namespace: path.namespace, creationTimestamp: null },
      spec: {
        audiences: ['https://kubernetes.default.svc.cluster.local'],
        expirationSeconds,
        boundObjectRef: null,
      },
      status: { token, expirationTimestamp: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z') },
    });
  }

  function mustGet(spec: KindSpec, path: ResourcePath): KubeObject {
    const name = path.name ?? '';
    const obj = store.get(spec, path.namespace, name);
    if (!obj) throw notFound(spec, name);
    return obj;
  }

  function listOptions(url: URL, namespace: string | undefined) {
    const labelSelector = url.searchParams.get('labelSelector') ?? undefined;
    const fieldSelector = url.searchParams.get('fieldSelector') ?? undefined;
    return {
      ...(namespace !== undefined ? { namespace } : {}),
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
    };
  }

  async function serveList(r: Request, spec: KindSpec, path: ResourcePath): Promise<void> {
    // The stored objects themselves: serialized (or turned into a Table) here, never changed or kept.
    const { items, resourceVersion } = store.listStored(spec, listOptions(r.url, path.namespace));
    let page = [...items].sort((a, b) =>
      objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0,
    );
    const cont = r.url.searchParams.get('continue');
    if (cont) {
      const { start } = parseContinue(cont);
      page = page.filter((o) => objectKey(o) > start);
    }
    const limit = Number(r.url.searchParams.get('limit') ?? '0');
    let next: string | undefined;
    let remaining: number | undefined;
    if (Number.isInteger(limit) && limit > 0 && page.length > limit) {
      remaining = page.length - limit;
      page = page.slice(0, limit);
      const last = page[page.length - 1];
      if (last) next = continueToken(resourceVersion, objectKey(last));
    }
    const tableVersion = tableVersionAccepted(r.req.headers.accept);
    if (tableVersion) {
      writeJson(
        r.res,
        200,
        toTable(spec, page, {
          include: includeObjectParam(r.url),
          apiVersion: tableVersion,
          resourceVersion,
          ...(next ? { continueToken: next } : {}),
        }),
      );
      return;
    }
    const metadata: Record<string, unknown> = { resourceVersion };
    if (next) {
      metadata['continue'] = next;
      metadata['remainingItemCount'] = remaining;
    }
    await writeJsonList(r.res, { kind: `${spec.kind}List`, apiVersion: apiVersionOf(spec), metadata }, page);
  }

  function serveGet(r: Request, spec: KindSpec, path: ResourcePath): void {
    const obj = mustGet(spec, path);
    const tableVersion = tableVersionAccepted(r.req.headers.accept);
    if (tableVersion) {
      writeJson(
        r.res,
        200,
        toTable(spec, [obj], {
          include: includeObjectParam(r.url),
          apiVersion: tableVersion,
          ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
        }),
      );
      return;
    }
    writeJson(r.res, 200, obj);
  }

  function serveWatch(r: Request, spec: KindSpec, path: ResourcePath): void {
    const options = listOptions(r.url, path.namespace);
    if (path.name !== undefined) {
      const byName = `metadata.name=${path.name}`;
      options.fieldSelector = options.fieldSelector ? `${options.fieldSelector},${byName}` : byName;
    }
    const resourceVersion = r.url.searchParams.get('resourceVersion') ?? undefined;
    const allowWatchBookmarks = isTrue(r.url.searchParams.get('allowWatchBookmarks'));
    const tableVersion = tableVersionAccepted(r.req.headers.accept);
    const include = includeObjectParam(r.url);
    const { res } = r;

    let tableHeadersSent = false;
    const toWire = (ev: WatchEvent): unknown => {
      if (!tableVersion || ev.type === 'BOOKMARK') return ev;
      const table = toTable(spec, [ev.object], {
        include,
        apiVersion: tableVersion,
        noHeaders: tableHeadersSent,
        ...(ev.object.metadata.resourceVersion
          ? { resourceVersion: ev.object.metadata.resourceVersion }
          : {}),
      });
      tableHeadersSent = true;
      return { type: ev.type, object: table };
    };
    // Events the store delivers while the watch starts wait until the response has begun.
    let pending: unknown[] | undefined = [];
    const send = (event: unknown): void => {
      if (pending) pending.push(event);
      else if (!res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
    };
    const begin = (): void => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-cache, private',
        'Transfer-Encoding': 'chunked',
      });
      res.flushHeaders();
      const queued = pending ?? [];
      pending = undefined;
      for (const event of queued) send(event);
    };

    let stop: (() => void) | undefined;
    try {
      stop = store.watch(
        spec,
        {
          ...options,
          ...(resourceVersion !== undefined && resourceVersion !== '' ? { resourceVersion } : {}),
          allowWatchBookmarks,
        },
        (ev) => send(toWire(ev)),
      );
    } catch (err) {
      const status = toStatusBody(err);
      // A bad request (selector, resourceVersion) is an HTTP error; a resourceVersion too old
      // is answered 200 with the Status as an ERROR event, as the real server does.
      if (status.code !== 410) throw err;
      begin();
      send({ type: 'ERROR', object: status });
      res.end();
      return;
    }

    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      watches.delete(end);
      if (timer) clearTimeout(timer);
      stop?.();
      stop = undefined;
      if (!res.writableEnded) res.end();
    };
    watches.add(end);
    r.req.on('close', end);
    res.on('close', end);
    if (r.req.destroyed || res.destroyed) {
      end();
      return;
    }
    begin();
    const timeoutSeconds = Number(r.url.searchParams.get('timeoutSeconds') ?? '0');
    if (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0) {
      timer = setTimeout(end, timeoutSeconds * 1000);
    }
  }

  async function objectBody(r: Request, spec: KindSpec, path: ResourcePath): Promise<KubeObject> {
    const body = record(await parseBody(r.req, spec.kind));
    if (!body) throw badRequest(`the object provided is unrecognized (must be of type ${spec.kind})`);
    const expectedApiVersion = apiVersionOf(spec);
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== expectedApiVersion) {
      throw badRequest(
        `the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${expectedApiVersion})`,
      );
    }
    if (body['kind'] !== undefined && body['kind'] !== spec.kind) {
      throw badRequest(
        `the kind in the data (${String(body['kind'])}) does not match the expected kind (${spec.kind})`,
      );
    }
    const rawMeta = body['metadata'];
    if (rawMeta !== undefined && !record(rawMeta)) throw badRequest('metadata must be an object');
    const metadata = { ...(record(rawMeta) ?? {}) };
    if (spec.namespaced) {
      const ns = metadata['namespace'];
      if (ns !== undefined && ns !== '' && ns !== path.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata['namespace'] = path.namespace;
    } else {
      delete metadata['namespace'];
    }
    if (typeof metadata['name'] !== 'string') metadata['name'] = '';
    return { ...body, apiVersion: expectedApiVersion, kind: spec.kind, metadata } as KubeObject;
  }

  async function serveCreate(r: Request, spec: KindSpec, path: ResourcePath): Promise<void> {
    const obj = await objectBody(r, spec, path);
    writeJson(r.res, 201, store.create(obj));
  }

  /** For kinds with a status subresource, writes to the main resource keep the current status. */
  function keepStatus(spec: KindSpec, next: KubeObject, current: KubeObject): KubeObject {
    if (!(spec.subresources ?? []).includes('status')) return next;
    const out: KubeObject = { ...next };
    if (current['status'] === undefined) delete out['status'];
    else out['status'] = clone(current['status']);
    return out;
  }

  async function serveUpdate(r: Request, spec: KindSpec, path: ResourcePath): Promise<void> {
    const obj = await objectBody(r, spec, path);
    const name = path.name ?? '';
    if (obj.metadata.name !== '' && obj.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    obj.metadata.name = name;
    const current = mustGet(spec, path);
    const next = recordUpdate(obj, current, fieldManagerOf(r.url.searchParams, r.req.headers['user-agent']));
    writeJson(r.res, 200, store.update(keepStatus(spec, next, current)));
  }

  async function patchBody(r: Request): Promise<{ patch: unknown; contentType: string }> {
    const contentType = mediaType(r.req);
    if (contentType === 'application/apply-patch+yaml' || contentType === 'application/apply-patch+cbor') {
      throw unsupportedMediaType(contentType, [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        '(server-side apply is served on objects, not on their status or scale, by the meshbot sandbox API server)',
      ]);
    }
    const text = (await readBody(r.req)).toString('utf8');
    return { patch: text, contentType };
  }

  /** Server-side apply: creates the object when missing (which also needs `create`). */
  async function serveApply(r: Request, spec: KindSpec, path: ResourcePath): Promise<void> {
    const manager = r.url.searchParams.get('fieldManager');
    if (!manager) {
      throw statusFailure(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    }
    const applied = parseApplyPatch((await readBody(r.req)).toString('utf8'));
    const expected = apiVersionOf(spec);
    if (applied.apiVersion !== expected || applied.kind !== spec.kind) {
      throw badRequest(
        `the API version in the data (${String(applied.apiVersion)}) or kind (${String(applied.kind)}) does not match the expected ${expected} ${spec.kind}`,
      );
    }
    const name = path.name ?? '';
    if (applied.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${String(applied.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    const force = isTrue(r.url.searchParams.get('force'));
    const current = store.get(spec, path.namespace, name);
    if (!current) {
      authorize(resourceAttributes(r.user, 'create', path));
      const created = serverSideApply({ current: undefined, applied, manager, force });
      if (spec.namespaced) created.metadata.namespace = path.namespace;
      writeJson(r.res, 201, store.create(created));
      return;
    }
    const next = serverSideApply({ current, applied, manager, force });
    writeJson(r.res, 200, store.update(keepStatus(spec, next, current)));
  }

  async function servePatch(r: Request, spec: KindSpec, path: ResourcePath): Promise<void> {
    if (mediaType(r.req) === 'application/apply-patch+yaml') return serveApply(r, spec, path);
    const { patch, contentType } = await patchBody(r);
    const current = mustGet(spec, path);
    const next = applyPatch(clone(current), patch, contentType);
    if (next.metadata.name !== current.metadata.name) {
      throw badRequest(
        `the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${current.metadata.name})`,
      );
    }
    if (next.metadata.namespace !== current.metadata.namespace) {
      throw badRequest(
        `the namespace of the object (${String(next.metadata.namespace)}) does not match the namespace on the URL (${String(current.metadata.namespace)})`,
      );
    }
    recordUpdate(next, current, fieldManagerOf(r.url.searchParams, r.req.headers['user-agent']));
    writeJson(r.res, 200, store.update(keepStatus(spec, next, current)));
  }

  async function serveDelete(r: Request, spec: KindSpec, path: ResourcePath): Promise<void> {
    const body = await parseBody(r.req, 'DeleteOptions');
    const parsed = deleteOptionsSchema.safeParse(body ?? {});
    if (!parsed.success) throw badRequest(`invalid DeleteOptions: ${parsed.error.issues[0]?.message ?? ''}`);
    const options = parsed.data;
    const current = mustGet(spec, path);
    const uid = options.preconditions?.uid;
    if (uid && uid !== current.metadata.uid) {
      throw conflict(
        spec,
        current.metadata.name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid ?? ''}`,
      );
    }
    const queryGrace = r.url.searchParams.get('gracePeriodSeconds');
    const grace =
      queryGrace !== null && queryGrace !== '' && Number.isInteger(Number(queryGrace))
        ? Number(queryGrace)
        : (options.gracePeriodSeconds ?? undefined);
    const rv = options.preconditions?.resourceVersion ?? undefined;
    const deleted = store.delete(spec, path.namespace, current.metadata.name, {
      ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
      ...(rv ? { preconditionResourceVersion: rv } : {}),
    });
    const stillThere = store.get(spec, path.namespace, current.metadata.name) !== undefined;
    if (stillThere || RETURNS_DELETED_OBJECT.has(`${spec.group}/${spec.plural}`)) {
      writeJson(r.res, 200, deleted);
      return;
    }
    writeJson(r.res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: current.metadata.name,
        ...(spec.group ? { group: spec.group } : {}),
        kind: spec.plural,
        ...(current.metadata.uid ? { uid: current.metadata.uid } : {}),
      },
    });
  }

  async function serveDeleteCollection(r: Request, spec: KindSpec, path: ResourcePath): Promise<void> {
    await readBody(r.req);
    const { items } = store.list(spec, listOptions(r.url, path.namespace));
    const deleted: KubeObject[] = [];
    for (const item of items) {
      deleted.push(store.delete(spec, item.metadata.namespace, item.metadata.name));
    }
    writeJson(r.res, 200, {
      kind: `${spec.kind}List`,
      apiVersion: apiVersionOf(spec),
      metadata: { resourceVersion: store.resourceVersion() },
      items: deleted,
    });
  }

  // ---------------------------------------------------------------------------------------
  // Subresources

  async function serveScale(r: Request, spec: KindSpec, path: ResourcePath, verb: Verb): Promise<void> {
    const name = path.name ?? '';
    if (verb === 'get') {
      writeJson(r.res, 200, store.getScale(spec, path.namespace, name));
      return;
    }
    if (verb === 'update') {
      const body = record(await parseBody(r.req, 'Scale'));
      if (!body) throw badRequest('the object provided is unrecognized (must be of type Scale)');
      const metadata = record(body['metadata']) ?? {};
      if (typeof metadata['name'] === 'string' && metadata['name'] !== '' && metadata['name'] !== name) {
        throw badRequest(
          `the name of the object (${metadata['name']}) does not match the name on the URL (${name})`,
        );
      }
      const scale = { ...body, metadata: { ...metadata, name } } as KubeObject;
      writeJson(r.res, 200, store.updateScale(spec, path.namespace, name, scale));
      return;
    }
    if (verb === 'patch') {
      const { patch, contentType } = await patchBody(r);
      writeJson(
        r.res,
        200,
        store.patch(spec, path.namespace, name, patch, contentType, { subresource: 'scale' }),
      );
      return;
    }
    throw methodNotAllowed();
  }

  async function serveStatusSubresource(
    r: Request,
    spec: KindSpec,
    path: ResourcePath,
    verb: Verb,
  ): Promise<void> {
    const name = path.name ?? '';
    if (verb === 'get') {
      writeJson(r.res, 200, mustGet(spec, path));
      return;
    }
    if (verb === 'update') {
      const obj = await objectBody(r, spec, path);
      if (obj.metadata.name !== '' && obj.metadata.name !== name) {
        throw badRequest(
          `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
        );
      }
      obj.metadata.name = name;
      writeJson(r.res, 200, store.updateStatus(obj));
      return;
    }
    if (verb === 'patch') {
      const { patch, contentType } = await patchBody(r);
      writeJson(
        r.res,
        200,
        store.patch(spec, path.namespace, name, patch, contentType, { subresource: 'status' }),
      );
      return;
    }
    throw methodNotAllowed();
  }

  // ---------------------------------------------------------------------------------------
  // HTTP plumbing

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', `http://${host}`);
      const user = userOf(req);
      const r: Request = { req, res, url, user };
      const aggregated = aggregator.route(url.pathname);
      if (aggregated) {
        // The aggregator's handler runs after the main server's authentication and authorization.
        authorizeByRequestInfo(r);
        aggregator.forward(req, res, aggregated, user, (attrs) => {
          const decision = decide(attrs);
          opts.audit?.({ attributes: attrs, allowed: decision.allowed });
          return decision;
        });
        return;
      }
      if (serveNonResource(r)) return;
      const path = parseResourcePath(url.pathname);
      if (!path) throw notFound404();
      await serveResource(r, path);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      writeStatus(res, toStatusBody(err));
    }
  }

  function rejectUpgrade(socket: Duplex, status: StatusBody): void {
    const text = JSON.stringify(status);
    socket.end(
      `HTTP/1.1 ${status.code} ${http.STATUS_CODES[status.code] ?? 'Error'}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(text)}\r\n` +
        'Connection: close\r\n\r\n' +
        text,
    );
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Node takes its own error listener off upgraded sockets: a reset must not crash the process.
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(req.url ?? '/', `http://${host}`);
      const user = userOf(req);
      const path = parseResourcePath(url.pathname);
      if (!path || path.subresource !== 'portforward' || path.group !== '' || path.plural !== 'pods') {
        throw notFound404();
      }
      // SPDY upgrades are POSTs (verb create); WebSocket upgrades GETs (verb get), and since
      // Kubernetes 1.35 (AuthorizePodWebsocketUpgradeCreatePermission, on by default) they need
      // `create` as well.
      const upgradeVerb = (req.method ?? 'GET').toUpperCase() === 'GET' ? 'get' : 'create';
      authorize(resourceAttributes(user, upgradeVerb, path));
      if (upgradeVerb === 'get') authorize(resourceAttributes(user, 'create', path));
      const spec = kindFor(path);
      if (path.namespace === undefined || path.name === undefined) throw notFound404();
      const pod = mustGet(spec, path);
      const phase = record(pod['status'])?.['phase'];
      if (phase !== 'Running') {
        throw badRequest(
          `unable to forward port because pod is not running. Current status=${typeof phase === 'string' ? phase : 'Unknown'}`,
        );
      }
      const namespace = path.namespace;
      const podName = path.name;
      const forwardSession = {
        namespace,
        pod: podName,
        uid: pod.metadata.uid ?? '',
        resolve: (port: number) => opts.portForward?.(namespace, podName, port),
        track: (s: Socket) => {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
        },
      };
      const upgrade = (req.headers.upgrade ?? '').toLowerCase();

      if (upgrade === 'spdy/3.1') {
        // kubectl port-forward: SPDY/3.1 straight after an HTTP upgrade.
        const versions = String(req.headers['x-stream-protocol-version'] ?? '')
          .split(',')
          .map((v) => v.trim());
        if (!versions.includes(SPDY_PORT_FORWARD_PROTOCOL)) {
          throw badRequest(
            `unable to upgrade: X-Stream-Protocol-Version must offer ${SPDY_PORT_FORWARD_PROTOCOL}`,
          );
        }
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\n' +
            'Connection: Upgrade\r\n' +
            'Upgrade: SPDY/3.1\r\n' +
            `X-Stream-Protocol-Version: ${SPDY_PORT_FORWARD_PROTOCOL}\r\n\r\n`,
        );
        if (head.length > 0) socket.unshift(head);
        runSpdyPortForward(socket, forwardSession);
        return;
      }

      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      const protocol = upgrade === 'websocket' ? chooseWebSocketProtocol(offered) : undefined;
      if (!protocol) {
        throw badRequest(
          `port-forward over ${upgrade === 'websocket' ? offered.join(', ') || 'a WebSocket without subprotocol' : `an ${upgrade || 'unknown'} upgrade`} ` +
            'is not supported by the meshbot sandbox API server; it speaks v4.channel.k8s.io and ' +
            `${SPDY_WEBSOCKET_PROTOCOL} over WebSocket, and SPDY/3.1`,
        );
      }
      const ports = protocol === SPDY_WEBSOCKET_PROTOCOL ? [] : parsePorts(url.searchParams);
      if (typeof ports === 'string') throw badRequest(ports);
      if (protocol === SPDY_WEBSOCKET_PROTOCOL) {
        // `/` and `+` are not token characters, so ws refuses the header kubectl sends; it gets
        // a stand-in here and handleProtocols answers with the real name.
        req.headers['sec-websocket-protocol'] = SPDY_TUNNEL_STAND_IN;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (closing) {
          ws.terminate();
          return;
        }
        if (ws.protocol === SPDY_WEBSOCKET_PROTOCOL) {
          // kubectl >= 1.31: SPDY tunnelled in WebSocket binary messages.
          const stream = createWebSocketStream(ws);
          stream.on('error', () => stream.destroy());
          runSpdyPortForward(stream, forwardSession);
          return;
        }
        runPortForward(ws, { ...forwardSession, ports });
      });
    } catch (err) {
      rejectUpgrade(socket, toStatusBody(err));
    }
  }

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  server.on('upgrade', handleUpgrade);

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  // A second port speaks HTTPS (kubectl sends a kubeconfig's token only over https); its
  // certificate is made when the first connection arrives or a kubeconfig asks for it.
  let tlsServer: Promise<{ server: https.Server; caPem: string }> | undefined;
  const startTls = () =>
    (tlsServer ??= createServingCertificate().then((cert) => {
      const secure = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
        void handle(req, res);
      });
      secure.on('upgrade', handleUpgrade);
      secure.on('tlsClientError', (_err, socket) => socket.destroy());
      return { server: secure, caPem: cert.certPem };
    }));
  const tlsFront = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    startTls().then(
      (tls) => (closing ? socket.destroy() : tls.server.emit('connection', socket)),
      () => socket.destroy(),
    );
  });

  const listen = (srv: net.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, host, () => {
        srv.off('error', reject);
        resolve((srv.address() as AddressInfo).port);
      });
    });
  const port = await listen(server, opts.port ?? 0);
  const tlsPort = await listen(tlsFront, 0).catch(async (err: unknown) => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  });
  serverAddress = `${host}:${port}`;

  return {
    url: `http://${host}:${port}`,
    httpsUrl: `https://${host}:${tlsPort}`,
    port,
    async servingCaPem() {
      return (await startTls()).caPem;
    },
    setAccessRules(rules: AccessRule[]) {
      accessRules = [...rules];
    },
    mintServiceAccountToken(namespace, name, expirationSeconds = 86_400) {
      return mintToken(namespace, name, expirationSeconds).token;
    },
    async close() {
      if (closing) return;
      closing = true;
      for (const end of [...watches]) end();
      for (const ws of wss.clients) ws.terminate();
      const closed = Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => tlsFront.close(() => resolve())),
      ]);
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
      if (tlsServer) {
        const tls = await tlsServer.catch(() => undefined);
        tls?.server.closeAllConnections();
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
