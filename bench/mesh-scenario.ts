/**
 * The big benchmark mesh: SERVICES services x PODS pods (meshed, ready at once), spread over
 * NAMESPACES namespaces `bench-0`..; service `svc-I` lives in `bench-(I mod NAMESPACES)`.
 * Used by bench/sandbox-start.ts and bench/sweep.ts.
 */
export const BENCH_NAMESPACES = 10;

export function benchServiceName(i: number): { name: string; namespace: string } {
  return { name: `svc-${i}`, namespace: `bench-${i % BENCH_NAMESPACES}` };
}

export function benchScenario(
  services: number,
  podsPerService: number,
  options: { identity?: boolean } = {},
): Record<string, unknown> {
  const namespaces = Array.from({ length: BENCH_NAMESPACES }, (_, i) => `bench-${i}`);
  const deployments = [];
  const serviceObjects = [];
  for (let i = 0; i < services; i++) {
    const { name, namespace } = benchServiceName(i);
    deployments.push({
      name,
      namespace,
      replicas: podsPerService,
      meshed: true,
      labels: { app: name },
      containerPorts: [{ name: 'http', port: 8080 }],
    });
    serviceObjects.push({
      name,
      namespace,
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    });
  }
  return {
    name: 'bench',
    namespaces,
    // Identity certificates only where the control plane's checks run (the sweep).
    linkerd: options.identity ? { identity: {} } : {},
    deployments,
    services: serviceObjects,
    podReadyDelayMs: 0,
  };
}
