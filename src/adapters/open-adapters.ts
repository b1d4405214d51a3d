import type { ClusterOptions } from './cluster-options.js';
import { createConcurrencyLimit } from './concurrency-limit.js';
import { deferredAdapter } from './deferred-adapter.js';
import { createDestinationClient } from './destination/create-destination-client.js';
import type { DestinationClient } from './destination/destination-client.js';
import type { DestinationTransport } from './destination/destination-transport.js';
import { directTransport } from './destination/direct-transport.js';
import { DESTINATION_GRPC_PORT, portForwardTransport } from './destination/port-forward-transport.js';
import type { ClientNodeKube } from './kube/client-node-kube.js';
import type { ControlPlaneReader } from './kube/control-plane-reader.js';
import { createKubeAdapter } from './kube/create-kube-adapter.js';
import type { KubeAdapter } from './kube/kube-adapter.js';
import { createKubeCall } from './kube/kube-call.js';
import { createKubeGet, type KubeConnectionOptions } from './kube/kube-get.js';
import { readPlainKubeconfig } from './kube/plain-kubeconfig.js';
import { createRouteObjectReader, type RouteObjectReader } from './kube/route-objects.js';
import type { WorkloadScaling } from './kube/workload-scaling.js';
import { openPrometheus } from './prometheus/open-prometheus.js';
import { createTapClient, type TapClient } from './tap/tap-client.js';
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
  /** ServiceProfiles and HTTPRoutes (the routes step). */
  routes: RouteObjectReader;
  /** linkerd-viz's tap through the aggregated API on the Kubernetes API server. */
  tap: TapClient;
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
 *
 * One Kubernetes core per set: one bound on concurrent calls, one timeout, one translation of
 * failures, whichever client sends a request. KubeAdapter's reads are plain GETs
 * (create-kube-adapter.ts); with a plain kubeconfig (a token or client certificate:
 * plain-kubeconfig.ts) they need no client-node, which then loads only when a port-forward,
 * check's control-plane reads or the scale test need it. Any other kubeconfig (exec plugins,
 * auth providers, in-cluster, merged files) is loaded by client-node at once, and the GETs
 * carry what client-node applies.
 * Throws MeshbotError('config') when no credentials can be loaded.
 */
export async function openAdapters(options: ClusterOptions, cluster = DEFAULT_CLUSTER): Promise<Adapters> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controlPlaneNamespace = options.controlPlaneNamespace ?? DEFAULT_CONTROL_PLANE_NAMESPACE;
  const clusterDomain = options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const limit = createConcurrencyLimit(4);
  let clientNode: Promise<ClientNodeKube> | undefined;
  const loadClientNode = (): Promise<ClientNodeKube> =>
    (clientNode ??= import('./kube/client-node-kube.js').then((m) =>
      m.openClientNodeKube(options, { timeoutMs, limit }),
    ));
  const plain = readPlainKubeconfig(options);
  let access: { server: string; context: string; inCluster: boolean };
  let connection: () => KubeConnectionOptions | Promise<KubeConnectionOptions>;
  if (plain) {
    access = { server: plain.server, context: plain.context, inCluster: false };
    connection = () => plain.connection;
  } else {
    const loaded = await loadClientNode();
    access = {
      server: loaded.core.server,
      context: loaded.loaded.context,
      inCluster: loaded.loaded.inCluster,
    };
    connection = () => loaded.connection();
  }
  const calls = createKubeCall({ server: access.server, timeoutMs, limit });
  const get = createKubeGet(access.server, connection, timeoutMs);
  const kube = createKubeAdapter({
    calls,
    get,
    context: access.context,
    inCluster: access.inCluster,
  });
  const apiServer = { server: access.server, connection };
  let transport: DestinationTransport;
  if (options.destination) {
    transport = directTransport(options.destination);
  } else if (access.inCluster) {
    transport = directTransport(
      `linkerd-dst.${controlPlaneNamespace}.svc.${clusterDomain}:${DESTINATION_GRPC_PORT}`,
    );
  } else {
    transport = portForwardTransport({
      apiServer,
      kube,
      controlPlaneNamespace,
      connectTimeoutMs: timeoutMs,
    });
  }
  const destination = createDestinationClient(transport, {
    ...(options.maxDestinationStreams ? { maxStreams: options.maxDestinationStreams } : {}),
  });
  const prometheus = openPrometheus(options, { apiServer, kube, timeoutMs });
  const tap = createTapClient({ server: access.server, connection, timeoutMs });
  let closing: Promise<void> | undefined;
  return {
    cluster,
    kube,
    destination,
    options,
    prometheus,
    controlPlane: deferredAdapter(async () => (await loadClientNode()).controlPlane, {
      server: access.server,
    }),
    scaling: deferredAdapter(async () => (await loadClientNode()).scaling),
    routes: createRouteObjectReader({ calls, get }),
    tap,
    close: () => {
      tap.close();
      return (closing ??= Promise.all([destination.close(), prometheus.close()]).then(() => undefined));
    },
  };
}
