/**
 * How meshbot reaches a cluster: the same options for every CLI command and for `serve`.
 * `openAdapters(options)` (src/adapters/open-adapters.ts) turns them into adapters.
 */
export interface ClusterOptions {
  /** Path of a kubeconfig; default: KUBECONFIG, ~/.kube/config, then in-cluster. */
  kubeconfig?: string;
  /** kubeconfig context; default: the current context. */
  context?: string;
  /** Use the pod's ServiceAccount (in-cluster credentials), whatever KUBECONFIG says. */
  inCluster?: boolean;
  /**
   * Destination controller address HOST:PORT. Absent: port-forward through the Kubernetes
   * API to a running destination pod's port 8086 (as `linkerd diagnostics endpoints`),
   * or in cluster `linkerd-dst.linkerd.svc.cluster.local:8086`.
   */
  destination?: string;
  /** JSON context token sent with Get, e.g. {"ns":"emojivoto","nodeName":"node-1"}. */
  contextToken?: string;
  /** Destination streams open at once at most (default 8; the sweep raises it to its --concurrency). */
  maxDestinationStreams?: number;
  /** Overall timeout of one step, ms. */
  timeoutMs?: number;
  /** Linkerd control-plane namespace; default `linkerd`. */
  controlPlaneNamespace?: string;
  /** Cluster DNS domain; default `cluster.local`. */
  clusterDomain?: string;
  /** Prometheus base URL (metrics step); default linkerd-viz's http://prometheus.linkerd-viz.svc.cluster.local:9090. */
  prometheusUrl?: string;
  /** Reach Prometheus through a port-forward to a pod of linkerd-viz's Prometheus (port 9090) instead of the URL. */
  prometheusPortForward?: boolean;
  /** Namespace of that Prometheus pod; default `linkerd-viz`. */
  prometheusNamespace?: string;
}
