/**
 * Reads of the objects that define a service's routes, for the routes step: its ServiceProfile
 * (`linkerd.io/v1alpha2`, named `SERVICE.NAMESPACE.svc.CLUSTER_DOMAIN`) and the HTTPRoutes of its
 * namespace, of both API groups Linkerd reads (`gateway.networking.k8s.io/v1` and
 * `policy.linkerd.io/v1beta3`) and its GRPCRoutes (`gateway.networking.k8s.io/v1`, the only
 * GRPCRoute Linkerd reads: policy-controller's outbound index, linkerd-crds' Gateway API CRDs).
 * Answers are parsed with zod into small shapes. A resource the cluster does not serve (its CRD
 * is not installed) answers 404 without naming an object ("the server could not find the
 * requested resource"): it reads as none, marked `served: false`, so that the step can say which
 * route model the cluster lacks; a 404 naming the object (`serviceprofiles.linkerd.io "x" not
 * found`) is an object that does not exist.
 */
import * as z from 'zod';
import type { KubeCall } from './kube-call.js';
import type { KubeGet } from './kube-get.js';
import { failedAnswer, parseStatus } from './translate-kube-error.js';

export interface ServiceProfileRoute {
  name: string;
  method?: string;
  pathRegex?: string;
}

export interface KubeServiceProfile {
  name: string;
  namespace: string;
  routes: ServiceProfileRoute[];
}

export const HTTP_ROUTE_GROUPS = ['gateway.networking.k8s.io', 'policy.linkerd.io'] as const;
export type HttpRouteGroup = (typeof HTTP_ROUTE_GROUPS)[number];

/** The version meshbot reads of each HTTPRoute group. */
export const HTTP_ROUTE_VERSIONS: Record<HttpRouteGroup, string> = {
  'gateway.networking.k8s.io': 'v1',
  'policy.linkerd.io': 'v1beta3',
};

/** The one GRPCRoute group and version Linkerd reads (there is no policy.linkerd.io GRPCRoute). */
export const GRPC_ROUTE_GROUP = 'gateway.networking.k8s.io';
export const GRPC_ROUTE_VERSION = 'v1';

export interface HttpRouteParentRef {
  group: string;
  kind: string;
  name: string;
  namespace: string;
  port?: number;
}

export interface KubeHttpRoute {
  group: HttpRouteGroup;
  name: string;
  namespace: string;
  parentRefs: HttpRouteParentRef[];
  /** Each rule's matches, as one line each (`GET PathPrefix /api`), for people. */
  matches: string[];
}

export interface KubeGrpcRoute {
  group: typeof GRPC_ROUTE_GROUP;
  name: string;
  namespace: string;
  parentRefs: HttpRouteParentRef[];
  /** Each rule's matches, as one line each (`Exact emoji.v1.EmojiService/ListAll`), for people. */
  matches: string[];
}

/**
 * A read of one route resource: what it found, and whether the cluster serves the resource at
 * all (false: its CRD is not installed, `value` is none); `resource` is `PLURAL.GROUP`.
 */
export interface RouteRead<T> {
  resource: string;
  served: boolean;
  value: T;
}

export interface RouteObjectReader {
  /** The ServiceProfile of a service (by its FQDN name), or undefined. */
  getServiceProfile(
    namespace: string,
    service: string,
    clusterDomain: string,
  ): Promise<RouteRead<KubeServiceProfile | undefined>>;
  /** The HTTPRoutes of one API group in a namespace. */
  listHttpRoutes(namespace: string, group: HttpRouteGroup): Promise<RouteRead<KubeHttpRoute[]>>;
  /** The GRPCRoutes (gateway.networking.k8s.io/v1) of a namespace. */
  listGrpcRoutes(namespace: string): Promise<RouteRead<KubeGrpcRoute[]>>;
}

/**
 * Is a failure the API server's answer for a resource it does not serve? A 404 whose Status
 * names no object (or a plain-text `404 page not found`), as opposed to one naming the object.
 */
export function isResourceNotServed(err: unknown): boolean {
  const answer = failedAnswer(err);
  return answer?.code === 404 && !parseStatus(answer.body)?.details?.name;
}

/** Marks an answer of a resource the cluster does not serve. */
const NOT_SERVED = Symbol('not served');

async function getServed(get: KubeGet, path: string): Promise<unknown> {
  try {
    return await get(path);
  } catch (err) {
    if (isResourceNotServed(err)) return NOT_SERVED;
    throw err;
  }
}

const metadata = z.object({ name: z.string(), namespace: z.string().optional() });

const serviceProfileSchema = z.object({
  metadata,
  spec: z
    .object({
      routes: z
        .array(
          z.object({
            name: z.string(),
            condition: z
              .object({ method: z.string().optional(), pathRegex: z.string().optional() })
              .loose()
              .optional(),
          }),
        )
        .nullish(),
    })
    .loose()
    .optional(),
});

const httpRouteMatchSchema = z
  .object({
    path: z.object({ type: z.string().optional(), value: z.string().optional() }).optional(),
    method: z.string().optional(),
  })
  .loose();

const parentRefsSchema = z
  .array(
    z.object({
      group: z.string().optional(),
      kind: z.string().optional(),
      name: z.string(),
      namespace: z.string().optional(),
      port: z.number().optional(),
    }),
  )
  .nullish();

/** An HTTPRoute or a GRPCRoute: parentRefs, and rules with the given kind of matches. */
const routeSchema = <M extends z.ZodType>(match: M) =>
  z.object({
    metadata,
    spec: z
      .object({
        parentRefs: parentRefsSchema,
        rules: z.array(z.object({ matches: z.array(match).nullish() }).loose()).nullish(),
      })
      .loose()
      .optional(),
  });

const httpRouteSchema = routeSchema(httpRouteMatchSchema);

/** GRPCRoute `matches[].method` (Gateway API: type Exact by default, service and method optional). */
const grpcRouteMatchSchema = z
  .object({
    method: z
      .object({ type: z.string().optional(), service: z.string().optional(), method: z.string().optional() })
      .loose()
      .optional(),
  })
  .loose();

const grpcRouteSchema = routeSchema(grpcRouteMatchSchema);

const listSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

function describeMatch(m: z.infer<typeof httpRouteMatchSchema>): string {
  const path = m.path ? `${m.path.type ?? 'PathPrefix'} ${m.path.value ?? '/'}` : 'PathPrefix /';
  return m.method ? `${m.method} ${path}` : path;
}

function describeGrpcMatch(m: z.infer<typeof grpcRouteMatchSchema>): string {
  const type = m.method?.type ?? 'Exact';
  return `${type} ${m.method?.service ?? '*'}/${m.method?.method ?? '*'}`;
}

type RouteShape = Pick<KubeHttpRoute, 'name' | 'namespace' | 'parentRefs' | 'matches'>;

type ParsedRoute<M> = {
  metadata: z.infer<typeof metadata>;
  spec?: { parentRefs?: z.infer<typeof parentRefsSchema>; rules?: Array<{ matches?: M[] | null }> | null };
};

/** The name, namespace, parents and matches of a listed route (parentRef defaults as the Gateway API's). */
function routeShape<M>(
  r: ParsedRoute<M>,
  namespace: string,
  describe: (m: M | Record<string, never>) => string,
): RouteShape {
  return {
    name: r.metadata.name,
    namespace: r.metadata.namespace ?? namespace,
    parentRefs: (r.spec?.parentRefs ?? []).map((p) => ({
      group: p.group ?? 'gateway.networking.k8s.io',
      kind: p.kind ?? 'Gateway',
      name: p.name,
      namespace: p.namespace ?? r.metadata.namespace ?? namespace,
      ...(p.port !== undefined ? { port: p.port } : {}),
    })),
    matches: (r.spec?.rules ?? []).flatMap((rule) =>
      (rule.matches?.length ? rule.matches : [{} as Record<string, never>]).map(describe),
    ),
  };
}

/** GETs of the custom resources (no Kubernetes client) under the adapter set's call discipline. */
export function createRouteObjectReader({
  calls,
  get,
}: {
  calls: KubeCall;
  get: KubeGet;
}): RouteObjectReader {
  return {
    async getServiceProfile(namespace, service, clusterDomain) {
      const resource = 'serviceprofiles.linkerd.io';
      const name = `${service}.${namespace}.svc.${clusterDomain}`;
      const raw = await calls.callOrAbsent(
        { verb: 'get', resource: 'serviceprofiles', group: 'linkerd.io', namespace, name },
        () =>
          getServed(
            get,
            `/apis/linkerd.io/v1alpha2/namespaces/${encodeURIComponent(namespace)}/serviceprofiles/${encodeURIComponent(name)}`,
          ),
      );
      if (raw === NOT_SERVED) return { resource, served: false, value: undefined };
      if (raw === undefined) return { resource, served: true, value: undefined };
      const sp = calls.parse(serviceProfileSchema, raw, 'ServiceProfile');
      return {
        resource,
        served: true,
        value: {
          name: sp.metadata.name,
          namespace: sp.metadata.namespace ?? namespace,
          routes: (sp.spec?.routes ?? []).map((r) => ({
            name: r.name,
            ...(r.condition?.method ? { method: r.condition.method } : {}),
            ...(r.condition?.pathRegex ? { pathRegex: r.condition.pathRegex } : {}),
          })),
        },
      };
    },
    listHttpRoutes: (namespace, group) =>
      listRoutes(
        { plural: 'httproutes', group, version: HTTP_ROUTE_VERSIONS[group], kind: 'HTTPRoute' },
        namespace,
        (raw) => calls.parse(listSchema(httpRouteSchema), raw, `${group} HTTPRoute list`).items,
        describeMatch,
      ),
    listGrpcRoutes: (namespace) =>
      listRoutes(
        { plural: 'grpcroutes', group: GRPC_ROUTE_GROUP, version: GRPC_ROUTE_VERSION, kind: 'GRPCRoute' },
        namespace,
        (raw) => calls.parse(listSchema(grpcRouteSchema), raw, `${GRPC_ROUTE_GROUP} GRPCRoute list`).items,
        describeGrpcMatch,
      ),
  };

  /** The routes of one kind (HTTPRoute, GRPCRoute) in a namespace, in the shape both share. */
  async function listRoutes<G extends string, M>(
    kind: { plural: string; group: G; version: string; kind: string },
    namespace: string,
    parse: (raw: unknown) => Array<ParsedRoute<M>>,
    describe: (m: M | Record<string, never>) => string,
  ): Promise<RouteRead<Array<RouteShape & { group: G }>>> {
    const { plural, group, version } = kind;
    const resource = `${plural}.${group}`;
    const raw = await calls.call({ verb: 'list', resource: plural, group, namespace }, () =>
      getServed(get, `/apis/${group}/${version}/namespaces/${encodeURIComponent(namespace)}/${plural}`),
    );
    if (raw === NOT_SERVED) return { resource, served: false, value: [] };
    return {
      resource,
      served: true,
      value: parse(raw).map((r) => ({ group, ...routeShape(r, namespace, describe) })),
    };
  }
}
