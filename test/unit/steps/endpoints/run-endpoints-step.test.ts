/**
 * The step over in-memory adapters (fakes of meshbot's own interfaces, not of client libraries):
 * status, findings, ports and next steps. The same paths run against the sandbox's real servers
 * in test/integration/endpoints/.
 */
import type {
  DestinationClient,
  DestinationView,
  ResolveOptions,
} from '../../../../src/adapters/destination/destination-client.js';
import type {
  KubeAdapter,
  KubeEndpoint,
  KubePod,
  KubeService,
} from '../../../../src/adapters/kube/kube-adapter.js';
import { MeshbotError, UsageError } from '../../../../src/errors.js';
import {
  runEndpointsStep,
  type EndpointsAdapters,
} from '../../../../src/steps/endpoints/run-endpoints-step.js';
import { nextCommands } from '../../../support/next-commands.js';

interface World {
  services: KubeService[];
  endpoints: KubeEndpoint[];
  pods: KubePod[];
  destination: Record<string, string[] | { exists: boolean } | MeshbotError>;
}

const svc = (extra: Partial<KubeService> = {}): KubeService => ({
  name: 'web-svc',
  namespace: 'emojivoto',
  type: 'ClusterIP',
  clusterIP: '10.96.0.10',
  headless: false,
  selector: { app: 'web' },
  ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
  labels: {},
  ...extra,
});
const ep = (ip: string, pod: string, extra: Partial<KubeEndpoint> = {}): KubeEndpoint => ({
  ip,
  port: 8080,
  portName: 'http',
  protocol: 'TCP',
  ready: true,
  serving: true,
  terminating: false,
  pod,
  node: 'node-1',
  from: 'endpointslice/web-svc-abc',
  ...extra,
});
const pod = (name: string, ip: string, extra: Partial<KubePod> = {}): KubePod => ({
  name,
  namespace: 'emojivoto',
  phase: 'Running',
  ready: true,
  ip,
  ips: [ip],
  deleting: false,
  labels: { app: 'web' },
  containerPorts: [],
  ...extra,
});

function adapters(world: World): EndpointsAdapters & { asked: ResolveOptions[] } {
  const asked: ResolveOptions[] = [];
  const kube: KubeAdapter = {
    server: 'https://fake:6443',
    context: 'fake',
    inCluster: false,
    getService: (ns, name) =>
      Promise.resolve(world.services.find((s) => s.name === name && s.namespace === ns)),
    listServiceEndpoints: () => Promise.resolve({ source: 'endpointslices', endpoints: world.endpoints }),
    listPods: (_ns, opts) =>
      Promise.resolve(opts?.labelSelector ? world.pods.filter((p) => p.labels['app'] === 'web') : world.pods),
    getNamespace: (name) => Promise.resolve(name === 'emojivoto' ? { name, phase: 'Active' } : undefined),
    listServices: () => Promise.resolve(world.services),
    listEndpointSlices: () => Promise.resolve([]),
    listNamespaces: () => Promise.resolve([]),
  };
  const destination: DestinationClient = {
    describe: () => 'fake-destination:8086',
    warmUp: () => Promise.resolve(),
    resolve: (authority, options) => {
      asked.push(options);
      const answer = world.destination[authority];
      if (answer instanceof MeshbotError) return Promise.reject(answer);
      const view: DestinationView = {
        authority,
        addresses: [],
        setLabels: {},
        updates: [],
        firstUpdateMs: 1,
        completedMs: 2,
        completion: 'settled',
        source: 'fake',
      };
      if (answer === undefined || !Array.isArray(answer)) view.noEndpoints = answer ?? { exists: false };
      else {
        view.addresses = answer.map((a) => {
          const [ip = '', port = '0'] = a.split(':');
          return {
            address: a,
            ip,
            port: Number(port),
            labels: { pod: `pod-of-${ip}` },
            weight: 10000,
            protocolHint: 'h2',
          };
        });
      }
      return Promise.resolve(view);
    },
    watch: () => () => undefined,
    close: () => Promise.resolve(),
  };
  return { kube, destination, options: { timeoutMs: 2000 }, asked };
}

const AUTH = 'web-svc.emojivoto.svc.cluster.local:80';
const target = { service: 'web-svc', namespace: 'emojivoto' };

describe('runEndpointsStep', () => {
  it('passes on identical sets and asks with the expected count', async () => {
    const a = adapters({
      services: [svc()],
      endpoints: [ep('10.0.0.1', 'web-1'), ep('10.0.0.2', 'web-2')],
      pods: [pod('web-1', '10.0.0.1'), pod('web-2', '10.0.0.2')],
      destination: { [AUTH]: ['10.0.0.1:8080', '10.0.0.2:8080'] },
    });
    const r = await runEndpointsStep(target, a);
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/agree on 2 endpoints/);
    expect(a.asked[0]?.expectedCount).toBe(2);
    expect(a.asked[0]?.contextToken).toBe('{"ns":"emojivoto"}');
    expect(r.data.ports[0]?.diff.matching).toHaveLength(2);
    expect(r.evidence.map((e) => e.title)).toEqual([
      'web-svc.emojivoto port 80 (http) -> 8080: Kubernetes vs destination',
      'web-svc.emojivoto: pods of the selector',
    ]);
    expect(nextCommands(r.next)).toEqual(['metrics web-svc.emojivoto']);
  });

  it('fails on a stale address, attributes it, and suggests metrics, scale-test and check', async () => {
    const r = await runEndpointsStep(
      target,
      adapters({
        services: [svc()],
        endpoints: [ep('10.0.0.1', 'web-1')],
        pods: [pod('web-1', '10.0.0.1')],
        destination: { [AUTH]: ['10.0.0.1:8080', '10.0.0.9:8080'] },
      }),
    );
    expect(r.status).toBe('fail');
    expect(r.findings[0]?.message).toMatch(
      /10\.0\.0\.9:8080.*belongs to no running pod: most likely a deleted pod/,
    );
    expect(r.summary).toMatch(/1 stale address in the destination/);
    expect(nextCommands(r.next)).toEqual([
      'runbook stale-endpoints web-svc.emojivoto',
      'metrics web-svc.emojivoto',
      'scale-test web-svc.emojivoto',
      'check',
    ]);
  });

  it('looks at the whole namespace when a stale IP belongs to no pod of the selector', async () => {
    const r = await runEndpointsStep(
      target,
      adapters({
        services: [svc()],
        endpoints: [],
        pods: [pod('db-0', '10.0.0.9', { labels: { app: 'db' } })],
        destination: { [AUTH]: ['10.0.0.9:8080'] },
      }),
    );
    expect(r.findings.find((f) => f.code === 'stale-in-destination')?.message).toMatch(
      /db-0, outside the service/,
    );
  });

  it('asks once per port, resolving a port name', async () => {
    const two = svc({
      ports: [
        { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' },
        { name: 'grpc', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    });
    const world: World = {
      services: [two],
      endpoints: [ep('10.0.0.1', 'web-1'), ep('10.0.0.1', 'web-1', { port: 9090, portName: 'grpc' })],
      pods: [pod('web-1', '10.0.0.1')],
      destination: {
        [AUTH]: ['10.0.0.1:8080'],
        'web-svc.emojivoto.svc.cluster.local:9090': ['10.0.0.1:9090'],
      },
    };
    const all = await runEndpointsStep(target, adapters(world));
    expect(all.status).toBe('pass');
    expect(all.data.ports.map((p) => p.port)).toEqual([80, 9090]);
    expect(all.summary).toMatch(/across 2 ports/);
    const a = adapters(world);
    const named = await runEndpointsStep({ ...target, port: 'grpc' }, a);
    expect(named.data.ports.map((p) => p.authority)).toEqual(['web-svc.emojivoto.svc.cluster.local:9090']);
    expect(a.asked).toHaveLength(1);
  });

  it('refuses a port the service does not have, listing its ports', async () => {
    const p = runEndpointsStep(
      { ...target, port: 81 },
      adapters({ services: [svc()], endpoints: [], pods: [], destination: {} }),
    );
    await expect(p).rejects.toBeInstanceOf(UsageError);
    await expect(p).rejects.toThrow(/has no port 81/);
  });

  it('reports an unknown service or namespace as a finding', async () => {
    const world: World = { services: [], endpoints: [], pods: [], destination: {} };
    const r = await runEndpointsStep(target, adapters(world));
    expect(r.status).toBe('fail');
    expect(r.findings[0]?.code).toBe('service-not-found');
    const ns = await runEndpointsStep({ service: 'web-svc', namespace: 'nope' }, adapters(world));
    expect(ns.findings[0]?.code).toBe('namespace-not-found');
    expect(ns.summary).toMatch(/namespace nope does not exist/);
  });

  it('explains a headless service and does not ask the destination', async () => {
    const a = adapters({
      services: [svc({ headless: true, clusterIP: 'None' })],
      endpoints: [ep('10.0.0.1', 'web-1')],
      pods: [pod('web-1', '10.0.0.1')],
      destination: {},
    });
    const r = await runEndpointsStep(target, a);
    expect(r.status).toBe('pass');
    expect(r.data.judged).toBe(false);
    expect(r.findings.map((f) => f.code)).toEqual(['headless-service']);
    expect(a.asked).toHaveLength(0);
  });

  it('is an error result, with the hint, when the destination is unavailable', async () => {
    const r = await runEndpointsStep(
      target,
      adapters({
        services: [svc()],
        endpoints: [ep('10.0.0.1', 'web-1')],
        pods: [pod('web-1', '10.0.0.1')],
        destination: { [AUTH]: new MeshbotError('unreachable', 'destination down', 'start it') },
      }),
    );
    expect(r.status).toBe('error');
    expect(r.findings[0]).toMatchObject({ code: 'destination-unavailable', hint: 'start it' });
    expect(nextCommands(r.next)).toContain('check');
  });

  it('gives no verdict for an address when the destination could not be asked (regression: it said ok)', async () => {
    const r = await runEndpointsStep(
      target,
      adapters({
        services: [svc()],
        endpoints: [ep('10.0.0.1', 'web-1')],
        pods: [pod('web-1', '10.0.0.1')],
        destination: { [AUTH]: new MeshbotError('unreachable', 'destination down', 'start it') },
      }),
    );
    const table = r.evidence.find((t) => t.columns.includes('VERDICT'))!;
    const row = table.rows.find((cells) => cells[0]?.startsWith('10.0.0.1'))!;
    expect(row[table.columns.indexOf('DESTINATION')]).toBe('?');
    expect(row[table.columns.indexOf('VERDICT')]).toBe('');
  });

  it('keeps the comparison when only the pods cannot be listed', async () => {
    const a = adapters({
      services: [svc()],
      endpoints: [ep('10.0.0.1', 'web-1')],
      pods: [],
      destination: { [AUTH]: ['10.0.0.1:8080'] },
    });
    a.kube.listPods = () =>
      Promise.reject(new MeshbotError('forbidden', 'Kubernetes forbids list pods', 'add a rule'));
    const r = await runEndpointsStep(target, a);
    expect(r.status).toBe('error');
    expect(r.findings).toEqual([
      expect.objectContaining({ code: 'kubernetes-forbidden', hint: 'add a rule' }),
    ]);
    expect(r.data.ports[0]?.diff.matching).toEqual(['10.0.0.1:8080']);
  });

  it('reports a 403 on the namespace-wide pod list with the missing permission (regression: swallowed)', async () => {
    const a = adapters({
      services: [svc()],
      endpoints: [],
      pods: [],
      destination: { [AUTH]: ['10.0.0.9:8080'] },
    });
    a.kube.listPods = (_ns, opts) =>
      opts?.labelSelector
        ? Promise.resolve([])
        : Promise.reject(new MeshbotError('forbidden', 'Kubernetes forbids list pods', 'add a rule'));
    const r = await runEndpointsStep(target, a);
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        severity: 'warn',
        code: 'kubernetes-forbidden',
        message: expect.stringContaining('Kubernetes forbids list pods'),
        hint: 'add a rule',
      }),
    );
  });

  it('reports a 403 on the namespace read of a missing service with the missing permission (regression)', async () => {
    const a = adapters({ services: [], endpoints: [], pods: [], destination: {} });
    a.kube.getNamespace = () =>
      Promise.reject(new MeshbotError('forbidden', 'Kubernetes forbids get namespaces', 'add a rule'));
    const r = await runEndpointsStep(target, a);
    expect(r.findings.map((f) => f.code)).toEqual(['kubernetes-forbidden', 'service-not-found']);
    expect(r.findings[0]).toMatchObject({ severity: 'warn', hint: 'add a rule' });
  });

  it('says a service without ports has nothing to compare', async () => {
    const r = await runEndpointsStep(
      target,
      adapters({ services: [svc({ ports: [] })], endpoints: [], pods: [], destination: {} }),
    );
    expect(r.status).toBe('pass');
    expect(r.findings.map((f) => f.code)).toEqual(['no-ports']);
  });

  it('is an error result when Kubernetes refuses', async () => {
    const a = adapters({ services: [svc()], endpoints: [], pods: [], destination: {} });
    a.kube.getService = () =>
      Promise.reject(new MeshbotError('forbidden', 'Kubernetes forbids get services', 'add a rule'));
    const r = await runEndpointsStep(target, a);
    expect(r.status).toBe('error');
    expect(r.findings[0]).toMatchObject({ code: 'kubernetes-forbidden', hint: 'add a rule' });
  });
});
