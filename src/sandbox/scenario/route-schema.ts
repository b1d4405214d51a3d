/**
 * Route objects in a scenario (docs/sandbox.md): ServiceProfiles with their routes, HTTPRoutes
 * (Gateway API or Linkerd's) and GRPCRoutes (Gateway API) whose parent is a Service. Traffic edges name a route
 * (`route:`) to send their requests down it; requests of edges that name none are `[DEFAULT]`.
 */
import * as z from 'zod';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsName = (what: string) =>
  z
    .string({ error: `expected ${what} (lowercase letters, digits and '-')` })
    .max(63, { error: `expected ${what} of at most 63 characters` })
    .regex(DNS_LABEL, {
      error: `expected ${what} (lowercase letters, digits and '-', starting and ending with a letter or digit)`,
    });
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;
const method = z.enum(METHODS, { error: `expected an HTTP method: ${METHODS.join(', ')}` });

export const serviceProfileRouteSchema = z.strictObject(
  {
    /** The route's name: the proxies' `rt_route` label. */
    name: z.string({ error: 'expected a route name' }).min(1, { error: 'expected a route name' }),
    method: method.optional(),
    /** `condition.pathRegex`, e.g. `/api/vote`. */
    pathRegex: z.string({ error: 'expected a path regular expression' }).optional(),
  },
  { error: 'expected a map with name, method, pathRegex' },
);

/** A ServiceProfile for `service` (named `SERVICE.NAMESPACE.svc.CLUSTER_DOMAIN` in its namespace). */
export const serviceProfileSchema = z.strictObject(
  {
    service: dnsName('a service name'),
    namespace: dnsName('a namespace name'),
    routes: z.array(serviceProfileRouteSchema, { error: 'expected a list of routes' }).default([]),
  },
  { error: 'expected a map with service, namespace, routes' },
);

export const HTTP_ROUTE_API_GROUPS = ['gateway.networking.k8s.io', 'policy.linkerd.io'] as const;

export const httpRouteMatchSchema = z.strictObject(
  {
    method: method.optional(),
    path: z
      .string({ error: 'expected a path such as /api' })
      .startsWith('/', { error: 'expected a path starting with /' })
      .optional(),
    pathType: z
      .enum(['Exact', 'PathPrefix', 'RegularExpression'], {
        error: 'expected Exact, PathPrefix or RegularExpression',
      })
      .default('PathPrefix'),
  },
  { error: 'expected a map with method, path, pathType' },
);

/** An HTTPRoute whose parentRef is the Service `parent` of its namespace (Linkerd's producer route). */
export const httpRouteSchema = z.strictObject(
  {
    name: dnsName('a route name'),
    namespace: dnsName('a namespace name'),
    /** Default gateway.networking.k8s.io (v1); policy.linkerd.io is served as v1beta3. */
    group: z
      .enum(HTTP_ROUTE_API_GROUPS, { error: `expected ${HTTP_ROUTE_API_GROUPS.join(' or ')}` })
      .default('gateway.networking.k8s.io'),
    parent: dnsName('a service name'),
    port: z.number({ error: 'expected a port number' }).int().min(1).max(65535).optional(),
    matches: z.array(httpRouteMatchSchema, { error: 'expected a list of matches' }).default([]),
  },
  { error: 'expected a map with name, namespace, group, parent, port, matches' },
);

/** A GRPCRoute match (Gateway API `matches[].method`): service and method, Exact or RegularExpression. */
export const grpcRouteMatchSchema = z.strictObject(
  {
    /** The gRPC service, e.g. `emojivoto.v1.EmojiService`. */
    service: z.string({ error: 'expected a gRPC service name' }).min(1).optional(),
    /** The gRPC method, e.g. `ListAll`. */
    method: z.string({ error: 'expected a gRPC method name' }).min(1).optional(),
    type: z
      .enum(['Exact', 'RegularExpression'], { error: 'expected Exact or RegularExpression' })
      .default('Exact'),
  },
  { error: 'expected a map with service, method, type' },
);

/** A GRPCRoute (gateway.networking.k8s.io/v1) whose parentRef is the Service `parent` of its namespace. */
export const grpcRouteSchema = z.strictObject(
  {
    name: dnsName('a route name'),
    namespace: dnsName('a namespace name'),
    parent: dnsName('a service name'),
    port: z.number({ error: 'expected a port number' }).int().min(1).max(65535).optional(),
    matches: z.array(grpcRouteMatchSchema, { error: 'expected a list of matches' }).default([]),
  },
  { error: 'expected a map with name, namespace, parent, port, matches' },
);

export type ScenarioServiceProfile = z.infer<typeof serviceProfileSchema>;
export type ScenarioGrpcRoute = z.infer<typeof grpcRouteSchema>;
export type ScenarioHttpRoute = z.infer<typeof httpRouteSchema>;

const HTTP_ROUTE_VERSION: Record<(typeof HTTP_ROUTE_API_GROUPS)[number], string> = {
  'gateway.networking.k8s.io': 'v1',
  'policy.linkerd.io': 'v1beta3',
};

export function serviceProfileObject(sp: ScenarioServiceProfile, clusterDomain: string) {
  return {
    apiVersion: 'linkerd.io/v1alpha2',
    kind: 'ServiceProfile',
    metadata: { name: `${sp.service}.${sp.namespace}.svc.${clusterDomain}`, namespace: sp.namespace },
    spec: {
      routes: sp.routes.map((r) => ({
        name: r.name,
        condition: {
          ...(r.method ? { method: r.method } : {}),
          ...(r.pathRegex !== undefined ? { pathRegex: r.pathRegex } : {}),
        },
      })),
    },
  };
}

/**
 * A route whose one parentRef is the Service `parent` of its namespace (on `port`), with one
 * rule: the given matches (none: match everything) and the Service as its backend.
 */
function serviceRouteObject(
  apiVersion: string,
  kind: 'HTTPRoute' | 'GRPCRoute',
  r: { name: string; namespace: string; parent: string; port?: number | undefined },
  matches: object[],
) {
  return {
    apiVersion,
    kind,
    metadata: { name: r.name, namespace: r.namespace },
    spec: {
      parentRefs: [
        {
          group: 'core',
          kind: 'Service',
          name: r.parent,
          namespace: r.namespace,
          ...(r.port ? { port: r.port } : {}),
        },
      ],
      rules: [
        {
          ...(matches.length ? { matches } : {}),
          backendRefs: [{ name: r.parent, ...(r.port ? { port: r.port } : {}) }],
        },
      ],
    },
  };
}

export function httpRouteObject(r: ScenarioHttpRoute) {
  return serviceRouteObject(
    `${r.group}/${HTTP_ROUTE_VERSION[r.group]}`,
    'HTTPRoute',
    r,
    r.matches.map((m) => ({
      ...(m.path !== undefined ? { path: { type: m.pathType, value: m.path } } : {}),
      ...(m.method ? { method: m.method } : {}),
    })),
  );
}

export function grpcRouteObject(r: ScenarioGrpcRoute) {
  return serviceRouteObject(
    'gateway.networking.k8s.io/v1',
    'GRPCRoute',
    r,
    r.matches.map((m) => ({
      method: {
        type: m.type,
        ...(m.service !== undefined ? { service: m.service } : {}),
        ...(m.method !== undefined ? { method: m.method } : {}),
      },
    })),
  );
}
