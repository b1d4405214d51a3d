/**
 * ControlPlaneReader over @kubernetes/client-node, through the adapter set's Kubernetes core:
 * one timeout per request, one bound on concurrent requests, failures translated.
 */
import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  VersionApi,
  type V1Pod,
} from '@kubernetes/client-node';
import type { ControlPlaneReader } from './control-plane-reader.js';
import type { KubeCore } from './kube-core.js';

/** Pods per page of a pod list. */
const POD_PAGE = 500;

/** A ControlPlaneReader over the set's Kubernetes core (its limit, timeout and error translation). */
export function createControlPlaneReader(kube: KubeCore): ControlPlaneReader {
  const { server, kubeConfig: kc } = kube;
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const version = kc.makeApiClient(VersionApi);
  const call = kube.call;
  const getOrUndefined = kube.callOrAbsent;

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
