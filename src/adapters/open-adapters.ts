import type { ClusterOptions } from './cluster-options.js';
import { createDestinationClient } from './destination/create-destination-client.js';
import type { DestinationClient } from './destination/destination-client.js';
import type { DestinationTransport } from './destination/destination-transport.js';
import { directTransport } from './destination/direct-transport.js';
import { DESTINATION_GRPC_PORT, portForwardTransport } from './destination/port-forward-transport.js';
import type { ControlPlaneReader } from './kube/control-plane-reader.js';
import { createControlPlaneReader } from './kube/control-plane-reads.js';
import { createKubeAdapter } from './kube/create-kube-adapter.js';
import type { KubeAdapter } from './kube/kube-adapter.js';
import { createKubeCore } from './kube/kube-core.js';
import { createWorkloadScaling, type WorkloadScaling } from './kube/workload-scaling.js';
import { loadKubeConfig } from './kube/load-kubeconfig.js';
import { createPodLogReader, type PodLogReader } from './kube/pod-log-reader.js';
import { createProxyAdminClient, type ProxyAdminClient } from './proxy-admin/proxy-admin-client.js';
import { openPrometheus } from './prometheus/open-prometheus.js';
import type { PrometheusClient } from './prometheus/prometheus-client.js';

/**
 * Everything a step may use to look at (or, for the scale test, change) a cluster, all built
 * here over one Kubernetes core (one kubeconfig, one concurrency limit, one call helper).
 * One set per cluster (AdapterPool), per command or per `serve` process; steps never load a
 * kubeconfig themselves.
 */
export interface Adapters {
  /** The cluster's name in the pool ("default", or the kube context's name). */
  cluster: string;
  kube: KubeAdapter;
  destination: DestinationClient;
  options: ClusterOptions;
  /** Prometheus's query API (metrics step): the configured URL, linkerd-viz's default, or a port-forward. */
  prometheus?: PrometheusClient;
  /** Reads of the Linkerd control plane for `check` (configmaps, secrets, CRDs, webhooks, events). */
  controlPlane: ControlPlaneReader;
  /** Workloads, their scale subresource, HPAs and watches (the scale test). */
  scaling: WorkloadScaling;
  /** Containers' logs (`pods/log`): proxy-logs. */
  podLogs: PodLogReader;
  /** Proxies' admin servers (port 4191) through port-forwards: proxy-log-level. */
  proxyAdmin: ProxyAdminClient;
  /** Closes streams, the gRPC channel and port-forwards. */
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** The name of the one cluster meshbot serves today. */
export const DEFAULT_CLUSTER = 'default';
export const DEFAULT_CONTROL_PLANE_NAMESPACE = 'linkerd';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/**
 * Opens the adapters every front end uses (CLI commands, the Slack app, drift sweeps):
 * Kubernetes from the kubeconfig (or in-cluster credentials), and the destination API over
 * `--destination`, the in-cluster service, or a port-forward to a destination pod. Nothing is
 * dialled until a step asks; one gRPC channel serves every request of the set.
 * Throws MeshbotError('config') when no credentials can be loaded.
 */
export async function openAdapters(options: ClusterOptions, cluster = DEFAULT_CLUSTER): Promise<Adapters> {
  const loaded = loadKubeConfig(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controlPlaneNamespace = options.controlPlaneNamespace ?? DEFAULT_CONTROL_PLANE_NAMESPACE;
  const clusterDomain = options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const core = createKubeCore(loaded.kubeConfig, {
    requestTimeoutMs: timeoutMs,
    context: loaded.context,
    inCluster: loaded.inCluster,
  });
  const kube = createKubeAdapter(core);
  let transport: DestinationTransport;
  if (options.destination) {
    transport = directTransport(options.destination);
  } else if (loaded.inCluster) {
    transport = directTransport(
      `linkerd-dst.${controlPlaneNamespace}.svc.${clusterDomain}:${DESTINATION_GRPC_PORT}`,
    );
  } else {
    transport = portForwardTransport({
      kubeConfig: loaded.kubeConfig,
      kube,
      controlPlaneNamespace,
      connectTimeoutMs: timeoutMs,
    });
  }
  const destination = createDestinationClient(transport, {
    ...(options.maxDestinationStreams ? { maxStreams: options.maxDestinationStreams } : {}),
  });
  const prometheus = openPrometheus(options, { kubeConfig: loaded.kubeConfig, kube, timeoutMs });
  let closing: Promise<void> | undefined;
  return {
    cluster,
    kube,
    destination,
    options,
    prometheus,
    controlPlane: createControlPlaneReader(core),
    scaling: createWorkloadScaling(core),
    podLogs: createPodLogReader(core),
    proxyAdmin: createProxyAdminClient(loaded.kubeConfig, { timeoutMs }),
    close: () => (closing ??= Promise.all([destination.close(), prometheus.close()]).then(() => undefined)),
  };
}
