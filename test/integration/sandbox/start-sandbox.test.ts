/**
 * startSandbox with the built-in scenarios: the addresses work, the kubeconfig works with
 * client-node, the destination controller answers from the simulated cluster, stop() is clean.
 */
import * as grpc from '@grpc/grpc-js';
import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { destinationServiceClient } from '../../../src/adapters/destination/load-destination-proto.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { waitUntil } from '../../../src/sandbox/cluster/wait-until.js';
import { ScenarioError } from '../../../src/sandbox/scenario/load-scenario.js';

interface Update {
  add?: {
    addrs: Array<{ addr: { ip: { ipv4: number }; port: number }; metric_labels?: Record<string, string> }>;
  };
  no_endpoints?: { exists: boolean };
}

function ipv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Opens a Get stream and resolves with its first message. */
function firstUpdate(address: string, path: string): Promise<Update> {
  const Client = destinationServiceClient();
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Get(req: unknown): grpc.ClientReadableStream<Update>;
  };
  return new Promise<Update>((resolve, reject) => {
    const call = client.Get({ scheme: 'http:', path, context_token: '' });
    call.once('data', (u: Update) => {
      resolve(u);
      call.cancel();
      client.close();
    });
    call.once('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED) reject(err);
    });
  });
}

describe('startSandbox (emojivoto)', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0 });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('returns the addresses', () => {
    expect(sb.apiServer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sb.destination).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(sb.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(sb.admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(sb.kubeconfig)).toBe(true);
  });

  it('has every workload Ready, meshed, and the control plane running', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(sb.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: 'emojivoto' });
    expect(pods.items.map((p) => p.metadata?.labels?.['app']).sort()).toEqual([
      'emoji-svc',
      'vote-bot',
      'voting-svc',
      'web-svc',
    ]);
    for (const p of pods.items) {
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(p.metadata?.labels?.['linkerd.io/control-plane-ns']).toBe('linkerd');
      expect(p.metadata?.annotations?.['linkerd.io/proxy-version']).toBe('stable-2.14.10');
      expect(p.spec?.containers.map((c) => c.name)).toContain('linkerd-proxy');
    }
    const web = pods.items.find((p) => p.metadata?.labels?.['app'] === 'web-svc')!;
    expect(web.metadata?.labels?.['linkerd.io/proxy-deployment']).toBe('web');
    expect(web.spec?.serviceAccountName).toBe('web');

    const cp = await core.listNamespacedPod({ namespace: 'linkerd' });
    const components = cp.items.map((p) => p.metadata?.labels?.['linkerd.io/control-plane-component']).sort();
    expect(components).toEqual(['destination', 'identity', 'proxy-injector']);
    const roots = await core.readNamespacedConfigMap({
      name: 'linkerd-identity-trust-roots',
      namespace: 'linkerd',
    });
    expect(roots.data?.['ca-bundle.crt']).toMatch(/BEGIN CERTIFICATE/);
    const issuer = await core.readNamespacedSecret({ name: 'linkerd-identity-issuer', namespace: 'linkerd' });
    expect(issuer.type).toBe('kubernetes.io/tls');
    await core.readNamespacedConfigMap({ name: 'linkerd-config', namespace: 'linkerd' });

    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const crds = await ext.listCustomResourceDefinition();
    expect(crds.items.map((c) => c.metadata?.name)).toEqual(
      expect.arrayContaining(['serviceprofiles.linkerd.io', 'servers.policy.linkerd.io']),
    );
    const adm = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    await adm.readMutatingWebhookConfiguration({ name: 'linkerd-proxy-injector-webhook-config' });
  });

  it('serves web-svc endpoint slices (named port resolved) that the destination controller agrees with', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(sb.kubeconfig);
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    const slices = await discovery.listNamespacedEndpointSlice({
      namespace: 'emojivoto',
      labelSelector: 'kubernetes.io/service-name=web-svc',
    });
    expect(slices.items).toHaveLength(1);
    expect(slices.items[0]!.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const ready = slices.items[0]!.endpoints.filter((e) => e.conditions?.ready).flatMap((e) => e.addresses);
    expect(ready).toHaveLength(1);

    const update = await firstUpdate(sb.destination, 'web-svc.emojivoto.svc.cluster.local:80');
    expect(update.add?.addrs.map((a) => `${ipv4(a.addr.ip.ipv4)}:${a.addr.port}`)).toEqual([
      `${ready[0]}:8080`,
    ]);
    // Today's linkerd2 (the default compat) answers a missing service with NotFound.
    await expect(firstUpdate(sb.destination, 'nope.emojivoto.svc.cluster.local:80')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'Service nope.emojivoto not found',
    });
  });

  it('scaling through the API adds pods and endpoints', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(sb.kubeconfig);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: 'emojivoto', body: { spec: { replicas: 2 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const slice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' };
    await waitUntil(
      sb.store,
      [slice],
      () => {
        const s = sb.store.list(slice, {
          namespace: 'emojivoto',
          labelSelector: 'kubernetes.io/service-name=web-svc',
        }).items[0];
        return (
          ((s?.['endpoints'] as Array<{ conditions: { ready: boolean } }> | undefined) ?? []).filter(
            (e) => e.conditions.ready,
          ).length === 2
        );
      },
      { what: '2 ready web endpoints' },
    );
  });

  it('port-forwards to a destination pod reach the destination controller (resolver)', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(sb.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const dst = await core.listNamespacedPod({
      namespace: 'linkerd',
      labelSelector: 'linkerd.io/control-plane-component=destination',
    });
    expect(dst.items).toHaveLength(1);
  });
});

describe('startSandbox (emojivoto-stale)', () => {
  it('starts with the freeze fault on web-svc, and stop() twice is harmless and removes the kubeconfig', async () => {
    const sb = await startSandbox({ scenario: 'emojivoto-stale', podReadyDelayMs: 0 });
    try {
      expect(sb.destinationController.faults()).toEqual([{ type: 'freeze', service: 'web-svc.emojivoto' }]);
      const res = await fetch(`${sb.admin}/faults`);
      expect(await res.json()).toEqual({ faults: [{ type: 'freeze', service: 'web-svc.emojivoto' }] });
    } finally {
      await sb.stop();
      await sb.stop();
    }
    expect(existsSync(sb.kubeconfig)).toBe(false);
  });

  it('refuses a bad scenario with a ScenarioError naming the field', async () => {
    await expect(
      startSandbox({
        scenario: { name: 'bad', deployments: [{ name: 'web', namespace: 'x', replicas: 'three' }] },
      }),
    ).rejects.toThrow(ScenarioError);
    await expect(startSandbox({ scenario: 'emojivot' })).rejects.toThrow(
      /unknown scenario "emojivot" \(did you mean "emojivoto"\?\); built-in scenarios: .*emojivoto, emojivoto-routes, emojivoto-stale/,
    );
  });
});
