import { CoreV1Api, DiscoveryV1Api, type ConfigurationOptions } from '@kubernetes/client-node';
import { z } from 'zod';
import type {
  KubeAdapter,
  KubeEndpointSet,
  KubeEndpointSlice,
  KubeNamespace,
  KubePod,
  KubeService,
  ListPodsOptions,
} from './kube-adapter.js';
import type { KubeCallContext, KubeCore } from './kube-core.js';
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
const continueOf = z.object({ metadata: z.object({ _continue: z.string().nullish() }).nullish() });

/** A KubeAdapter over the set's Kubernetes core: its limit, timeout and error translation; zod-parsed answers. */
export function createKubeAdapter(core: KubeCore): KubeAdapter {
  const { server } = core;
  const api = core.kubeConfig.makeApiClient(CoreV1Api);
  const discovery = core.kubeConfig.makeApiClient(DiscoveryV1Api);

  async function getService(namespace: string, name: string): Promise<KubeService | undefined> {
    const obj = await core.callOrAbsent(
      { verb: 'get', resource: 'services', group: '', namespace, name },
      (o) => api.readNamespacedService({ name, namespace }, o),
    );
    return obj === undefined ? undefined : toKubeService(core.parse(serviceSchema, obj, 'Service'));
  }

  async function readV1Endpoints(namespace: string, name: string): Promise<KubeEndpointSet | undefined> {
    const obj = await core.callOrAbsent(
      { verb: 'get', resource: 'endpoints', group: '', namespace, name },
      (o) => api.readNamespacedEndpoints({ name, namespace }, o),
    );
    if (obj === undefined) return undefined;
    return {
      source: 'endpoints',
      endpoints: endpointsFromV1Endpoints(core.parse(endpointsSchema, obj, 'Endpoints')),
    };
  }

  async function listServiceEndpoints(namespace: string, service: string): Promise<KubeEndpointSet> {
    const list = await core.callOrAbsent(
      { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace },
      (o) =>
        discovery.listNamespacedEndpointSlice(
          { namespace, labelSelector: `${SERVICE_NAME_LABEL}=${service}` },
          o,
        ),
    );
    const slicesAbsent = list === undefined;
    if (list !== undefined) {
      const parsed = core.parse(endpointSliceListSchema, list, 'EndpointSliceList');
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
    schema: S,
    what: string,
    page: (
      params: { limit: number; _continue?: string },
      o: ConfigurationOptions,
    ) => Promise<{ items: unknown[] }>,
    map: (item: z.infer<S>) => T,
  ): Promise<T[]> {
    const out: T[] = [];
    let cont: string | undefined;
    do {
      const list = await core.call(ctx, (o) =>
        page({ limit: PAGE_SIZE, ...(cont ? { _continue: cont } : {}) }, o),
      );
      for (const item of list.items) out.push(map(core.parse(schema, item, what)));
      cont = continueOf.safeParse(list).data?.metadata?._continue ?? undefined;
    } while (cont);
    return out;
  }

  function listPods(namespace: string | undefined, opts: ListPodsOptions = {}): Promise<KubePod[]> {
    return listPages(
      { verb: 'list', resource: 'pods', group: '', ...(namespace ? { namespace } : {}) },
      podSchema,
      'Pod',
      (p, o) =>
        namespace
          ? api.listNamespacedPod({ namespace, ...selectorOf(opts), ...p }, o)
          : api.listPodForAllNamespaces({ ...selectorOf(opts), ...p }, o),
      toKubePod,
    );
  }

  function listServices(namespace: string | undefined, opts: ListPodsOptions = {}): Promise<KubeService[]> {
    return listPages(
      { verb: 'list', resource: 'services', group: '', ...(namespace ? { namespace } : {}) },
      serviceSchema,
      'Service',
      (p, o) =>
        namespace
          ? api.listNamespacedService({ namespace, ...selectorOf(opts), ...p }, o)
          : api.listServiceForAllNamespaces({ ...selectorOf(opts), ...p }, o),
      toKubeService,
    );
  }

  function listEndpointSlices(
    namespace: string | undefined,
    opts: ListPodsOptions = {},
  ): Promise<KubeEndpointSlice[]> {
    return listPages(
      {
        verb: 'list',
        resource: 'endpointslices',
        group: 'discovery.k8s.io',
        ...(namespace ? { namespace } : {}),
      },
      endpointSliceSchema,
      'EndpointSlice',
      (p, o) =>
        namespace
          ? discovery.listNamespacedEndpointSlice({ namespace, ...selectorOf(opts), ...p }, o)
          : discovery.listEndpointSliceForAllNamespaces({ ...selectorOf(opts), ...p }, o),
      (slice) => ({
        name: slice.metadata.name,
        namespace: slice.metadata.namespace ?? namespace ?? '',
        service: slice.metadata.labels?.[SERVICE_NAME_LABEL] ?? '',
        resourceVersion: slice.metadata.resourceVersion ?? '',
        endpoints: endpointsFromSlices([slice]),
      }),
    );
  }

  function listNamespaces(): Promise<KubeNamespace[]> {
    return listPages(
      { verb: 'list', resource: 'namespaces', group: '' },
      namespaceSchema,
      'Namespace',
      (p, o) => api.listNamespace(p, o),
      toKubeNamespace,
    );
  }

  async function getNamespace(name: string): Promise<KubeNamespace | undefined> {
    const obj = await core.callOrAbsent({ verb: 'get', resource: 'namespaces', group: '', name }, (o) =>
      api.readNamespace({ name }, o),
    );
    return obj === undefined ? undefined : toKubeNamespace(core.parse(namespaceSchema, obj, 'Namespace'));
  }

  return {
    server,
    context: core.context,
    inCluster: core.inCluster,
    getService,
    listServiceEndpoints,
    listPods,
    listServices,
    listEndpointSlices,
    listNamespaces,
    getNamespace,
  };
}
