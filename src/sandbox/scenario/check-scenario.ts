/** Checks across fields that the schema alone cannot make: duplicates, references, conflicts. */
import { parseServiceRef } from '../traffic/traffic-model.js';
import { DEFAULT_LINKERD_CRDS, type Scenario } from './scenario-schema.js';

export function crossFieldProblems(s: Scenario): string[] {
  const problems: string[] = [];
  const seen = (list: Array<{ name: string; namespace: string }>, field: string): void => {
    const first = new Map<string, number>();
    list.forEach((item, i) => {
      const key = `${item.namespace}/${item.name}`;
      const j = first.get(key);
      if (j !== undefined) {
        problems.push(
          `${field}[${i}].name: expected a unique name, got "${item.name}" (already used by ${field}[${j}] in namespace "${item.namespace}")`,
        );
      } else first.set(key, i);
    });
  };
  seen(s.deployments, 'deployments');
  seen(s.statefulsets, 'statefulsets');
  seen(s.services, 'services');
  seen(s.hpas, 'hpas');

  const workloads = (kind: string): Array<{ name: string; namespace: string }> =>
    kind === 'Deployment' ? s.deployments : s.statefulsets;
  s.hpas.forEach((h, i) => {
    if (!workloads(h.target.kind).some((w) => w.name === h.target.name && w.namespace === h.namespace)) {
      problems.push(
        `hpas[${i}].target: expected a ${h.target.kind} of this scenario in namespace "${h.namespace}", got "${h.target.name}"`,
      );
    }
    if (h.maxReplicas < h.minReplicas) {
      problems.push(
        `hpas[${i}].maxReplicas: expected a number >= minReplicas (${h.minReplicas}), got ${h.maxReplicas}`,
      );
    }
  });

  s.services.forEach((svc, i) => {
    if (svc.type === 'ExternalName') {
      if (!svc.externalName)
        problems.push(
          `services[${i}].externalName: expected a DNS name for an ExternalName service, got nothing`,
        );
      if (svc.headless)
        problems.push(`services[${i}].headless: expected false for an ExternalName service, got true`);
    } else if (svc.externalName) {
      problems.push(
        `services[${i}].externalName: expected only on type ExternalName, got "${svc.externalName}"`,
      );
    }
    if (svc.type !== 'ExternalName' && svc.ports.length === 0 && !svc.headless) {
      problems.push(
        `services[${i}].ports: expected at least one port (only headless services may have none), got an empty list`,
      );
    }
  });

  const behaviours: Array<[string, { neverReady: boolean; crashLoop: unknown }]> = [
    ...s.deployments.map((d, i): [string, typeof d] => [`deployments[${i}]`, d]),
    ...s.statefulsets.map((d, i): [string, typeof d] => [`statefulsets[${i}]`, d]),
  ];
  for (const [name, c] of Object.entries(s.linkerd?.components ?? {})) {
    if (c) behaviours.push([`linkerd.components.${name}`, c]);
  }
  for (const [where, b] of behaviours) {
    if (b.neverReady && b.crashLoop !== false) {
      problems.push(
        `${where}.crashLoop: expected false when neverReady is true (a pod either never turns ready or crash-loops), got ${JSON.stringify(b.crashLoop)}`,
      );
    }
  }
  problems.push(...trafficProblems(s), ...routeProblems(s), ...routeCrdProblems(s));
  return problems;
}

/** Traffic edges name a workload and a service (and port) of the scenario. */
function trafficProblems(s: Scenario): string[] {
  const problems: string[] = [];
  const workloads = [...s.deployments, ...s.statefulsets];
  s.mesh.churn.forEach((c, i) => {
    if (!workloads.some((w) => w.namespace === c.namespace && w.name === c.workload)) {
      problems.push(
        `mesh.churn[${i}].workload: expected a deployment or statefulset of this scenario in namespace "${c.namespace}", got "${c.workload}"`,
      );
    }
  });
  s.traffic.forEach((e, i) => {
    if (!workloads.some((w) => w.namespace === e.namespace && w.name === e.from)) {
      problems.push(
        `traffic[${i}].from: expected a deployment or statefulset of this scenario in namespace "${e.namespace}", got "${e.from}"`,
      );
    }
    const ref = parseServiceRef(e.to, e.namespace);
    const svc = s.services.find((x) => x.namespace === ref.namespace && x.name === ref.name);
    if (!svc) {
      problems.push(
        `traffic[${i}].to: expected a service of this scenario, got "${e.to}" (no service ${ref.name} in namespace "${ref.namespace}")`,
      );
      return;
    }
    if (svc.type === 'ExternalName') {
      problems.push(
        `traffic[${i}].to: expected a service with endpoints, got ExternalName service "${e.to}"`,
      );
    }
    if (e.port !== undefined && !svc.ports.some((p) => p.port === e.port)) {
      problems.push(
        `traffic[${i}].port: expected a port of service ${ref.name}.${ref.namespace} (${svc.ports.map((p) => p.port).join(', ') || 'none'}), got ${e.port}`,
      );
    }
    if (e.port === undefined && svc.ports.length === 0) {
      problems.push(`traffic[${i}].port: expected a port: service ${ref.name}.${ref.namespace} has none`);
    }
  });
  return problems;
}

/** Route objects name services of the scenario; an edge's `route` is a route of the service it calls. */
function routeProblems(s: Scenario): string[] {
  const problems: string[] = [];
  const hasService = (ns: string, name: string): boolean =>
    s.services.some((x) => x.namespace === ns && x.name === name);
  s.serviceProfiles.forEach((sp, i) => {
    if (!hasService(sp.namespace, sp.service)) {
      problems.push(
        `serviceProfiles[${i}].service: expected a service of this scenario in namespace "${sp.namespace}", got "${sp.service}"`,
      );
    }
    if (s.serviceProfiles.findIndex((o) => o.namespace === sp.namespace && o.service === sp.service) !== i) {
      problems.push(
        `serviceProfiles[${i}].service: expected one ServiceProfile per service, got a second for "${sp.service}"`,
      );
    }
  });
  for (const [field, routes] of [
    ['httpRoutes', s.httpRoutes],
    ['grpcRoutes', s.grpcRoutes],
  ] as const) {
    routes.forEach((r, i) => {
      if (!hasService(r.namespace, r.parent)) {
        problems.push(
          `${field}[${i}].parent: expected a service of this scenario in namespace "${r.namespace}", got "${r.parent}"`,
        );
      }
    });
  }
  s.traffic.forEach((e, i) => {
    if (e.route === undefined) return;
    const ref = parseServiceRef(e.to, e.namespace);
    const inProfile = s.serviceProfiles.some(
      (sp) =>
        sp.namespace === ref.namespace &&
        sp.service === ref.name &&
        sp.routes.some((r) => r.name === e.route),
    );
    const inRoutes = [...s.httpRoutes, ...s.grpcRoutes].some(
      (r) => r.namespace === ref.namespace && r.parent === ref.name && r.name === e.route,
    );
    if (!inProfile && !inRoutes) {
      problems.push(
        `traffic[${i}].route: expected a route of service ${ref.name}.${ref.namespace} (a serviceProfiles route, or an httpRoutes or grpcRoutes entry with it as parent), got "${e.route}"`,
      );
    }
  });
  return problems;
}

/**
 * Route objects need their CRD: the API server serves a custom resource only while its CRD is
 * installed (linkerd.crds, or a CustomResourceDefinition in `objects`), as a real one does.
 */
function routeCrdProblems(s: Scenario): string[] {
  const installed = new Set<string>(s.linkerd ? (s.linkerd.crds ?? DEFAULT_LINKERD_CRDS) : []);
  for (const o of s.objects) {
    const name = (o.metadata as { name?: unknown }).name;
    if (o.kind === 'CustomResourceDefinition' && typeof name === 'string') installed.add(name);
  }
  const needs: Array<[where: string, crd: string, kind: string]> = [];
  if (s.serviceProfiles.length)
    needs.push(['serviceProfiles[0]', 'serviceprofiles.linkerd.io', 'ServiceProfiles']);
  s.httpRoutes.forEach((r, i) => needs.push([`httpRoutes[${i}]`, `httproutes.${r.group}`, 'HTTPRoutes']));
  s.grpcRoutes.forEach((_, i) =>
    needs.push([`grpcRoutes[${i}]`, 'grpcroutes.gateway.networking.k8s.io', 'GRPCRoutes']),
  );
  const reported = new Set<string>();
  const problems: string[] = [];
  for (const [where, crd, kind] of needs) {
    if (installed.has(crd) || reported.has(crd)) continue;
    reported.add(crd);
    problems.push(
      `${where}: expected the CRD ${crd} in linkerd.crds (the API server serves ${kind} only while their CRD is installed)${s.linkerd ? '' : '; this scenario has no linkerd: section, so no CRDs'}`,
    );
  }
  return problems;
}
