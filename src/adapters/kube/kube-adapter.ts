/**
 * What steps see of Kubernetes: a few reads, already parsed into small shapes and with every
 * failure translated into a MeshbotError (unreachable, unauthenticated, forbidden, timeout).
 * `createKubeAdapter` (create-kube-adapter.ts) implements it over @kubernetes/client-node.
 */

export interface ServicePort {
  /** Empty when the service has one unnamed port. */
  name: string;
  port: number;
  /** Number or the name of a container port; absent means the same as `port`. */
  targetPort?: number | string;
  protocol: string;
  appProtocol?: string;
}

export interface KubeService {
  name: string;
  namespace: string;
  type: string;
  /** `None` for headless services. */
  clusterIP?: string;
  headless: boolean;
  /** `spec.ipFamilies` (`IPv4`, `IPv6`, both for dual-stack), when the object says. */
  ipFamilies?: string[];
  /** Absent or empty: the service has no selector (endpoints are managed by hand). */
  selector?: Record<string, string>;
  externalName?: string;
  ports: ServicePort[];
  labels: Record<string, string>;
}

/** One address of one port of a service, normalized from an EndpointSlice or a v1 Endpoints. */
export interface KubeEndpoint {
  ip: string;
  port: number;
  /** The service port name this entry belongs to ('' when unnamed). */
  portName: string;
  protocol: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** Pod name from targetRef, when the target is a pod. */
  pod?: string;
  node?: string;
  zone?: string;
  /** The EndpointSlice or Endpoints object it came from. */
  from: string;
}

export interface KubeEndpointSet {
  /** `endpointslices` (discovery.k8s.io/v1), or `endpoints` (v1) where slices are absent. */
  source: 'endpointslices' | 'endpoints';
  endpoints: KubeEndpoint[];
}

export interface KubePod {
  name: string;
  namespace: string;
  phase: string;
  ready: boolean;
  /** Primary pod IP. */
  ip?: string;
  /** Every pod IP (dual stack). */
  ips: string[];
  node?: string;
  /** Set once deletion has begun (deletionTimestamp). */
  deleting: boolean;
  deletionTimestamp?: string;
  labels: Record<string, string>;
  /** The controlling owner, e.g. { kind: 'ReplicaSet', name: 'web-7f9c' }. */
  owner?: { kind: string; name: string };
  containerPorts: Array<{ name?: string; port: number }>;
}

export interface KubeNamespace {
  name: string;
  phase: string;
  /** Its annotations (`linkerd.io/inject`), when read by a list. */
  annotations?: Record<string, string>;
}

export interface ListPodsOptions {
  /** Label selector: a map (`{app: 'web'}`) or Kubernetes syntax (`app=web,tier!=db`). */
  labelSelector?: Record<string, string> | string;
}

/** One EndpointSlice: its service (label `kubernetes.io/service-name`) and its endpoints. */
export interface KubeEndpointSlice {
  name: string;
  namespace: string;
  /** Empty when the slice carries no service-name label. */
  service: string;
  /** Changes whenever the slice does: equal versions = Kubernetes did not change it. */
  resourceVersion: string;
  endpoints: KubeEndpoint[];
}

export interface KubeAdapter {
  /** The API server URL, for messages and hints. */
  readonly server: string;
  /** The kubeconfig context in use (`in-cluster` inside a pod). */
  readonly context: string;
  /** Whether meshbot runs inside a cluster (service account credentials). */
  readonly inCluster: boolean;
  /** The Service, or undefined when it does not exist. */
  getService(namespace: string, name: string): Promise<KubeService | undefined>;
  /**
   * The service's endpoints from its EndpointSlices (label `kubernetes.io/service-name`); falls back
   * to the v1 Endpoints object when the slice API is absent (404) or no slice exists.
   */
  listServiceEndpoints(namespace: string, service: string): Promise<KubeEndpointSet>;
  /** Pods of one namespace, or of every namespace when `namespace` is undefined: one paginated list. */
  listPods(namespace: string | undefined, options?: ListPodsOptions): Promise<KubePod[]>;
  /** Services of one namespace, or of every namespace: one call (what a mesh-wide sweep needs). */
  listServices(namespace: string | undefined, options?: ListPodsOptions): Promise<KubeService[]>;
  /** EndpointSlices of one namespace, or of every namespace: one call, not one per service. */
  listEndpointSlices(namespace: string | undefined, options?: ListPodsOptions): Promise<KubeEndpointSlice[]>;
  /** Every namespace, with its annotations. */
  listNamespaces(): Promise<KubeNamespace[]>;
  /** The Namespace, or undefined when it does not exist. */
  getNamespace(name: string): Promise<KubeNamespace | undefined>;
}
