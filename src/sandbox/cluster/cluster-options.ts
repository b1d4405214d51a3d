export type ClusterIpFamilies = 'IPv4' | 'IPv6' | 'dual-stack';
export type IpFamily = 'IPv4' | 'IPv6';

/** The families of a pod's addresses, primary first. */
export function podFamilies(families: ClusterIpFamilies): IpFamily[] {
  return families === 'dual-stack' ? ['IPv4', 'IPv6'] : [families];
}

export const ipFamilyOf = (ip: string): IpFamily => (ip.includes(':') ? 'IPv6' : 'IPv4');

/** A node of the simulated cluster; its InternalIP defaults to 172.18.0.(2 + its index). */
export interface SandboxNode {
  name: string;
  zone: string;
  ip?: string;
}

/** Options of the simulated cluster (controllers, scheduler, kubelet). */
export interface ClusterOptions {
  /** Default delay from Running to Ready when a pod template does not say (ms). Default 0. */
  podReadyDelayMs?: number;
  /** When set, overrides every template's own delay (tests use 0). */
  podReadyDelayOverrideMs?: number;
  /** Delay from Terminating to removal (ms), the kubelet's grace. Default 1000. */
  terminationDelayMs?: number;
  /** Period of readiness-probe failures of never-ready pods (ms). Default 10000. */
  probePeriodMs?: number;
  /** Default period of crash-loop restarts (ms). Default 10000. */
  crashLoopIntervalMs?: number;
  /** The nodes; default three nodes `sandbox-node-1..3` in zones `zone-a..c`, 172.18.0.2-4. */
  nodes?: SandboxNode[];
  /** Default `10.1.0.0/16`. */
  podCidr?: string;
  /** Default `10.96.0.0/12`. */
  serviceCidr?: string;
  /**
   * The cluster's IP families: `IPv4` (default), `IPv6`, or `dual-stack` (pods get an IPv4 and
   * an IPv6 address, IPv4 first; services are single-stack IPv4 unless their ipFamilyPolicy asks
   * for both, as in Kubernetes).
   */
  ipFamilies?: ClusterIpFamilies;
  /** Default `fd00:10:244::/64`. */
  podCidrV6?: string;
  /** Default `fd00:10:96::/108`. */
  serviceCidrV6?: string;
  /** The Linkerd control plane the proxy injector belongs to; absent = no injection. */
  linkerd?: { namespace: string; version: string };
  /**
   * Start quietly, for a fast start of a large scenario that nobody watches yet: no Normal
   * events (as in a cluster whose creation events have expired) and no endpoint controllers
   * until RunningCluster.finishStart(), which then syncs every service once.
   */
  quietStart?: boolean;
  /** Where controller errors go; default stderr. */
  onError?: (err: unknown, where: string) => void;
}

export type ResolvedClusterOptions = Required<
  Omit<ClusterOptions, 'linkerd' | 'podReadyDelayOverrideMs' | 'quietStart'>
> &
  Pick<ClusterOptions, 'linkerd' | 'podReadyDelayOverrideMs'>;

export const DEFAULT_NODES = [
  { name: 'sandbox-node-1', zone: 'zone-a' },
  { name: 'sandbox-node-2', zone: 'zone-b' },
  { name: 'sandbox-node-3', zone: 'zone-c' },
];

export function resolveClusterOptions(opts: ClusterOptions): ResolvedClusterOptions {
  return {
    podReadyDelayMs: opts.podReadyDelayMs ?? 0,
    podReadyDelayOverrideMs: opts.podReadyDelayOverrideMs,
    terminationDelayMs: opts.terminationDelayMs ?? 1000,
    probePeriodMs: opts.probePeriodMs ?? 10_000,
    crashLoopIntervalMs: opts.crashLoopIntervalMs ?? 10_000,
    nodes: opts.nodes && opts.nodes.length > 0 ? opts.nodes : DEFAULT_NODES,
    podCidr: opts.podCidr ?? '10.1.0.0/16',
    serviceCidr: opts.serviceCidr ?? '10.96.0.0/12',
    ipFamilies: opts.ipFamilies ?? 'IPv4',
    podCidrV6: opts.podCidrV6 ?? 'fd00:10:244::/64',
    serviceCidrV6: opts.serviceCidrV6 ?? 'fd00:10:96::/108',
    linkerd: opts.linkerd,
    onError:
      opts.onError ??
      ((err, where) => {
        process.stderr.write(`sandbox ${where}: ${err instanceof Error ? err.message : String(err)}\n`);
      }),
  };
}
