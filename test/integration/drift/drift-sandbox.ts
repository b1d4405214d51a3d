/**
 * Helpers of the drift tests: a scenario of meshed services in `emojivoto` (with meshbot's own
 * namespace for its Lease and state), and freezing a service in the destination while one of
 * its pods goes away (one stale address), awaited on watches and streams.
 */
import type { DestinationClient } from '../../../src/adapters/destination/destination-client.js';
import type { RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import {
  authority,
  podIps,
  scale,
  waitForDestinationCount,
  waitForOnlyReadyEndpoints,
  waitForPodGone,
} from '../endpoints/endpoints-sandbox.js';

export const NS = 'emojivoto';

/** One deployment and service `APP-svc` per app, every pod meshed. */
export function driftScenario(name: string, apps: Record<string, number>): Record<string, unknown> {
  const entries = Object.entries(apps);
  return {
    name,
    namespaces: [NS, 'meshbot'],
    terminationDelayMs: 20,
    linkerd: { identity: {} },
    deployments: entries.map(([app, replicas]) => ({
      name: app,
      namespace: NS,
      replicas,
      meshed: true,
      containerPorts: [{ name: 'http', port: 8080 }],
    })),
    services: entries.map(([app]) => ({
      name: `${app}-svc`,
      namespace: NS,
      selector: { app },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    })),
  };
}

/** Freezes `APP-svc` in the destination and scales `app` from `replicas` down by one. */
export async function freezeAndShrink(
  sb: RunningSandbox,
  destination: DestinationClient,
  app: string,
  replicas: number,
): Promise<void> {
  const proxy = destination.watch(authority(`${app}-svc`), () => undefined);
  sb.setFault({ type: 'freeze', service: `${app}-svc.${NS}` });
  const before = podIps(sb.store, app);
  scale(sb.store, app, replicas - 1);
  const after = await waitForOnlyReadyEndpoints(sb.store, `${app}-svc`, replicas - 1);
  await waitForPodGone(
    sb.store,
    app,
    before.find((ip) => !after.includes(ip))!,
  );
  proxy();
}

/** Clears the faults and scales `app` back, until the destination serves every pod again. */
export async function heal(
  sb: RunningSandbox,
  destination: DestinationClient,
  app: string,
  replicas: number,
): Promise<void> {
  sb.clearFaults();
  scale(sb.store, app, replicas);
  await waitForOnlyReadyEndpoints(sb.store, `${app}-svc`, replicas);
  await waitForDestinationCount(destination, authority(`${app}-svc`), replicas);
}
