/**
 * IPv6 and dual-stack clusters: pods get IPv6 addresses (dual-stack: IPv4 and IPv6), services
 * their ipFamilies, EndpointSlices one per address family; the destination serves a dual-stack
 * service's IPv6 addresses as linkerd2 does, and the endpoints step compares them, bracketed.
 */
import { renderStepResultJson } from '../../../src/render/json/render-step-result-json.js';
import { renderStepResult } from '../../../src/slack/render/render-step-result.js';
import { runEndpointsStep } from '../../../src/steps/endpoints/run-endpoints-step.js';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import {
  authority,
  deployment,
  endpointsScenario,
  NS,
  podIps,
  runCli,
  service,
  SLICES,
  staleAfterFreeze,
  waitForDestinationCount,
  waitForObjects,
  waitForReadyEndpoints,
} from './endpoints-sandbox.js';

const flags = (sb: RunningSandbox) => ({
  kubeconfig: sb.kubeconfig,
  destination: sb.destination,
  output: 'json',
  timeout: '8s',
});

describe('meshbot endpoints on an IPv6 cluster', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;

  beforeAll(async () => {
    sb = await startSandbox({
      scenario: endpointsScenario({
        deployments: [deployment('voting', 3)],
        services: [service('voting-svc', 'voting')],
        network: { ipFamilies: 'IPv6' },
      }),
      podReadyDelayMs: 0,
    });
    adapters = await openAdapters({ kubeconfig: sb.kubeconfig, destination: sb.destination });
    await waitForReadyEndpoints(sb.store, 'voting-svc', 3);
    await waitForDestinationCount(adapters.destination, authority('voting-svc'), 3);
  });

  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('gives pods IPv6 addresses and finds a stale IPv6 address under freeze, bracketed', async () => {
    expect(podIps(sb.store, 'voting').every((ip) => ip.startsWith('fd00:10:244::'))).toBe(true);
    const gone = await staleAfterFreeze(sb, adapters.destination, {
      workload: 'voting',
      service: 'voting-svc',
      replicas: 2,
    });

    const run = await runCli('voting-svc.emojivoto', flags(sb));
    expect(run.code).toBe(1);
    const r = run.result!;
    expect(r.data.ports[0]?.diff.staleInDestination).toEqual([`[${gone}]:8080`]);
    const stale = r.findings.find((f) => f.code === 'stale-in-destination');
    expect(stale?.subject).toBe(`[${gone}]:8080`);
    expect(stale?.message).toMatch(/belongs to no running pod/);

    const text = await runCli('voting-svc.emojivoto', { ...flags(sb), output: 'text' });
    expect(text.stdout).toMatch(new RegExp(`\\[${gone.replace(/\./g, '\\.')}\\]:8080 .*STALE`));

    // The same result straight from the step, through the JSON and Slack renderers.
    const step = await runEndpointsStep({ service: 'voting-svc', namespace: NS }, adapters);
    expect(JSON.parse(renderStepResultJson(step)).data.ports[0].diff.staleInDestination).toEqual([
      `[${gone}]:8080`,
    ]);
    const slack = JSON.stringify(
      renderStepResult(step, { commandText: 'endpoints voting-svc.emojivoto', requestedBy: 'U1' }).messages,
    );
    expect(slack).toContain(`[${gone}]:8080`);
    expect(slack).toMatch(new RegExp(`\\[${gone.replace(/\./g, '\\.')}\\]:8080 .*STALE`));
  });
});

describe('meshbot endpoints on a dual-stack cluster', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;

  beforeAll(async () => {
    sb = await startSandbox({
      scenario: endpointsScenario({
        deployments: [deployment('web', 2)],
        services: [
          service('web-dual', 'web', { ipFamilyPolicy: 'PreferDualStack' }),
          service('web-v4', 'web'),
        ],
        network: { ipFamilies: 'dual-stack' },
      }),
      podReadyDelayMs: 0,
    });
    adapters = await openAdapters({ kubeconfig: sb.kubeconfig, destination: sb.destination });
    await waitForReadyEndpoints(sb.store, 'web-v4', 2);
  });

  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('makes one slice per family for a dual-stack service; the destination serves its IPv6 addresses', async () => {
    const types = await waitForObjects(
      sb.store,
      SLICES,
      { namespace: NS, labelSelector: 'kubernetes.io/service-name=web-dual' },
      (slices) => {
        const t = slices
          .filter((s) => ((s['endpoints'] as unknown[] | undefined) ?? []).length === 2)
          .map((s) => s['addressType'] as string);
        return t.length === 2 ? t.sort() : undefined;
      },
    );
    expect(types).toEqual(['IPv4', 'IPv6']);
    const v6 = await waitForDestinationCount(adapters.destination, authority('web-dual'), 2);
    expect(v6.every((a) => a.startsWith('[fd00:10:244::'))).toBe(true);
    const v4 = await waitForDestinationCount(adapters.destination, authority('web-v4'), 2);
    expect(v4.every((a) => a.startsWith('10.1.'))).toBe(true);

    const run = await runCli('web-dual.emojivoto', flags(sb));
    expect(run.code).toBe(0);
    expect(run.result?.findings.map((f) => f.code)).toEqual(['dual-stack-service']);
    expect(run.result?.data.ports[0]?.diff.matching.sort()).toEqual(v6);
  });
});
