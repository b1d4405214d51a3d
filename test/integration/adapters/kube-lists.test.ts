/**
 * The Kubernetes adapter's mesh-wide lists (services, EndpointSlices, pods; cluster-wide or per
 * namespace, one call each, with label selectors) against the sandbox's real API server.
 */
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';

describe('KubeAdapter lists', () => {
  let sandbox: RunningSandbox;
  let adapters: Adapters;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'emojivoto-stale', podReadyDelayMs: 0 });
    adapters = await openAdapters({ kubeconfig: sandbox.kubeconfig, destination: sandbox.destination });
  });
  afterAll(async () => {
    await adapters?.close();
    await sandbox?.stop();
  });

  it('lists services cluster-wide and per namespace', async () => {
    const all = await adapters.kube.listServices(undefined);
    const emojivoto = await adapters.kube.listServices('emojivoto');
    expect(emojivoto.map((s) => s.name)).toContain('web-svc');
    expect(emojivoto.every((s) => s.namespace === 'emojivoto')).toBe(true);
    expect(new Set(all.map((s) => s.namespace)).size).toBeGreaterThan(1);
  });

  it("lists EndpointSlices with their service, and by a service's label in one call", async () => {
    const slices = await adapters.kube.listEndpointSlices('emojivoto', {
      labelSelector: { 'kubernetes.io/service-name': 'web-svc' },
    });
    expect(slices.length).toBeGreaterThan(0);
    expect(slices.every((s) => s.service === 'web-svc' && s.namespace === 'emojivoto')).toBe(true);
    const fromService = await adapters.kube.listServiceEndpoints('emojivoto', 'web-svc');
    expect(slices.flatMap((s) => s.endpoints.map((e) => e.ip)).sort()).toEqual(
      fromService.endpoints.map((e) => e.ip).sort(),
    );
    const everywhere = await adapters.kube.listEndpointSlices(undefined);
    expect(everywhere.length).toBeGreaterThanOrEqual(slices.length);
  });

  it('lists pods of every namespace', async () => {
    const pods = await adapters.kube.listPods(undefined, { labelSelector: 'app=web-svc' });
    const all = await adapters.kube.listPods(undefined);
    expect(all.length).toBeGreaterThan(pods.length);
    expect(new Set(all.map((p) => p.namespace)).size).toBeGreaterThan(1);
  });
});
