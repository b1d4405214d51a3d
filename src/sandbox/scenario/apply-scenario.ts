/**
 * Turns a scenario into Kubernetes objects and creates them in a store, in the order a
 * person would apply them: namespaces, the Linkerd control plane, services, workloads,
 * HPAs, then the scenario's raw objects. The simulated controllers do the rest (pods,
 * endpoints, IPs).
 */
import type { KubeObject, ObjectStore } from '../kube/store-types.js';
import { linkerdControlPlaneObjects } from './linkerd-control-plane.js';
import { ScenarioError } from './load-scenario.js';
import type { Scenario } from './scenario-schema.js';
import { grpcRouteObject, httpRouteObject, serviceProfileObject } from './route-schema.js';
import { deploymentObject, hpaObject, serviceObject, statefulSetObject } from './workload-objects.js';

export interface PlacedObject {
  /** Where the object comes from in the scenario, for error messages: `deployments[1]`. */
  where: string;
  object: KubeObject;
}

export function scenarioObjects(s: Scenario): PlacedObject[] {
  const out: PlacedObject[] = [];
  const declared = new Set<string>();
  s.namespaces.forEach((n, i) => {
    const ns = typeof n === 'string' ? { name: n } : n;
    declared.add(ns.name);
    out.push({
      where: `namespaces[${i}]`,
      object: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: ns.name,
          ...(ns.labels ? { labels: ns.labels } : {}),
          ...(ns.annotations ? { annotations: ns.annotations } : {}),
        },
      },
    });
  });
  const implied = (ns: string, where: string): void => {
    if (declared.has(ns)) return;
    declared.add(ns);
    out.push({ where, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  };
  if (s.linkerd) {
    const [nsObject, ...rest] = linkerdControlPlaneObjects(s.linkerd);
    if (nsObject && !declared.has(s.linkerd.namespace)) {
      declared.add(s.linkerd.namespace);
      out.push({ where: 'linkerd', object: nsObject });
    }
    for (const o of rest) out.push({ where: 'linkerd', object: o });
  }
  s.services.forEach((svc, i) => {
    implied(svc.namespace, `services[${i}].namespace`);
    out.push({ where: `services[${i}]`, object: serviceObject(svc) });
  });
  s.deployments.forEach((d, i) => {
    implied(d.namespace, `deployments[${i}].namespace`);
    out.push({ where: `deployments[${i}]`, object: deploymentObject(d) });
  });
  s.statefulsets.forEach((st, i) => {
    implied(st.namespace, `statefulsets[${i}].namespace`);
    out.push({ where: `statefulsets[${i}]`, object: statefulSetObject(st) });
  });
  s.hpas.forEach((h, i) => {
    const target = (h.target.kind === 'Deployment' ? s.deployments : s.statefulsets).find(
      (w) => w.name === h.target.name && w.namespace === h.namespace,
    );
    out.push({ where: `hpas[${i}]`, object: hpaObject(h, target?.replicas ?? h.minReplicas) });
  });
  const domain = s.linkerd?.clusterDomain ?? 'cluster.local';
  s.serviceProfiles.forEach((sp, i) => {
    implied(sp.namespace, `serviceProfiles[${i}].namespace`);
    out.push({ where: `serviceProfiles[${i}]`, object: serviceProfileObject(sp, domain) as KubeObject });
  });
  s.httpRoutes.forEach((r, i) => {
    implied(r.namespace, `httpRoutes[${i}].namespace`);
    out.push({ where: `httpRoutes[${i}]`, object: httpRouteObject(r) as KubeObject });
  });
  s.grpcRoutes.forEach((r, i) => {
    implied(r.namespace, `grpcRoutes[${i}].namespace`);
    out.push({ where: `grpcRoutes[${i}]`, object: grpcRouteObject(r) as KubeObject });
  });
  s.objects.forEach((o, i) => {
    const ns = (o.metadata as { namespace?: unknown }).namespace;
    if (typeof ns === 'string' && ns) implied(ns, `objects[${i}].metadata.namespace`);
    out.push({ where: `objects[${i}]`, object: o as KubeObject });
  });
  return out;
}

/** Creates the scenario's objects; an object the store refuses is a ScenarioError naming it. */
export function applyScenario(store: ObjectStore, s: Scenario): void {
  for (const { where, object } of scenarioObjects(s)) {
    const m = object.metadata;
    try {
      if (
        object.kind === 'Namespace' &&
        store.get({ apiVersion: 'v1', kind: 'Namespace' }, undefined, m.name)
      ) {
        const cur = store.get({ apiVersion: 'v1', kind: 'Namespace' }, undefined, m.name)!;
        store.update({
          ...cur,
          metadata: {
            ...cur.metadata,
            labels: { ...cur.metadata.labels, ...m.labels },
            annotations: { ...cur.metadata.annotations, ...m.annotations },
          },
        });
        continue;
      }
      store.create(object, { shared: true });
    } catch (err) {
      const what = `${object.kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
      throw new ScenarioError(`scenario "${s.name}" could not be applied:`, [
        `${where} (${what}): ${err instanceof Error ? err.message : String(err)}`,
      ]);
    }
  }
}
