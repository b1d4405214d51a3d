/**
 * The Prometheus client a set of adapters carries: the configured URL (default linkerd-viz's
 * in-cluster service), or, with `prometheusPortForward`, a port-forward through the Kubernetes
 * API to a running pod of linkerd-viz's Prometheus (port 9090), as `linkerd viz dashboard` does.
 * The port-forward opens on the first query and closes with the client.
 */
import { MeshbotError } from '../../errors.js';
import type { ClusterOptions } from '../cluster-options.js';
import type { KubeAdapter } from '../kube/kube-adapter.js';
import type { KubeEndpoint, PortForwardTunnel } from '../kube/port-forward-tunnel.js';
import {
  createPrometheusClient,
  DEFAULT_PROMETHEUS_URL,
  type PrometheusClient,
} from './prometheus-client.js';

export const VIZ_NAMESPACE = 'linkerd-viz';
export const PROMETHEUS_POD_LABEL = 'component=prometheus';
export const PROMETHEUS_PORT = 9090;

export interface OpenPrometheusDeps {
  /** The API server and the kubeconfig's connection settings, for the port-forward. */
  apiServer: KubeEndpoint;
  kube: Pick<KubeAdapter, 'listPods'>;
  timeoutMs: number;
}

export function openPrometheus(options: ClusterOptions, deps: OpenPrometheusDeps): PrometheusClient {
  if (!options.prometheusPortForward) {
    return createPrometheusClient({
      url: options.prometheusUrl ?? DEFAULT_PROMETHEUS_URL,
      timeoutMs: deps.timeoutMs,
    });
  }
  const ns = options.prometheusNamespace ?? VIZ_NAMESPACE;
  let tunnel: PortForwardTunnel | undefined;
  const connect = async (): Promise<string> => {
    const pods = await deps.kube.listPods(ns, { labelSelector: PROMETHEUS_POD_LABEL });
    const pod = pods.find((p) => p.phase === 'Running' && p.ready && !p.deleting);
    if (!pod) {
      throw new MeshbotError(
        'unreachable',
        `no running, ready Prometheus pod (${PROMETHEUS_POD_LABEL}) in namespace ${ns} to port-forward to`,
        `Is linkerd-viz installed (linkerd viz install)? Check \`kubectl -n ${ns} get pods -l ${PROMETHEUS_POD_LABEL}\`, or give --prometheus URL.`,
      );
    }
    const { openPortForwardTunnel } = await import('../kube/port-forward-tunnel.js');
    tunnel = await openPortForwardTunnel(deps.apiServer, {
      namespace: ns,
      pod: pod.name,
      port: PROMETHEUS_PORT,
      connectTimeoutMs: deps.timeoutMs,
    });
    return `http://${tunnel.address}`;
  };
  return createPrometheusClient({
    connect,
    displayUrl: `port-forward to ${ns}/prometheus:${PROMETHEUS_PORT}`,
    timeoutMs: deps.timeoutMs,
    onClose: async () => {
      const t = tunnel;
      tunnel = undefined;
      await t?.close();
    },
  });
}
