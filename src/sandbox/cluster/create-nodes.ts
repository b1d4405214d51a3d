/** The sandbox's Node objects: Ready, with a zone label and an InternalIP each. */
import type { KubeObject, ObjectStore } from '../kube/store-types.js';
import type { SandboxNode } from './cluster-options.js';
import { NODE, nowIso } from './kube-refs.js';

export const KUBELET_VERSION = 'v1.29.4';

export function nodeObject(name: string, zone: string, ip: string): KubeObject {
  const now = nowIso();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': zone,
        'topology.kubernetes.io/region': 'sandbox',
      },
    },
    spec: {},
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
      allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
      nodeInfo: {
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: 'linux',
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.13',
        osImage: 'Sandbox Linux',
        kernelVersion: '6.1.0',
      },
    },
  };
}

/** Creates the nodes that do not exist yet; returns their InternalIPs by name. */
export function createNodes(
  store: ObjectStore,
  nodes: ReadonlyArray<SandboxNode>,
): Map<string, { ip: string; zone: string }> {
  const out = new Map<string, { ip: string; zone: string }>();
  nodes.forEach((n, i) => {
    const ip = n.ip ?? `172.18.0.${i + 2}`;
    if (!store.get(NODE, undefined, n.name)) store.create(nodeObject(n.name, n.zone, ip));
    out.set(n.name, { ip, zone: n.zone });
  });
  return out;
}
