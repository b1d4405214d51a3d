import {
  ApiException,
  CoreV1Api,
  DiscoveryV1Api,
  type ConfigurationOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { z } from 'zod';
import { MeshbotError } from '../../errors.js';
import { createConcurrencyLimit } from '../concurrency-limit.js';
import type {
  KubeAdapter,
  KubeEndpointSet,
  KubeNamespace,
  KubePod,
  KubeService,
  ListPodsOptions,
} from './kube-adapter.js';
import {
  endpointSliceListSchema,
  endpointsSchema,
  namespaceSchema,
  podListSchema,
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
import { timeoutOption } from './request-timeout.js';
import { translateKubeError, type KubeRequestContext } from './translate-kube-error.js';

export interface KubeAdapterOptions {
  /** Limit of every API call, ms. */
  requestTimeoutMs?: number;
  /** Concurrent API calls at most (per adapter). */
  maxConcurrent?: number;
  context?: string;
  inCluster?: boolean;
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

/** Parses an object a Kubernetes API server sent; a shape meshbot cannot read is an `internal` MeshbotError. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  server: string,
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new MeshbotError(
      'internal',
      `Kubernetes at ${server} sent a ${what} meshbot cannot read: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? '?'}`,
      'Is the server a conforming Kubernetes API server?',
    );
  }
  return parsed.data;
}

/** A KubeAdapter over @kubernetes/client-node: timeouts, a concurrency bound, zod-parsed answers. */
export function createKubeAdapter(kc: KubeConfig, options: KubeAdapterOptions = {}): KubeAdapter {
  const cluster = kc.getCurrentCluster();
  const server = cluster?.server ?? '(no server)';
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const limit = createConcurrencyLimit(options.maxConcurrent ?? 4);
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);

  /** Runs one API call under the limit and the timeout; a 404 passes through only when the caller expects one. */
  async function call<T>(
    ctx: Omit<KubeRequestContext, 'server' | 'timeoutMs'>,
    fn: (o: ConfigurationOptions) => Promise<T>,
    notFoundIsAnswer = true,
  ): Promise<T> {
    return limit.run(async () => {
      try {
        return await fn(timeoutOption(timeoutMs));
      } catch (err) {
        if (notFoundIsAnswer && isNotFound(err)) throw err;
        throw translateKubeError(err, { ...ctx, server, timeoutMs });
      }
    });
  }

  async function getService(namespace: string, name: string): Promise<KubeService | undefined> {
    try {
      const obj = await call({ verb: 'get', resource: 'services', group: '', namespace, name }, (o) =>
        core.readNamespacedService({ name, namespace }, o),
      );
      return toKubeService(parseOrThrow(serviceSchema, obj, 'Service', server));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function readV1Endpoints(namespace: string, name: string): Promise<KubeEndpointSet | undefined> {
    try {
      const obj = await call({ verb: 'get', resource: 'endpoints', group: '', namespace, name }, (o) =>
        core.readNamespacedEndpoints({ name, namespace }, o),
      );
      return {
        source: 'endpoints',
        endpoints: endpointsFromV1Endpoints(parseOrThrow(endpointsSchema, obj, 'Endpoints', server)),
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function listServiceEndpoints(namespace: string, service: string): Promise<KubeEndpointSet> {
    let slicesAbsent = false;
    try {
      const list = await call(
        { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace },
        (o) =>
          discovery.listNamespacedEndpointSlice(
            { namespace, labelSelector: `kubernetes.io/service-name=${service}` },
            o,
          ),
      );
      const parsed = parseOrThrow(endpointSliceListSchema, list, 'EndpointSliceList', server);
      if (parsed.items.length > 0)
        return { source: 'endpointslices', endpoints: endpointsFromSlices(parsed.items) };
    } catch (err) {
      if (!isNotFound(err)) throw err;
      slicesAbsent = true;
    }
    const fallback = await readV1Endpoints(namespace, service);
    if (fallback) return fallback;
    return { source: slicesAbsent ? 'endpoints' : 'endpointslices', endpoints: [] };
  }

  async function listPods(namespace: string, opts: ListPodsOptions = {}): Promise<KubePod[]> {
    const sel = opts.labelSelector;
    const labelSelector =
      sel === undefined ? undefined : typeof sel === 'string' ? sel : formatLabelSelector(sel);
    const list = await call(
      { verb: 'list', resource: 'pods', group: '', namespace },
      (o) => core.listNamespacedPod(labelSelector ? { namespace, labelSelector } : { namespace }, o),
      false,
    );
    return parseOrThrow(podListSchema, list, 'PodList', server).items.map(toKubePod);
  }

  async function getNamespace(name: string): Promise<KubeNamespace | undefined> {
    try {
      const obj = await call({ verb: 'get', resource: 'namespaces', group: '', name }, (o) =>
        core.readNamespace({ name }, o),
      );
      return toKubeNamespace(parseOrThrow(namespaceSchema, obj, 'Namespace', server));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  return {
    server,
    context: options.context ?? kc.getCurrentContext(),
    inCluster: options.inCluster ?? false,
    getService,
    listServiceEndpoints,
    listPods,
    getNamespace,
  };
}
