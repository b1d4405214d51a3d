/**
 * ConfigMaps meshbot keeps durable state in (the report state): read, create, and replace with a
 * resourceVersion precondition. A write that lost the race is a MeshbotError `conflict`.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import * as z from 'zod';
import type { KubeCore } from './kube-core.js';

export interface StoredConfigMap {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  data: Record<string, string>;
  resourceVersion: string;
}

export type ConfigMapContent = Pick<StoredConfigMap, 'labels' | 'annotations' | 'data'>;

export interface ConfigMapClient {
  get(namespace: string, name: string): Promise<StoredConfigMap | undefined>;
  create(namespace: string, name: string, content: ConfigMapContent): Promise<StoredConfigMap>;
  replace(
    namespace: string,
    name: string,
    content: ConfigMapContent,
    resourceVersion: string,
  ): Promise<StoredConfigMap>;
}

const record = z.record(z.string(), z.string()).nullish();
const configMapSchema = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().nullish(),
    resourceVersion: z.string(),
    labels: record,
    annotations: record,
  }),
  data: record,
});

/** ConfigMaps over the adapter set's Kubernetes core (its limit, timeout; a 409 is a `conflict`). */
export function createConfigMapClient(kube: KubeCore): ConfigMapClient {
  const core = kube.kubeConfig.makeApiClient(CoreV1Api);
  const ctx = (verb: string, namespace: string, name: string) => ({
    verb,
    resource: 'configmaps',
    group: '',
    namespace,
    name,
  });
  const toStored = (obj: unknown, namespace: string): StoredConfigMap => {
    const parsed = kube.parse(configMapSchema, obj, 'ConfigMap');
    const m = parsed.metadata;
    return {
      name: m.name,
      namespace: m.namespace ?? namespace,
      labels: m.labels ?? {},
      annotations: m.annotations ?? {},
      data: parsed.data ?? {},
      resourceVersion: m.resourceVersion,
    };
  };

  const body = (namespace: string, name: string, c: ConfigMapContent, resourceVersion?: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      labels: c.labels,
      annotations: c.annotations,
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: c.data,
  });

  return {
    async get(namespace, name) {
      const cm = await kube.callOrAbsent(ctx('get', namespace, name), (o) =>
        core.readNamespacedConfigMap({ name, namespace }, o),
      );
      return cm === undefined ? undefined : toStored(cm, namespace);
    },
    create: async (namespace, name, content) =>
      toStored(
        await kube.call(ctx('create', namespace, name), (o) =>
          core.createNamespacedConfigMap({ namespace, body: body(namespace, name, content) }, o),
        ),
        namespace,
      ),
    replace: async (namespace, name, content, resourceVersion) =>
      toStored(
        await kube.call(ctx('update', namespace, name), (o) =>
          core.replaceNamespacedConfigMap(
            { name, namespace, body: body(namespace, name, content, resourceVersion) },
            o,
          ),
        ),
        namespace,
      ),
  };
}
