/**
 * ControlPlaneReader over @kubernetes/client-node: one timeout per request, a bound on
 * concurrent requests, and failures translated by KubeAdapter's translateKubeError.
 */
import {
  AdmissionregistrationV1Api,
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  VersionApi,
  type ConfigurationOptions,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import type { ClusterOptions } from '../cluster-options.js';
import { createConcurrencyLimit } from '../concurrency-limit.js';
import type { ControlPlaneReader } from './control-plane-reader.js';
import { loadKubeConfig } from './load-kubeconfig.js';
import { timeoutOption } from './request-timeout.js';
import { translateKubeError, type KubeRequestContext } from './translate-kube-error.js';

export interface ControlPlaneReaderOptions {
  /** Limit of every API call, ms; default 10 s. */
  requestTimeoutMs?: number;
  /** Concurrent API calls at most; default 4. */
  maxConcurrent?: number;
}

/** Pods per page of a pod list. */
const POD_PAGE = 500;

export function createControlPlaneReader(
  kc: KubeConfig,
  options: ControlPlaneReaderOptions = {},
): ControlPlaneReader {
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const limit = createConcurrencyLimit(options.maxConcurrent ?? 4);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const version = kc.makeApiClient(VersionApi);

  async function call<T>(
    ctx: Omit<KubeRequestContext, 'server' | 'timeoutMs'>,
    fn: (o: ConfigurationOptions) => Promise<T>,
  ): Promise<T> {
    return limit.run(async () => {
      try {
        return await fn(timeoutOption(timeoutMs));
      } catch (err) {
        throw translateKubeError(err, { ...ctx, server, timeoutMs });
      }
    });
  }

  /** A get whose 404 is an answer: undefined. */
  async function getOrUndefined<T>(
    ctx: Omit<KubeRequestContext, 'server' | 'timeoutMs'>,
    fn: (o: ConfigurationOptions) => Promise<T>,
  ): Promise<T | undefined> {
    return limit.run(async () => {
      try {
        return await fn(timeoutOption(timeoutMs));
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return undefined;
        throw translateKubeError(err, { ...ctx, server, timeoutMs });
      }
    });
  }

  const sel = (labelSelector: string | undefined): { labelSelector?: string } =>
    labelSelector ? { labelSelector } : {};

  return {
    server,
    serverVersion: () => call({ verb: 'get', resource: 'version', group: '' }, (o) => version.getCode(o)),
    getNamespace: (name) =>
      getOrUndefined({ verb: 'get', resource: 'namespaces', group: '', name }, (o) =>
        core.readNamespace({ name }, o),
      ),
    getConfigMap: (namespace, name) =>
      getOrUndefined({ verb: 'get', resource: 'configmaps', group: '', namespace, name }, (o) =>
        core.readNamespacedConfigMap({ name, namespace }, o),
      ),
    getSecret: (namespace, name) =>
      getOrUndefined({ verb: 'get', resource: 'secrets', group: '', namespace, name }, (o) =>
        core.readNamespacedSecret({ name, namespace }, o),
      ),
    // Paginated: every meshed pod of a large cluster is one list, and one response of it all
    // would be held (as text, JSON and client-node's objects) at once.
    listPods: async (namespace, labelSelector) => {
      const pods: V1Pod[] = [];
      let cont: string | undefined;
      do {
        const page = { limit: POD_PAGE, ...sel(labelSelector), ...(cont ? { _continue: cont } : {}) };
        const list = await call(
          { verb: 'list', resource: 'pods', group: '', ...(namespace ? { namespace } : {}) },
          (o) =>
            namespace
              ? core.listNamespacedPod({ namespace, ...page }, o)
              : core.listPodForAllNamespaces(page, o),
        );
        pods.push(...list.items);
        cont = list.metadata?._continue || undefined;
      } while (cont);
      return pods;
    },
    listDeployments: async (namespace, labelSelector) =>
      (
        await call({ verb: 'list', resource: 'deployments', group: 'apps', namespace }, (o) =>
          apps.listNamespacedDeployment({ namespace, ...sel(labelSelector) }, o),
        )
      ).items,
    listEvents: async (namespace) =>
      (
        await call({ verb: 'list', resource: 'events', group: '', namespace }, (o) =>
          core.listNamespacedEvent({ namespace }, o),
        )
      ).items,
    listCustomResourceDefinitions: async () =>
      (
        await call(
          { verb: 'list', resource: 'customresourcedefinitions', group: 'apiextensions.k8s.io' },
          (o) => ext.listCustomResourceDefinition({}, o),
        )
      ).items,
    listMutatingWebhookConfigurations: async () =>
      (
        await call(
          { verb: 'list', resource: 'mutatingwebhookconfigurations', group: 'admissionregistration.k8s.io' },
          (o) => admission.listMutatingWebhookConfiguration({}, o),
        )
      ).items,
  };
}

/**
 * The reader a set of adapters carries (`openAdapters` sets `controlPlane`), or one opened
 * from the same cluster options when a front end built its adapters without it.
 */
export function controlPlaneReaderFor(adapters: {
  options: ClusterOptions;
  controlPlane?: ControlPlaneReader;
}): ControlPlaneReader {
  if (adapters.controlPlane) return adapters.controlPlane;
  const loaded = loadKubeConfig(adapters.options);
  return createControlPlaneReader(
    loaded.kubeConfig,
    adapters.options.timeoutMs ? { requestTimeoutMs: adapters.options.timeoutMs } : {},
  );
}
