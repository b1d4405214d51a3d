/**
 * Service defaulting and IP allocation, which the real API server does at create: a
 * clusterIP from the service CIDR (none for headless or ExternalName services), the IP
 * family fields, port defaults (protocol TCP, targetPort = port) and node ports.
 */
import { mutateObject, type ClusterContext } from './cluster-context.js';
import { createIpAllocator } from './ip-allocator.js';
import { jsonEqual, objectKey, SERVICE, type Service } from './kube-refs.js';
import { createWorkQueue } from './work-queue.js';

export function startServiceIpController(ctx: ClusterContext): { stop(): void } {
  const services = ctx.informers.services;
  const ips = createIpAllocator(ctx.options.serviceCidr, 1);
  const held = new Map<string, string>();
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
      const before = structuredClone(s.spec);
      const spec = s.spec;
      spec.type ??= 'ClusterIP';
      if (spec.type === 'ExternalName') return jsonEqual(before, spec) ? false : undefined;
      if (!spec.clusterIP) {
        const ip = held.get(key) ?? ips.allocate();
        held.set(key, ip);
        spec.clusterIP = ip;
      }
      spec.clusterIPs ??= [spec.clusterIP];
      spec['ipFamilies'] ??= ['IPv4'];
      spec['ipFamilyPolicy'] ??= 'SingleStack';
      spec['sessionAffinity'] ??= 'None';
      spec['internalTrafficPolicy'] ??= 'Cluster';
      for (const p of spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
        if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && p.nodePort === undefined) {
          p.nodePort = nextNodePort++;
        }
      }
      if (jsonEqual(before, spec)) return false;
    });
  }

  const queue = createWorkQueue(sync, ctx.onError('service-ip-allocator'));
  services.onEvent((ev) => {
    const key = objectKey(ev.object);
    if (ev.type === 'DELETED') {
      const ip = held.get(key);
      if (ip) ips.release(ip);
      held.delete(key);
      return;
    }
    const ip = ev.object.spec.clusterIP;
    if (ip && ip !== 'None' && !held.has(key) && ips.contains(ip) && ips.reserve(ip)) held.set(key, ip);
    queue.add(key);
  });
  return { stop: () => queue.stop() };
}
