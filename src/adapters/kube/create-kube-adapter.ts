import * as z from 'zod';
import type {
  KubeAdapter,
  KubeEndpointSet,
  KubeEndpointSlice,
  KubeNamespace,
  KubePod,
  KubeService,
  ListPodsOptions,
} from './kube-adapter.js';
import type { KubeCall, KubeCallContext } from './kube-call.js';
import type { KubeGet } from './kube-get.js';
import {
  endpointSliceListSchema,
  endpointSliceSchema,
  podSchema,
  endpointsSchema,
  namespaceSchema,
  serviceSchema,
} from './kube-schemas.js';
import {
  endpointsFromSlices,
  endpointsFromV1Endpoints,
  formatLabelSelector,
  toKubeNamespace,
  toKubePod,
  toKubeService,
} from './normalize-kube-objects.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function selectorOf(opts: ListPodsOptions): { labelSelector?: string } {
  const sel = opts.labelSelector;
  if (sel === undefined) return {};
  const labelSelector = typeof sel === 'string' ? sel : formatLabelSelector(sel);
  return labelSelector ? { labelSelector } : {};
}

/** Items per page of a list: a large cluster's list is never one response held whole. */
const PAGE_SIZE = 500;
const listSchema = z.object({
  items: z.array(z.unknown()),
  metadata: z.object({ continue: z.string().nullish() }).nullish(),
});

/** `/api/v1` or `/apis/GROUP/v1`, then the namespace when given, then the resource (and name). */
function apiPath(group: string, resource: string, namespace?: string, name?: string): string {
  const base = group ? `/apis/${group}/v1` : '/api/v1';
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

export interface KubeAdapterDeps {
  /** The adapter set's call discipline (its limit, its error translation, its zod parse). */
  calls: KubeCall;
  /** GETs of the API server with the kubeconfig's credentials. */
  get: KubeGet;
  context: string;
  inCluster: boolean;
}

/**
 * A KubeAdapter made of GETs of the API (kube-get.ts) under the set's call discipline, its
 * answers zod-parsed. It loads no Kubernetes client: `meshbot endpoints --destination` reads a
 * plain kubeconfig and never loads client-node.
 */
export function createKubeAdapter(deps: KubeAdapterDeps): KubeAdapter {
  const { calls, get } = deps;
  const { server } = calls;

  /** One object, or undefined on a 404. */
  async function read<S extends z.ZodType>(
    ctx: KubeCallContext,
    schema: S,
    what: string,
  ): Promise<z.infer<S> | undefined> {
    const obj = await calls.callOrAbsent(ctx, () =>
      get(apiPath(ctx.group, ctx.resource, ctx.namespace, ctx.name)),
    );
    return obj === undefined ? undefined : calls.parse(schema, obj, what);
  }

  async function getService(namespace: string, name: string): Promise<KubeService | undefined> {
    const obj = await read(
      { verb: 'get', resource: 'services', group: '', namespace, name },
      serviceSchema,
      'Service',
    );
    return obj === undefined ? undefined : toKubeService(obj);
  }

  async function readV1Endpoints(namespace: string, name: string): Promise<KubeEndpointSet | undefined> {
    const obj = await read(
      { verb: 'get', resource: 'endpoints', group: '', namespace, name },
      endpointsSchema,
      'Endpoints',
    );
    return obj === undefined ? undefined : { source: 'endpoints', endpoints: endpointsFromV1Endpoints(obj) };
  }

  async function listServiceEndpoints(namespace: string, service: string): Promise<KubeEndpointSet> {
    const ctx = { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace };
    const list = await calls.callOrAbsent(ctx, () =>
      get(apiPath(ctx.group, ctx.resource, namespace), { labelSelector: `${SERVICE_NAME_LABEL}=${service}` }),
    );
    const slicesAbsent = list === undefined;
    if (list !== undefined) {
      const parsed = calls.parse(endpointSliceListSchema, list, 'EndpointSliceList');
      if (parsed.items.length > 0)
        return { source: 'endpointslices', endpoints: endpointsFromSlices(parsed.items) };
    }
    const fallback = await readV1Endpoints(namespace, service);
    if (fallback) return fallback;
    return { source: slicesAbsent ? 'endpoints' : 'endpointslices', endpoints: [] };
  }

  /** Every page of a list (limit + continue), each item parsed with `schema` and mapped. */
  async function listPages<S extends z.ZodType, T>(
    ctx: KubeCallContext,
    opts: ListPodsOptions,
    schema: S,
    what: string,
    map: (item: z.infer<S>) => T,
  ): Promise<T[]> {
    const out: T[] = [];
    const path = apiPath(ctx.group, ctx.resource, ctx.namespace);
    let cont: string | undefined;
    do {
      const query = { ...selectorOf(opts), limit: PAGE_SIZE, continue: cont };
      const list = calls.parse(listSchema, await calls.call(ctx, () => get(path, query)), `${what} list`);
      for (const item of list.items) out.push(map(calls.parse(schema, item, what)));
      cont = list.metadata?.continue || undefined;
    } while (cont);
    return out;
  }

  const where = (namespace: string | undefined): { namespace?: string } => (namespace ? { namespace } : {});

  return {
    server,
    context: deps.context,
    inCluster: deps.inCluster,
    getService,
    listServiceEndpoints,
    listPods: (namespace, opts = {}): Promise<KubePod[]> =>
      listPages(
        { verb: 'list', resource: 'pods', group: '', ...where(namespace) },
        opts,
        podSchema,
        'Pod',
        toKubePod,
      ),
    listServices: (namespace, opts = {}): Promise<KubeService[]> =>
      listPages(
        { verb: 'list', resource: 'services', group: '', ...where(namespace) },
        opts,
        serviceSchema,
        'Service',
        toKubeService,
      ),
    listEndpointSlices: (namespace, opts = {}): Promise<KubeEndpointSlice[]> =>
      listPages(
        { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', ...where(namespace) },
        opts,
        endpointSliceSchema,
        'EndpointSlice',
        (slice) => ({
          name: slice.metadata.name,
          namespace: slice.metadata.namespace ?? namespace ?? '',
          service: slice.metadata.labels?.[SERVICE_NAME_LABEL] ?? '',
          resourceVersion: slice.metadata.resourceVersion ?? '',
          endpoints: endpointsFromSlices([slice]),
        }),
      ),
    listNamespaces: (): Promise<KubeNamespace[]> =>
      listPages(
        { verb: 'list', resource: 'namespaces', group: '' },
        {},
        namespaceSchema,
        'Namespace',
        toKubeNamespace,
      ),
    getNamespace: async (name): Promise<KubeNamespace | undefined> => {
      const obj = await read(
        { verb: 'get', resource: 'namespaces', group: '', name },
        namespaceSchema,
        'Namespace',
      );
      return obj === undefined ? undefined : toKubeNamespace(obj);
    },
  };
}
