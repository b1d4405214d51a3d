/**
 * The reads `check` needs beyond KubeAdapter's: the server version, ConfigMaps, Secrets,
 * CRDs, webhook configurations, events, deployments and pods with their container statuses.
 * Answers are client-node's typed objects; a 404 on a get is `undefined`; every other failure
 * is a MeshbotError (forbidden with the RBAC rule that would allow it, unauthenticated,
 * unreachable, timeout), as KubeAdapter's. `createControlPlaneReader`
 * (control-plane-reads.ts) implements it; `openAdapters` returns one as `adapters.controlPlane`.
 */
import type {
  CoreV1Event,
  V1ConfigMap,
  V1CustomResourceDefinition,
  V1Deployment,
  V1MutatingWebhookConfiguration,
  V1Namespace,
  V1Pod,
  V1Secret,
  VersionInfo,
} from '@kubernetes/client-node';

export interface ControlPlaneReader {
  /** The API server URL, for messages. */
  readonly server: string;
  /** GET /version. */
  serverVersion(): Promise<VersionInfo>;
  getNamespace(name: string): Promise<V1Namespace | undefined>;
  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  getSecret(namespace: string, name: string): Promise<V1Secret | undefined>;
  /** Pods of one namespace, or of every namespace when `namespace` is undefined. */
  listPods(namespace: string | undefined, labelSelector?: string): Promise<V1Pod[]>;
  listDeployments(namespace: string, labelSelector?: string): Promise<V1Deployment[]>;
  listEvents(namespace: string): Promise<CoreV1Event[]>;
  listCustomResourceDefinitions(): Promise<V1CustomResourceDefinition[]>;
  listMutatingWebhookConfigurations(): Promise<V1MutatingWebhookConfiguration[]>;
}
