import { MeshbotError } from '../../errors.js';
import type { KubeAdapter } from '../kube/kube-adapter.js';
import type { KubeEndpoint, PortForwardTunnel } from '../kube/port-forward-tunnel.js';
import type { DestinationTransport } from './destination-transport.js';

export const DESTINATION_POD_LABEL = 'linkerd.io/control-plane-component=destination';
export const DESTINATION_GRPC_PORT = 8086;

export interface PortForwardTransportOptions {
  /** The API server and the kubeconfig's connection settings (the tunnel loads when it opens). */
  apiServer: KubeEndpoint;
  kube: KubeAdapter;
  controlPlaneNamespace: string;
  connectTimeoutMs: number;
}

/**
 * gRPC through a port-forward to a running, ready destination pod's port 8086, found by its
 * label in the control-plane namespace, as `linkerd diagnostics endpoints` does.
 */
export function portForwardTransport(options: PortForwardTransportOptions): DestinationTransport {
  const ns = options.controlPlaneNamespace;
  let opening: Promise<{ tunnel: PortForwardTunnel; pod: string }> | undefined;
  let current: PortForwardTunnel | undefined;
  let description = `port-forward to a destination pod in ${ns} (port ${DESTINATION_GRPC_PORT})`;

  /** A running, ready, not-terminating destination pod, or an `unreachable` error that lists what was seen. */
  const pick = async (): Promise<string> => {
    const pods = await options.kube.listPods(ns, { labelSelector: DESTINATION_POD_LABEL });
    const running = pods.filter((p) => p.phase === 'Running' && p.ready && !p.deleting);
    const pod = running[0];
    if (!pod) {
      const seen = pods.map(
        (p) => `${p.name} (${p.deleting ? 'terminating' : p.phase}${p.ready ? ', ready' : ', not ready'})`,
      );
      throw new MeshbotError(
        'unreachable',
        `no running, ready destination pod in namespace ${ns}${seen.length ? `: ${seen.join(', ')}` : ''}`,
        `Is Linkerd installed in ${ns}? Set --control-plane-namespace, check \`kubectl -n ${ns} get pods -l ${DESTINATION_POD_LABEL}\`, or pass --destination HOST:PORT.`,
      );
    }
    description = `port-forward to ${ns}/${pod.name}:${DESTINATION_GRPC_PORT}`;
    return pod.name;
  };

  const open = async (): Promise<{ tunnel: PortForwardTunnel; pod: string }> => {
    // The first pick happens now, so "no destination pod" surfaces at once; later connections
    // (gRPC reconnecting after the pod went away) pick again.
    const first = await pick();
    let reuse: string | undefined = first;
    const { openPortForwardTunnel } = await import('../kube/port-forward-tunnel.js');
    const tunnel = await openPortForwardTunnel(options.apiServer, {
      namespace: ns,
      pod: () => {
        const pod = reuse;
        reuse = undefined;
        return pod ? Promise.resolve(pod) : pick();
      },
      port: DESTINATION_GRPC_PORT,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    current = tunnel;
    return { tunnel, pod: first };
  };

  return {
    describe: () => description,
    connect: async () => {
      opening ??= open();
      try {
        return (await opening).tunnel.address;
      } catch (err) {
        opening = undefined;
        throw err;
      }
    },
    lastError: () => current?.lastError(),
    close: async () => {
      const o = opening;
      opening = undefined;
      current = undefined;
      if (!o) return;
      try {
        await (await o).tunnel.close();
      } catch {
        // never opened: nothing to close
      }
    },
  };
}
