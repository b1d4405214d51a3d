/**
 * Contracts between the sandbox's parts, so each can be built and tested on its own:
 * - the destination controller (src/sandbox/destination/) reads the API server over HTTP,
 *   like the real one does with informers, and exposes faults and metrics;
 * - startSandbox (src/sandbox/start-sandbox.ts) composes store, API server, controllers,
 *   destination controller and admin API from a scenario.
 */
import type { GetDestination } from './destination/destination-messages.js';
import type { DestinationCompat } from './destination/endpoint-view.js';
import type { UpdateSink } from './destination/get-stream.js';
import type { Fault } from './fault-types.js';
import type { AuditEvent } from './kube/api-server.js';
import type { ObjectStore } from './kube/store-types.js';
import type { SandboxNode } from './cluster/cluster-options.js';

export interface DestinationControllerOptions {
  /** Path of a kubeconfig that points at the (sandbox) API server. */
  kubeconfigPath: string;
  /** gRPC port on 127.0.0.1; 0 or absent = ephemeral. */
  port?: number;
  /** Prometheus /metrics port on 127.0.0.1; 0 or absent = ephemeral. */
  metricsPort?: number;
  clusterDomain?: string;
  /** `cluster` label value of the metrics. */
  clusterName?: string;
  faults?: Fault[];
  /**
   * Answer like today's linkerd2 (`current`, the default: NotFound for a missing service, a
   * `remove` when endpoints go away, never `no_endpoints`) or like older controllers (`legacy`).
   */
  compat?: DestinationCompat;
}

export interface RunningDestinationController {
  /** `127.0.0.1:PORT` */
  address: string;
  /** `http://127.0.0.1:PORT/metrics` */
  metricsUrl: string;
  setFault(fault: Fault): void;
  /** Clears faults of one service (`NAME.NAMESPACE`), or every fault when absent. */
  clearFaults(service?: string): void;
  faults(): Fault[];
  /**
   * Opens a Get stream held inside this process (a simulated meshed client): the same
   * authority checks, subscription registry, faults and metrics as a Get over gRPC.
   */
  openGet(request: GetDestination, sink: UpdateSink): void;
  /** Resolves once the informers have synced their first list. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface SandboxAddresses {
  apiServer: string;
  kubeconfig: string;
  destination: string;
  metrics: string;
  /** `http://127.0.0.1:PORT/metrics`: the meshed pods' proxy metrics (request_total, response_total, ...). */
  proxyMetrics?: string;
  admin: string;
  /** Path of the Prometheus scrape config `meshbot sandbox` wrote (src/sandbox/prometheus-scrape-config.ts). */
  prometheusConfig?: string;
}

export interface Sandbox extends SandboxAddresses {
  proxyMetrics: string;
  store: ObjectStore;
  destinationController: RunningDestinationController;
  setFault(fault: Fault): void;
  clearFaults(service?: string): void;
  stop(): Promise<void>;
}

export interface StartSandboxOptions {
  /** A built-in scenario name (`emojivoto`, `emojivoto-stale`) or a path to a YAML file, or a parsed scenario. */
  scenario: string | unknown;
  /** Where to write the kubeconfig; default: a temp file removed on stop. */
  kubeconfigOut?: string;
  /**
   * Kubeconfigs to write once the sandbox is up, each acting as a ServiceAccount (created,
   * with its namespace, when missing; RBAC decides what it may do). Left in place on stop.
   */
  serviceAccountKubeconfigs?: Array<{ namespace: string; name: string; path: string }>;
  /** Told every authorization decision of the API server (see ApiServerOptions.audit). */
  apiAudit?: (event: AuditEvent) => void;
  apiServerPort?: number;
  destinationPort?: number;
  metricsPort?: number;
  /** Port of the proxies' /metrics; 0 or absent = ephemeral. */
  proxyMetricsPort?: number;
  adminPort?: number;
  /** Overrides the scenario's pod readiness delay (ms). Tests use 0 or small values. */
  podReadyDelayMs?: number;
  /** Name of the kubeconfig's cluster, user and context; default `meshbot-sandbox`. */
  contextName?: string;
  /** The cluster's address ranges; default pods 10.1.0.0/16, services 10.96.0.0/12 (IPv6: fd00:10:244::/64, fd00:10:96::/108). */
  network?: SandboxNetwork;
  /** The cluster's nodes; default `sandbox-node-1..3` (a cluster of a set: its own, cluster-nodes.ts). */
  nodes?: SandboxNode[];
  /**
   * Puts the API server, destination and metrics behind gates that can refuse connections and
   * take them again on the same ports (RunningSandbox.reachability, admin `POST /down`, `/up`).
   */
  gated?: boolean;
}

export interface SandboxNetwork {
  podCidr: string;
  serviceCidr: string;
  podCidrV6: string;
  serviceCidrV6: string;
}

/** One cluster's addresses in `meshbot sandbox --clusters` output. */
export interface ClusterAddresses {
  /** Its context in the shared kubeconfig (the cluster's name). */
  context: string;
  apiServer: string;
  /** A kubeconfig of this cluster alone (context named after it); removed on exit. */
  kubeconfig: string;
  destination: string;
  metrics: string;
  admin: string;
  proxyMetrics: string;
  /** Its pod and service ranges: an address says which cluster it came from. */
  podCidr: string;
  serviceCidr: string;
  /**
   * A Prometheus scrape config of this cluster alone (`meshbot sandbox --clusters` writes one
   * per cluster, as linkerd-viz runs one Prometheus per cluster); absent from startClusters.
   */
  prometheusConfig?: string;
}

/** What `meshbot sandbox --clusters A,B --json` prints: one line. */
export interface ClusterSetAddresses {
  /** One kubeconfig, a context per cluster; the first cluster's is current. */
  kubeconfig: string;
  /**
   * The Prometheus scrape config covering every cluster (target label `cluster`), for a person
   * watching them all; meshbot's clusters each read their own (`clusters.NAME.prometheusConfig`).
   */
  prometheusConfig: string;
  /** By cluster name, in the order given. */
  clusters: Record<string, ClusterAddresses>;
}
