/**
 * ConfigMaps meshbot keeps durable state in (the report state): read, create, and replace with a
 * resourceVersion precondition. A write that lost the race is a MeshbotError `conflict`.
 */
import { CoreV1Api, type ConfigurationOptions, type KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { MeshbotError } from '../../errors.js';
import { translateWriteError } from './object-write-error.js';
import { timeoutOption } from './request-timeout.js';
import type { KubeRequestContext } from './translate-kube-error.js';

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

export function createConfigMapClient(
  kc: KubeConfig,
  options: { requestTimeoutMs?: number } = {},
): ConfigMapClient {
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const core = kc.makeApiClient(CoreV1Api);

  async function call(
    ctx: Pick<KubeRequestContext, 'verb' | 'namespace' | 'name'>,
    fn: (o: ConfigurationOptions) => Promise<unknown>,
  ): Promise<StoredConfigMap> {
    let obj: unknown;
    try {
      obj = await fn(timeoutOption(timeoutMs));
    } catch (err) {
      throw translateWriteError(err, { ...ctx, group: '', resource: 'configmaps', server, timeoutMs });
    }
    const parsed = configMapSchema.safeParse(obj);
    if (!parsed.success) {
      throw new MeshbotError('internal', `Kubernetes at ${server} sent a ConfigMap meshbot cannot read`);
    }
    const m = parsed.data.metadata;
    return {
      name: m.name,
      namespace: m.namespace ?? ctx.namespace ?? '',
      labels: m.labels ?? {},
      annotations: m.annotations ?? {},
      data: parsed.data.data ?? {},
      resourceVersion: m.resourceVersion,
    };
  }

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
      try {
        return await call({ verb: 'get', namespace, name }, (o) =>
          core.readNamespacedConfigMap({ name, namespace }, o),
        );
      } catch (err) {
        if (err instanceof MeshbotError && err.kind === 'not-found') return undefined;
        throw err;
      }
    },
    create: (namespace, name, content) =>
      call({ verb: 'create', namespace, name }, (o) =>
        core.createNamespacedConfigMap({ namespace, body: body(namespace, name, content) }, o),
      ),
    replace: (namespace, name, content, resourceVersion) =>
      call({ verb: 'update', namespace, name }, (o) =>
        core.replaceNamespacedConfigMap(
          { name, namespace, body: body(namespace, name, content, resourceVersion) },
          o,
        ),
      ),
  };
}
