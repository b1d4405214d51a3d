/** Checks across fields that the schema alone cannot make: duplicates, references, conflicts. */
import type { Scenario } from './scenario-schema.js';

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
  return problems;
}
