/**
 * List reads for mesh-wide work (the sweep): services, EndpointSlices, pods and namespaces of
 * one namespace or of the whole cluster, each one paginated list call (never one get per
 * service), parsed with zod and normalized into KubeAdapter's small shapes. Failures are
 * MeshbotErrors as KubeAdapter's (translateKubeError).
 */
import { CoreV1Api, DiscoveryV1Api, type ConfigurationOptions } from '@kubernetes/client-node';
import { z } from 'zod';
import type { KubeEndpoint, KubePod, KubeService } from './kube-adapter.js';
import type { KubeCallContext, KubeCore } from './kube-core.js';
import { endpointSliceSchema, podSchema, serviceSchema } from './kube-schemas.js';
import { endpointsFromSlices, toKubePod, toKubeService } from './normalize-kube-objects.js';

/** The EndpointSlices of one service, normalized, with what changes whenever one of them does. */
export interface ServiceSlices {
  namespace: string;
  service: string;
  endpoints: KubeEndpoint[];
  /** `NAME@RESOURCEVERSION` of each slice, sorted: equal versions = Kubernetes did not change. */
  versions: string[];
}

export interface InventoryNamespace {
  name: string;
  annotations: Record<string, string>;
}

export interface MeshInventory {
  /** Services of a namespace, or of every namespace when `namespace` is undefined. */
  listServices(namespace: string | undefined, labelSelector?: string): Promise<KubeService[]>;
  /** EndpointSlices grouped by service (label `kubernetes.io/service-name`). */
  listServiceSlices(namespace: string | undefined): Promise<ServiceSlices[]>;
  listPods(namespace: string | undefined, labelSelector?: string): Promise<KubePod[]>;
  listNamespaces(): Promise<InventoryNamespace[]>;
}

export interface MeshInventoryOptions {
  /** Items per page of a list; default 500 (keeps one response's memory bounded). */
  pageSize?: number;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const listMeta = z.object({ metadata: z.object({ _continue: z.string().nullish() }).nullish() });
const sliceWithVersion = endpointSliceSchema.extend({
  metadata: endpointSliceSchema.shape.metadata.extend({ resourceVersion: z.string().nullish() }),
});
const namespaceSchema = z.object({
  metadata: z.object({
    name: z.string(),
    annotations: z.record(z.string(), z.string()).nullish(),
  }),
});

/** The inventory over the adapter set's Kubernetes core (its limit, timeout and error translation). */
export function createMeshInventory(kube: KubeCore, options: MeshInventoryOptions = {}): MeshInventory {
  const pageSize = options.pageSize ?? 500;
  const core = kube.kubeConfig.makeApiClient(CoreV1Api);
  const discovery = kube.kubeConfig.makeApiClient(DiscoveryV1Api);

  /** Every page of one list, each item parsed with `schema` and mapped by `map` as it arrives. */
  async function listAll<S extends z.ZodType, T>(
    ctx: KubeCallContext,
    schema: S,
    what: string,
    page: (cont: string | undefined, o: ConfigurationOptions) => Promise<{ items: unknown[] }>,
    map: (item: z.infer<S>) => T,
  ): Promise<T[]> {
    const out: T[] = [];
    let cont: string | undefined;
    do {
      const list = await kube.call(ctx, (o) => page(cont, o));
      for (const item of list.items) out.push(map(kube.parse(schema, item, what)));
      cont = listMeta.safeParse(list).data?.metadata?._continue ?? undefined;
    } while (cont);
    return out;
  }

  const args = (cont: string | undefined, labelSelector?: string) => ({
    limit: pageSize,
    ...(cont ? { _continue: cont } : {}),
    ...(labelSelector ? { labelSelector } : {}),
  });

  return {
    listServices(namespace, labelSelector) {
      return listAll(
        { verb: 'list', resource: 'services', group: '', ...(namespace ? { namespace } : {}) },
        serviceSchema,
        'Service',
        (cont, o) =>
          namespace
            ? core.listNamespacedService({ namespace, ...args(cont, labelSelector) }, o)
            : core.listServiceForAllNamespaces(args(cont, labelSelector), o),
        toKubeService,
      );
    },

    async listServiceSlices(namespace) {
      const slices = await listAll(
        {
          verb: 'list',
          resource: 'endpointslices',
          group: 'discovery.k8s.io',
          ...(namespace ? { namespace } : {}),
        },
        sliceWithVersion,
        'EndpointSlice',
        (cont, o) =>
          namespace
            ? discovery.listNamespacedEndpointSlice({ namespace, ...args(cont, SERVICE_NAME_LABEL) }, o)
            : discovery.listEndpointSliceForAllNamespaces(args(cont, SERVICE_NAME_LABEL), o),
        (s) => s,
      );
      const byService = new Map<string, { namespace: string; service: string; slices: typeof slices }>();
      for (const s of slices) {
        const service = s.metadata.labels?.[SERVICE_NAME_LABEL];
        if (!service) continue;
        const ns = s.metadata.namespace ?? namespace ?? '';
        const key = `${ns}/${service}`;
        let entry = byService.get(key);
        if (!entry) byService.set(key, (entry = { namespace: ns, service, slices: [] }));
        entry.slices.push(s);
      }
      return [...byService.values()].map((e) => ({
        namespace: e.namespace,
        service: e.service,
        endpoints: endpointsFromSlices(e.slices),
        versions: e.slices.map((s) => `${s.metadata.name}@${s.metadata.resourceVersion ?? ''}`).sort(),
      }));
    },

    listPods(namespace, labelSelector) {
      return listAll(
        { verb: 'list', resource: 'pods', group: '', ...(namespace ? { namespace } : {}) },
        podSchema,
        'Pod',
        (cont, o) =>
          namespace
            ? core.listNamespacedPod({ namespace, ...args(cont, labelSelector) }, o)
            : core.listPodForAllNamespaces(args(cont, labelSelector), o),
        toKubePod,
      );
    },

    listNamespaces() {
      return listAll(
        { verb: 'list', resource: 'namespaces', group: '' },
        namespaceSchema,
        'Namespace',
        (cont, o) => core.listNamespace(args(cont), o),
        (n) => ({ name: n.metadata.name, annotations: n.metadata.annotations ?? {} }),
      );
    },
  };
}
