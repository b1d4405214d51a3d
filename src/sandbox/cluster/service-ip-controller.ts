/**
 * Service defaulting and IP allocation, which the real API server does at create: a
 * clusterIP from the service CIDR (none for headless or ExternalName services), the IP
 * family fields, port defaults (protocol TCP, targetPort = port) and node ports.
 */
import { mutateObject, type ClusterContext } from './cluster-context.js';
import { ipFamilyOf, podFamilies, type IpFamily } from './cluster-options.js';
import { createIpAllocator } from './ip-allocator.js';
import { jsonEqual, objectKey, SERVICE, type Service } from './kube-refs.js';
import { createWorkQueue } from './work-queue.js';

export function startServiceIpController(ctx: ClusterContext): { stop(): void } {
  const services = ctx.informers.services;
  const allocators = {
    IPv4: createIpAllocator(ctx.options.serviceCidr, 1),
    IPv6: createIpAllocator(ctx.options.serviceCidrV6, 1),
  };
  const clusterFamilies = podFamilies(ctx.options.ipFamilies);
  /** Service key -> the cluster IPs it holds. */
  const held = new Map<string, string[]>();

  /**
   * The service's families, as the API server defaults them: its own ipFamilies when set; else
   * the cluster's primary family, both families of a dual-stack cluster for PreferDualStack and
   * RequireDualStack.
   */
  function familiesOf(spec: Service['spec']): IpFamily[] {
    const own = spec['ipFamilies'] as IpFamily[] | undefined;
    if (own && own.length > 0) return own.filter((f) => clusterFamilies.includes(f));
    const policy = spec['ipFamilyPolicy'] as string | undefined;
    const dual = policy === 'PreferDualStack' || policy === 'RequireDualStack';
    return dual ? clusterFamilies : clusterFamilies.slice(0, 1);
  }
  let nextNodePort = 30000;

  /** Whether the cached service still lacks a default (checked before reading the store). */
  function needsDefaults(svc: Service): boolean {
    const spec = svc.spec;
    if (!spec.type) return true;
    if (spec.type === 'ExternalName') return false;
    if (!spec.clusterIP || !spec.clusterIPs) return true;
    for (const k of ['ipFamilies', 'ipFamilyPolicy', 'sessionAffinity', 'internalTrafficPolicy']) {
      if (spec[k] === undefined) return true;
    }
    const nodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    return (spec.ports ?? []).some(
      (p) => !p.protocol || p.targetPort === undefined || (nodePorts && p.nodePort === undefined),
    );
  }

  function sync(key: string): void {
    const svc = services.getByKey(key);
    if (!svc || !needsDefaults(svc)) return;
    mutateObject<Service>(ctx, services, SERVICE, svc.metadata.namespace, svc.metadata.name, (s) => {
      const before = { ...s.spec };
      const spec = s.spec;
      spec.type ??= 'ClusterIP';
      if (spec.type === 'ExternalName') return jsonEqual(before, spec) ? false : undefined;
      const families = familiesOf(spec);
      if (!spec.clusterIP) {
        const ips = held.get(key) ?? families.map((f) => allocators[f].allocate());
        held.set(key, ips);
        spec.clusterIP = ips[0]!;
        spec.clusterIPs ??= ips;
      }
      spec.clusterIPs ??= [spec.clusterIP];
      spec['ipFamilies'] ??= families;
      spec['ipFamilyPolicy'] ??= families.length > 1 ? 'PreferDualStack' : 'SingleStack';
      spec['sessionAffinity'] ??= 'None';
      spec['internalTrafficPolicy'] ??= 'Cluster';
      if (spec.ports) {
        // The stored ports are frozen: default them into new ones.
        spec.ports = spec.ports.map((stored) => {
          const p = { ...stored };
          p.protocol ??= 'TCP';
          p.targetPort ??= p.port;
          if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && p.nodePort === undefined) {
            p.nodePort = nextNodePort++;
          }
          return p;
        });
      }
      if (jsonEqual(before, spec)) return false;
    });
  }

  const queue = createWorkQueue(sync, ctx.onError('service-ip-allocator'));
  services.onEvent((ev) => {
    const key = objectKey(ev.object);
    if (ev.type === 'DELETED') {
      for (const ip of held.get(key) ?? []) allocators[ipFamilyOf(ip)].release(ip);
      held.delete(key);
      return;
    }
    const ips = (ev.object.spec.clusterIPs ?? [ev.object.spec.clusterIP]).filter(
      (ip): ip is string => !!ip && ip !== 'None',
    );
    if (ips.length > 0 && !held.has(key)) {
      const reserved = ips.filter((ip) => {
        const a = allocators[ipFamilyOf(ip)];
        return a.contains(ip) && a.reserve(ip);
      });
      if (reserved.length > 0) held.set(key, reserved);
    }
    queue.add(key);
  });
  return { stop: () => queue.stop() };
}
