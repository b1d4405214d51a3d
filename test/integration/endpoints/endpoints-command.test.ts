/**
 * `meshbot endpoints` against the sandbox's real servers: the Kubernetes API server, the
 * destination controller and the port-forward WebSocket. State changes are awaited on store
 * watches and destination streams, never on timers.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { startApiServer } from '../../../src/sandbox/kube/api-server.js';
import { writeKubeconfig } from '../../../src/sandbox/kube/write-kubeconfig.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import {
  authority,
  endpointsScenario,
  NS,
  podIps,
  runCli,
  scale,
  staleAfterFreeze,
  waitForDestinationCount,
  waitForObjects,
  waitForOnlyReadyEndpoints,
  waitForPodGone,
  waitForReadyEndpoints,
} from './endpoints-sandbox.js';

describe('meshbot endpoints through the sandbox', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;
  /** A subscriber held open, as a client proxy would be, while the cluster changes. */
  const subscribe = (svc: string): (() => void) =>
    adapters.destination.watch(authority(svc), () => undefined);
  const direct = () => ({
    kubeconfig: sb.kubeconfig,
    destination: sb.destination,
    output: 'json',
    timeout: '8s',
  });

  beforeAll(async () => {
    sb = await startSandbox({ scenario: endpointsScenario(), podReadyDelayMs: 0 });
    adapters = await openAdapters({ kubeconfig: sb.kubeconfig, destination: sb.destination });
    await Promise.all([
      waitForReadyEndpoints(sb.store, 'web-svc', 3),
      waitForReadyEndpoints(sb.store, 'voting-svc', 3),
      waitForReadyEndpoints(sb.store, 'emoji-svc', 3),
      waitForReadyEndpoints(sb.store, 'lagging-svc', 2),
    ]);
    await Promise.all([
      waitForDestinationCount(adapters.destination, authority('web-svc'), 3),
      waitForDestinationCount(adapters.destination, authority('voting-svc'), 3),
      waitForDestinationCount(adapters.destination, authority('emoji-svc'), 3),
      waitForDestinationCount(adapters.destination, authority('lagging-svc'), 2),
    ]);
  });

  afterEach(() => {
    sb.clearFaults();
    sb.setAccessRules([]);
  });

  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('passes on identical sets over the direct address (exit 0)', async () => {
    const run = await runCli('web-svc.emojivoto', direct());
    expect(run.code).toBe(0);
    const r = run.result!;
    expect(r.status).toBe('pass');
    expect(r.data.destinationSource).toBe(sb.destination);
    const port = r.data.ports[0]!;
    expect(port.diff.matching).toHaveLength(3);
    expect(
      port.destination.endpoints.every((e) =>
        e.identity?.endsWith('.serviceaccount.identity.linkerd.cluster.local'),
      ),
    ).toBe(true);
    expect(port.destination.endpoints.every((e) => e.pod?.startsWith('web-'))).toBe(true);
    expect(r.data.pods.filter((p) => p.ready)).toHaveLength(3);
  });

  it('passes over the port-forward to a destination pod when no address is given', async () => {
    const run = await runCli('web-svc.emojivoto', {
      kubeconfig: sb.kubeconfig,
      output: 'json',
      timeout: '8s',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.result?.data.destinationSource).toMatch(/^port-forward to linkerd\/\S+:8086$/);
    expect(run.result?.data.ports[0]?.diff.matching).toHaveLength(3);
  });

  it('resolves a named target port (targetPort: http -> 8080) and a port given by name', async () => {
    const run = await runCli('web-svc.emojivoto:http', direct());
    expect(run.code).toBe(0);
    const port = run.result!.data.ports[0]!;
    expect(port).toMatchObject({ port: 80, name: 'http', targetPort: 'http' });
    expect(port.kubernetes.every((e) => e.port === 8080)).toBe(true);
    expect(port.destination.endpoints.every((e) => e.port === 8080)).toBe(true);
  });

  it('compares every port of a multi-port service, once each', async () => {
    const run = await runCli('web-multi.emojivoto', direct());
    expect(run.code).toBe(0);
    const ports = run.result!.data.ports;
    expect(ports.map((p) => [p.port, p.authority])).toEqual([
      [80, authority('web-multi', 80)],
      [9090, authority('web-multi', 9090)],
    ]);
    expect(ports[1]!.destination.endpoints.every((e) => e.port === 9090)).toBe(true);
    expect(ports.every((p) => p.diff.matching.length === 3)).toBe(true);
  });

  it('explains a headless service instead of comparing it', async () => {
    const run = await runCli('web-headless.emojivoto', direct());
    expect(run.code).toBe(0);
    const r = run.result!;
    expect(r.data.judged).toBe(false);
    expect(r.findings.map((f) => f.code)).toContain('headless-service');
    expect(r.data.ports[0]?.destination.answer).toBe('not-asked');
    expect(r.data.ports[0]?.kubernetes).toHaveLength(3);
  });

  it('names a stale IP after freeze and a scale-down, and attributes it to a deleted pod (exit 1)', async () => {
    const gone = await staleAfterFreeze(sb, adapters.destination, {
      workload: 'voting',
      service: 'voting-svc',
      replicas: 2,
    });

    const run = await runCli('voting-svc.emojivoto', direct());
    expect(run.code).toBe(1);
    const r = run.result!;
    expect(r.status).toBe('fail');
    const stale = r.findings.find((f) => f.code === 'stale-in-destination');
    expect(stale?.subject).toBe(`${gone}:8080`);
    expect(stale?.message).toMatch(/belongs to no running pod: most likely a deleted pod/);
    expect(r.data.ports[0]?.diff.staleInDestination).toEqual([`${gone}:8080`]);
    expect((r.next as Array<{ command?: unknown }>).map((n) => n.command)).toEqual([
      'runbook stale-endpoints voting-svc.emojivoto',
      'metrics voting-svc.emojivoto',
      'scale-test voting-svc.emojivoto',
      'check',
    ]);

    const text = await runCli('voting-svc.emojivoto', { ...direct(), output: 'text' });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`${gone.replace(/\./g, '\\.')}:8080 .*STALE`));
    expect(text.stdout).toContain('meshbot scale-test voting-svc.emojivoto');
  });

  it('names the addresses a drop-removes destination keeps', async () => {
    const proxy = subscribe('emoji-svc');
    await waitForDestinationCount(adapters.destination, authority('emoji-svc'), 3);
    sb.setFault({ type: 'drop-removes', service: 'emoji-svc.emojivoto' });
    const before = podIps(sb.store, 'emoji');
    scale(sb.store, 'emoji', 2);
    const after = await waitForOnlyReadyEndpoints(sb.store, 'emoji-svc', 2);
    const gone = before.find((ip) => !after.includes(ip))!;
    await waitForPodGone(sb.store, 'emoji', gone);

    const run = await runCli('emoji-svc.emojivoto', direct());
    expect(run.code).toBe(1);
    expect(run.result?.data.ports[0]?.diff.staleInDestination).toEqual([`${gone}:8080`]);
    expect(run.result?.data.ports[0]?.diff.matching).toEqual(after.map((ip) => `${ip}:8080`));
    proxy();
  });

  it('names an endpoint missing from a lagging destination', async () => {
    sb.setFault({ type: 'lag', ms: 30_000, service: 'lagging-svc.emojivoto' });
    const before = await waitForReadyEndpoints(sb.store, 'lagging-svc', 2);
    scale(sb.store, 'lagging', 3);
    const after = await waitForReadyEndpoints(sb.store, 'lagging-svc', 3);
    const added = after.find((ip) => !before.includes(ip))!;

    const run = await runCli('lagging-svc.emojivoto', direct());
    expect(run.code).toBe(1);
    const r = run.result!;
    expect(r.findings.find((f) => f.code === 'missing-from-destination')?.subject).toBe(`${added}:8080`);
    expect(r.data.ports[0]?.destination.completion).toBe('settled');
  });

  it('reports no ready endpoints for an existing service without pods (the destination stays silent)', async () => {
    const run = await runCli('idle-svc.emojivoto', direct());
    expect(run.code).toBe(1);
    const r = run.result!;
    expect(r.status).toBe('warn');
    // Today's Linkerd sends nothing for a service without endpoints (compat legacy: no_endpoints).
    expect(r.data.ports[0]?.destination.answer).toBe('answered');
    expect(r.data.ports[0]?.destination.completion).toBe('quiet');
    expect(r.data.ports[0]?.destination.updates).toEqual([]);
    expect(r.findings.map((f) => f.code)).toEqual(['no-ready-endpoints']);
  });

  it('says when the service exists on one side only', async () => {
    // Created while the destination is frozen for it: Kubernetes has it, the destination does not.
    sb.setFault({ type: 'freeze', service: 'late-svc.emojivoto' });
    sb.store.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'late-svc', namespace: NS },
      spec: {
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      },
    });
    await waitForReadyEndpoints(sb.store, 'late-svc', 3);
    const onlyKube = await runCli('late-svc.emojivoto', direct());
    expect(onlyKube.code).toBe(1);
    expect(onlyKube.result?.data.ports[0]?.destination.answer).toBe('unknown-service');
    expect(onlyKube.result?.findings.map((f) => f.code)).toContain('unknown-to-destination');

    // Deleted while the destination is frozen for it: the destination still serves it.
    const proxy = subscribe('gone-svc');
    await waitForDestinationCount(adapters.destination, authority('gone-svc'), 3);
    sb.setFault({ type: 'freeze', service: 'gone-svc.emojivoto' });
    sb.store.delete({ group: '', plural: 'services' }, NS, 'gone-svc');
    await waitForObjects(sb.store, { group: '', plural: 'services' }, { namespace: NS }, (svcs) =>
      svcs.some((x) => x.metadata.name === 'gone-svc') ? undefined : true,
    );
    const onlyDestination = await runCli('gone-svc.emojivoto:80', direct());
    proxy();
    expect(onlyDestination.code).toBe(1);
    expect(onlyDestination.result?.findings.map((f) => f.code)).toEqual([
      'service-not-found',
      'exists-only-in-destination',
    ]);
    expect(onlyDestination.result?.summary).toMatch(/the destination still serves it/);
  });

  it('reports an unknown service as a finding, not an error', async () => {
    const run = await runCli('nosuch-svc.emojivoto', direct());
    expect(run.code).toBe(1);
    expect(run.result?.findings[0]?.code).toBe('service-not-found');
    const ns = await runCli('web-svc.nosuchns', direct());
    expect(ns.result?.findings[0]?.code).toBe('namespace-not-found');
  });

  it('exits 3 with a hint when the destination answers UNAVAILABLE', async () => {
    sb.setFault({ type: 'unavailable', service: 'web-svc.emojivoto' });
    const run = await runCli('web-svc.emojivoto', direct());
    expect(run.code).toBe(3);
    const f = run.result!.findings.find((x) => x.code === 'destination-unavailable');
    expect(f?.message).toMatch(/unavailable/);
    expect(f?.hint).toMatch(/--destination/);
  });

  it('exits 3 with a hint when nothing listens at --destination', async () => {
    const run = await runCli('web-svc.emojivoto', { ...direct(), destination: '127.0.0.1:1' });
    expect(run.code).toBe(3);
    expect(run.result?.status).toBe('error');
    expect(run.result?.findings[0]?.hint).toMatch(/destination pods/);
    expect(run.result?.data.ports[0]?.kubernetes).toHaveLength(3);
  });

  it('exits 3 naming the server when Kubernetes cannot be reached', async () => {
    const kubeconfig = await writeKubeconfig({ server: 'http://127.0.0.1:1' });
    try {
      const run = await runCli('web-svc.emojivoto', { ...direct(), kubeconfig });
      expect(run.code).toBe(3);
      const f = run.result!.findings[0]!;
      expect(f.code).toBe('kubernetes-unreachable');
      expect(f.hint).toContain('http://127.0.0.1:1');
    } finally {
      await rm(dirname(kubeconfig), { recursive: true, force: true });
    }
  });

  it('exits 3 as unauthenticated when the API server refuses the token (401)', async () => {
    const api = await startApiServer({ store: sb.store, tokens: { 'the-right-token': 'someone' } });
    const kubeconfig = await writeKubeconfig({ server: api.url, token: 'a-wrong-token' });
    try {
      const run = await runCli('web-svc.emojivoto', { ...direct(), kubeconfig });
      expect(run.code).toBe(3);
      expect(run.result!.findings[0]).toMatchObject({
        code: 'kubernetes-unauthenticated',
        severity: 'error',
      });
      expect(run.result!.findings[0]!.message).toMatch(/401/);
    } finally {
      await api.close();
      await rm(dirname(kubeconfig), { recursive: true, force: true });
    }
  });

  it('refuses an unknown --context (exit 2) and lists the known ones', async () => {
    const run = await runCli('web-svc.emojivoto', { ...direct(), context: 'prod' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/context "prod" is not in/);
    expect(run.stderr).toMatch(/Known contexts: meshbot-sandbox/);
    const ok = await runCli('web-svc.emojivoto', { ...direct(), context: 'meshbot-sandbox' });
    expect(ok.code).toBe(0);
  });

  it('exits 2 when the kubeconfig does not exist', async () => {
    const run = await runCli('web-svc.emojivoto', {
      ...direct(),
      kubeconfig: 'test/integration/endpoints/no-such-kubeconfig',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not exist/);
  });

  it('names the missing permission of a 403 from Kubernetes and the Role rule to add (exit 3)', async () => {
    sb.setAccessRules([
      { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace: 'emojivoto' },
    ]);
    const run = await runCli('web-svc.emojivoto', direct());
    expect(run.code).toBe(3);
    const f = run.result!.findings[0]!;
    expect(f.code).toBe('kubernetes-forbidden');
    expect(f.message).toMatch(/list endpointslices .*in namespace emojivoto/);
    expect(f.hint).toMatch(/Role in namespace emojivoto/);
    expect(f.hint).toMatch(/resources: \["endpointslices"\] verbs: \["list"\]/);
  });

  it('names pods/portforward when the port-forward is refused (exit 3)', async () => {
    sb.setAccessRules([{ verb: 'create', resource: 'pods/portforward', namespace: 'linkerd' }]);
    const run = await runCli('web-svc.emojivoto', { kubeconfig: sb.kubeconfig, output: 'json' });
    expect(run.code).toBe(3);
    const f = run.result!.findings.find((x) => x.severity === 'error')!;
    expect(f.message).toMatch(/create pods\/portforward in namespace linkerd/);
    expect(f.hint).toMatch(/resources: \["pods\/portforward"\] verbs: \["create"\]/);
  });

  it('reads the Status of a refused port-forward: the verb and user the server named (regression)', async () => {
    // The WebSocket upgrade is a GET: the server asks for `get` first. The body used to be
    // dropped, and every refusal read as `create` by "meshbot".
    sb.setAccessRules([{ verb: 'get', resource: 'pods/portforward', namespace: 'linkerd' }]);
    const run = await runCli('web-svc.emojivoto', { kubeconfig: sb.kubeconfig, output: 'json' });
    expect(run.code).toBe(3);
    const f = run.result!.findings.find((x) => x.severity === 'error')!;
    expect(f.message).toMatch(
      /system:serviceaccount:linkerd:meshbot to get pods\/portforward in namespace linkerd/,
    );
  });
});

describe('meshbot endpoints: how the destination wait ends', () => {
  let sb: RunningSandbox;
  const flags = () => ({ kubeconfig: sb.kubeconfig, destination: sb.destination, output: 'json' });

  beforeAll(async () => {
    sb = await startSandbox({
      scenario: endpointsScenario({
        name: 'endpoints-waits',
        deployments: [{ name: 'web', namespace: 'emojivoto', replicas: 2 }],
        services: [
          {
            name: 'web-svc',
            namespace: 'emojivoto',
            selector: { app: 'web' },
            ports: [{ port: 80, targetPort: 8080 }],
          },
        ],
      }),
      podReadyDelayMs: 0,
    });
    await waitForReadyEndpoints(sb.store, 'web-svc', 2);
  });

  afterEach(() => sb.clearFaults());

  afterAll(async () => {
    await sb?.stop();
  });

  it('is a timeout (exit 3) when the first message comes after --timeout', async () => {
    sb.setFault({ type: 'slow-first', ms: 5_000, service: 'web-svc.emojivoto' });
    const run = await runCli('web-svc.emojivoto', { ...flags(), timeout: '600ms' });
    expect(run.code).toBe(3);
    const f = run.result!.findings[0]!;
    expect(f.code).toBe('destination-timeout');
    expect(f.message).toMatch(/sent no endpoints .* within \d+ ms/);
    expect(f.hint).toMatch(/--timeout/);
  });

  it('takes the set as complete when the server ends the stream after its first message', async () => {
    sb.setFault({ type: 'reset', afterMessages: 1, service: 'web-svc.emojivoto' });
    const run = await runCli('web-svc.emojivoto', { ...flags(), timeout: '5s' });
    expect(run.code).toBe(0);
    expect(run.result?.data.ports[0]?.diff.matching).toHaveLength(2);
  });

  it('falls back to v1 Endpoints where a service has no EndpointSlice, and says it has no selector', async () => {
    sb.store.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'manual-svc', namespace: NS },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    });
    sb.store.create({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'manual-svc', namespace: NS },
      subsets: [
        {
          addresses: [{ ip: '192.0.2.10' }],
          notReadyAddresses: [{ ip: '192.0.2.11' }],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ],
    });
    const run = await runCli('manual-svc.emojivoto', { ...flags(), timeout: '5s' });
    const r = run.result!;
    expect(r.data.kubernetesSource).toBe('endpoints');
    expect(r.data.ports[0]?.kubernetes.map((e) => [e.address, e.ready])).toEqual([
      ['192.0.2.10:8080', true],
      ['192.0.2.11:8080', false],
    ]);
    // The sandbox's destination reads EndpointSlices only and has none for manual-svc (a real
    // cluster mirrors such Endpoints into slices): today's Linkerd then sends nothing.
    expect(r.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['no-selector']));
  });
});
