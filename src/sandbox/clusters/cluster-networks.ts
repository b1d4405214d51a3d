/**
 * Address ranges of the clusters of a multi-cluster sandbox: cluster i (from 0) gets pods in
 * 10.(1+i).0.0/16 and services in 10.(96+i).0.0/16 (IPv6: fd00:10:244:i::/64 and
 * fd00:10:96:i::/108), so an address says which cluster it came from. The first cluster's
 * addresses are those of a single-cluster sandbox.
 */
import type { SandboxNetwork } from '../sandbox-types.js';
import { MAX_CLUSTERS } from './cluster-names.js';

export function clusterNetwork(index: number): SandboxNetwork {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CLUSTERS) {
    throw new Error(`cluster index ${index} out of range 0-${MAX_CLUSTERS - 1}`);
  }
  const hex = index.toString(16);
  return {
    podCidr: `10.${1 + index}.0.0/16`,
    serviceCidr: `10.${96 + index}.0.0/16`,
    podCidrV6: `fd00:10:244:${hex}::/64`,
    serviceCidrV6: `fd00:10:96:${hex}::/108`,
  };
}
