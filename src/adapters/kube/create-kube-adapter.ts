import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import type {
  KubeAdapter,
  KubeEndpointSet,
  KubeEndpointSlice,
  KubeNamespace,
  KubePod,
  KubeService,
  ListPodsOptions,
} from './kube-adapter.js';
import type { KubeCore } from './kube-core.js';
import {
  endpointSliceListSchema,
  endpointsSchema,
  namespaceSchema,
  podListSchema,
  serviceListSchema,
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

  async function listPods(namespace: string | undefined, opts: ListPodsOptions = {}): Promise<KubePod[]> {
    const list = await core.call(
      { verb: 'list', resource: 'pods', group: '', ...(namespace ? { namespace } : {}) },
      (o) =>
        namespace
          ? api.listNamespacedPod({ namespace, ...selectorOf(opts) }, o)
          : api.listPodForAllNamespaces(selectorOf(opts), o),
    );
    return core.parse(podListSchema, list, 'PodList').items.map(toKubePod);
  }

  async function listServices(
    namespace: string | undefined,
    opts: ListPodsOptions = {},
  ): Promise<KubeService[]> {
    const list = await core.call(
      { verb: 'list', resource: 'services', group: '', ...(namespace ? { namespace } : {}) },
      (o) =>
        namespace
          ? api.listNamespacedService({ namespace, ...selectorOf(opts) }, o)
          : api.listServiceForAllNamespaces(selectorOf(opts), o),
    );
    return core.parse(serviceListSchema, list, 'ServiceList').items.map(toKubeService);
  }

  async function listEndpointSlices(
    namespace: string | undefined,
    opts: ListPodsOptions = {},
  ): Promise<KubeEndpointSlice[]> {
    const list = await core.call(
      {
        verb: 'list',
        resource: 'endpointslices',
        group: 'discovery.k8s.io',
        ...(namespace ? { namespace } : {}),
      },
      (o) =>
        namespace
          ? discovery.listNamespacedEndpointSlice({ namespace, ...selectorOf(opts) }, o)
          : discovery.listEndpointSliceForAllNamespaces(selectorOf(opts), o),
    );
    return core.parse(endpointSliceListSchema, list, 'EndpointSliceList').items.map((slice) => ({
      name: slice.metadata.name,
      namespace: slice.metadata.namespace ?? namespace ?? '',
      service: slice.metadata.labels?.[SERVICE_NAME_LABEL] ?? '',
      endpoints: endpointsFromSlices([slice]),
    }));
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
    getNamespace,
  };
}
