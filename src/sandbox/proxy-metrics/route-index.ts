/**
 * What the sandbox's proxies know of routes, as the real ones learn it from the control plane:
 * each service's ServiceProfile routes (linkerd.io/v1alpha2, named `SVC.NS.svc.DOMAIN`), the
 * HTTPRoutes (gateway.networking.k8s.io/v1, policy.linkerd.io/v1beta3) and the GRPCRoutes
 * (gateway.networking.k8s.io/v1) whose parentRef is the Service. Kept current by watches on the store, so a route created with kubectl counts too.
 */
import type { KubeObject, ObjectStore } from '../kube/store-types.js';

export interface HttpRouteRef {
  /** `HTTPRoute` or `GRPCRoute`: the proxy's `route_kind`. */
  kind: 'HTTPRoute' | 'GRPCRoute';
  group: string;
  namespace: string;
  name: string;
}

export interface RouteIndex {
  /** The route names of the service's ServiceProfile, or undefined without one. */
  profileRoutes(namespace: string, service: string): ReadonlySet<string> | undefined;
  /** The HTTPRoutes with the service as a parent, by name. */
  httpRoutes(namespace: string, service: string): ReadonlyMap<string, HttpRouteRef> | undefined;
  /** The GRPCRoutes with the service as a parent, by name. */
  grpcRoutes(namespace: string, service: string): ReadonlyMap<string, HttpRouteRef> | undefined;
  stop(): void;
}

const PROFILE_REF = { apiVersion: 'linkerd.io/v1alpha2', kind: 'ServiceProfile' } as const;
const ROUTE_REFS = [
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
  { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'HTTPRoute' },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute' },
] as const;

interface ParentRef {
  group?: unknown;
  kind?: unknown;
  name?: unknown;
  namespace?: unknown;
}

function profileRouteNames(obj: KubeObject): Set<string> {
  const spec = (obj.spec ?? {}) as { routes?: Array<{ name?: unknown }> };
  return new Set((spec.routes ?? []).map((r) => r.name).filter((n): n is string => typeof n === 'string'));
}

/** `NAMESPACE/SERVICE` of the Service parents of an HTTPRoute. */
function serviceParents(obj: KubeObject): string[] {
  const ns = obj.metadata.namespace ?? 'default';
  const refs = ((obj.spec ?? {}) as { parentRefs?: ParentRef[] }).parentRefs ?? [];
  return refs
    .filter((p) => p.kind === 'Service' && (p.group === undefined || p.group === '' || p.group === 'core'))
    .filter((p): p is ParentRef & { name: string } => typeof p.name === 'string')
    .map((p) => `${typeof p.namespace === 'string' ? p.namespace : ns}/${p.name}`);
}

export function watchRouteIndex(store: ObjectStore, clusterDomain: string): RouteIndex {
  const profiles = new Map<string, Set<string>>();
  const suffix = `.svc.${clusterDomain}`;
  const stopProfiles = store.watch(PROFILE_REF, { shared: true }, (ev) => {
    const name = ev.object.metadata.name;
    if (!name.endsWith(suffix)) return;
    const [service, namespace] = name.slice(0, -suffix.length).split('.');
    if (!service || !namespace || namespace !== ev.object.metadata.namespace) return;
    const key = `${namespace}/${service}`;
    if (ev.type === 'DELETED') profiles.delete(key);
    else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') profiles.set(key, profileRouteNames(ev.object));
  });

  // Route `KIND/GROUP/NAMESPACE/NAME` -> its parents; parent `KIND/NAMESPACE/SERVICE` -> routes by name.
  const parentsOf = new Map<string, string[]>();
  const byParent = new Map<string, Map<string, HttpRouteRef>>();
  const stopRoutes = ROUTE_REFS.map((ref) =>
    store.watch(ref, { shared: true }, (ev) => {
      const group = ref.apiVersion.slice(0, ref.apiVersion.indexOf('/'));
      const route: HttpRouteRef = {
        kind: ref.kind,
        group,
        namespace: ev.object.metadata.namespace ?? 'default',
        name: ev.object.metadata.name,
      };
      const key = `${ref.kind}/${group}/${route.namespace}/${route.name}`;
      for (const parent of parentsOf.get(key) ?? []) byParent.get(parent)?.delete(route.name);
      parentsOf.delete(key);
      if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
      const parents = serviceParents(ev.object).map((p) => `${ref.kind}/${p}`);
      parentsOf.set(key, parents);
      for (const parent of parents) {
        let routes = byParent.get(parent);
        if (!routes) byParent.set(parent, (routes = new Map()));
        routes.set(route.name, route);
      }
    }),
  );

  return {
    profileRoutes: (namespace, service) => profiles.get(`${namespace}/${service}`),
    httpRoutes: (namespace, service) => {
      const routes = byParent.get(`HTTPRoute/${namespace}/${service}`);
      return routes && routes.size > 0 ? routes : undefined;
    },
    grpcRoutes: (namespace, service) => {
      const routes = byParent.get(`GRPCRoute/${namespace}/${service}`);
      return routes && routes.size > 0 ? routes : undefined;
    },
    stop() {
      stopProfiles();
      for (const stop of stopRoutes) stop();
    },
  };
}
