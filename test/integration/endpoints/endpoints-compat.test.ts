/**
 * The endpoints step against both behaviours of the destination controller: today's linkerd2
 * (NotFound for a missing service, nothing for a service without endpoints, a remove when they
 * go away) and older controllers (`destination: { compat: legacy }`: no_endpoints messages).
 * The verdicts must be the same.
 */
import { applyUpdate, emptyEndpointSet } from '../../../src/adapters/destination/apply-updates.js';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import {
  authority,
  deployment,
  endpointsScenario,
  runCli,
  scale,
  service,
  staleAfterFreeze,
  waitForDestinationCount,
  waitForOnlyReadyEndpoints,
  waitForReadyEndpoints,
} from './endpoints-sandbox.js';

describe.each(['current', 'legacy'] as const)('meshbot endpoints against a %s destination', (compat) => {
  let sb: RunningSandbox;
  let adapters: Adapters;
  const direct = () => ({
    kubeconfig: sb.kubeconfig,
    destination: sb.destination,
    output: 'json',
    timeout: '8s',
  });

  beforeAll(async () => {
    sb = await startSandbox({
      scenario: endpointsScenario({
        deployments: [deployment('web', 2), deployment('voting', 3), deployment('idle', 2)],
        services: [service('web-svc', 'web'), service('voting-svc', 'voting'), service('idle-svc', 'idle')],
        destination: { compat },
      }),
      podReadyDelayMs: 0,
    });
    adapters = await openAdapters({ kubeconfig: sb.kubeconfig, destination: sb.destination });
    await Promise.all([
      waitForReadyEndpoints(sb.store, 'voting-svc', 3),
      waitForReadyEndpoints(sb.store, 'idle-svc', 2),
    ]);
    await Promise.all([
      waitForDestinationCount(adapters.destination, authority('voting-svc'), 3),
      waitForDestinationCount(adapters.destination, authority('idle-svc'), 2),
    ]);
  });

  afterEach(() => sb.clearFaults());

  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('says a missing service is missing, and not that the destination still serves it', async () => {
    const run = await runCli('nosuch-svc.emojivoto:80', direct());
    expect(run.code).toBe(1);
    expect(run.result?.findings.map((f) => f.code)).toEqual(['service-not-found']);
  });

  it('agrees with Kubernetes on a service scaled to zero', async () => {
    // A subscriber open across the scale-down sees the addresses go (remove; legacy: then no_endpoints).
    const state = emptyEndpointSet();
    let subscribed: () => void = () => undefined;
    let emptied: () => void = () => undefined;
    const added = new Promise<void>((resolve) => (subscribed = resolve));
    const empty = new Promise<void>((resolve) => (emptied = resolve));
    const proxy = adapters.destination.watch(authority('idle-svc'), (update) => {
      applyUpdate(state, update);
      if (update.kind === 'add') subscribed();
      else if (state.addresses.size === 0) emptied();
    });
    await added;
    scale(sb.store, 'idle', 0);
    await waitForOnlyReadyEndpoints(sb.store, 'idle-svc', 0);
    await empty;
    proxy();
    const run = await runCli('idle-svc.emojivoto', direct());
    expect(run.code).toBe(1);
    const r = run.result!;
    expect(r.status).toBe('warn');
    expect(r.findings.map((f) => f.code)).toEqual(['no-ready-endpoints']);
    expect(r.data.ports[0]?.destination.answer).toBe(compat === 'current' ? 'answered' : 'no-endpoints');
    expect(r.data.ports[0]?.destination.updates.map((u) => u.kind)).toEqual(
      compat === 'current' ? [] : ['no_endpoints'],
    );
  });

  it('names the stale address under freeze', async () => {
    const gone = await staleAfterFreeze(sb, adapters.destination, {
      workload: 'voting',
      service: 'voting-svc',
      replicas: 2,
    });
    const run = await runCli('voting-svc.emojivoto', direct());
    expect(run.code).toBe(1);
    expect(run.result?.status).toBe('fail');
    expect(run.result?.data.ports[0]?.diff.staleInDestination).toEqual([`${gone}:8080`]);
  });
});
