/**
 * A service of 250 endpoints: the sandbox's EndpointSlice controller splits it over three slices
 * of at most 100 (as the real controller does), the destination serves all of them, and the
 * endpoints step reads every slice and finds one stale address under freeze.
 */
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import {
  authority,
  deployment,
  endpointsScenario,
  NS,
  runCli,
  service,
  SLICES,
  staleAfterFreeze,
  waitForDestinationCount,
  waitForObjects,
  waitForReadyEndpoints,
} from './endpoints-sandbox.js';

describe('meshbot endpoints on a service of several EndpointSlices', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;

  beforeAll(async () => {
    sb = await startSandbox({
      scenario: endpointsScenario({
        deployments: [deployment('big', 250)],
        services: [service('big-svc', 'big')],
      }),
      podReadyDelayMs: 0,
    });
    adapters = await openAdapters({ kubeconfig: sb.kubeconfig, destination: sb.destination });
    await waitForReadyEndpoints(sb.store, 'big-svc', 250);
    await waitForDestinationCount(adapters.destination, authority('big-svc'), 250);
  }, 60_000);

  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('splits 250 endpoints into slices of at most 100 and finds a stale address under freeze', async () => {
    const sizes = await waitForObjects(
      sb.store,
      SLICES,
      { namespace: NS, labelSelector: 'kubernetes.io/service-name=big-svc' },
      (slices) => {
        const n = slices.map((s) => ((s['endpoints'] as unknown[] | undefined) ?? []).length);
        return n.reduce((a, b) => a + b, 0) === 250 ? n.sort((a, b) => b - a) : undefined;
      },
    );
    expect(sizes).toEqual([100, 100, 50]);

    const gone = await staleAfterFreeze(sb, adapters.destination, {
      workload: 'big',
      service: 'big-svc',
      replicas: 249,
    });

    const run = await runCli('big-svc.emojivoto', {
      kubeconfig: sb.kubeconfig,
      destination: sb.destination,
      output: 'json',
      timeout: '8s',
    });
    expect(run.code).toBe(1);
    const port = run.result!.data.ports[0]!;
    expect(port.kubernetes.filter((e) => e.ready)).toHaveLength(249);
    expect(port.destination.endpoints).toHaveLength(250);
    expect(port.diff.staleInDestination).toEqual([`${gone}:8080`]);
    expect(
      run.result!.findings.filter((f) => f.code === 'stale-in-destination').map((f) => f.subject),
    ).toEqual([`${gone}:8080`]);
  }, 60_000);
});
