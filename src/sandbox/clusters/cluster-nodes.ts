/**
 * The nodes of a cluster of a multi-cluster sandbox: names of its own, as real clusters have
 * (`east-node-1..3`; a kind cluster's are `NAME-control-plane`, `NAME-worker`...), in zones
 * `zone-a..c`, with InternalIPs of its own (cluster i: 172.18.i.2-4, so the first cluster's are
 * a single sandbox's). The name stays a valid label value (the node's `kubernetes.io/hostname`,
 * at most 63 characters): a long cluster name is cut.
 */
import { DEFAULT_NODES, type SandboxNode } from '../cluster/cluster-options.js';

const SUFFIX_LENGTH = '-node-1'.length;

export function clusterNodes(cluster: string, index: number): SandboxNode[] {
  const prefix = cluster.slice(0, 63 - SUFFIX_LENGTH).replace(/-+$/, '');
  return DEFAULT_NODES.map((n, i) => ({
    name: `${prefix}-node-${i + 1}`,
    zone: n.zone,
    ip: `172.18.${index}.${i + 2}`,
  }));
}
