import { DS, isReady, startTestCluster, type TestCluster } from './cluster-fixtures.js';

const NODE_AGENT = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'node-agent', namespace: 'emojivoto' },
  spec: {
    selector: { matchLabels: { app: 'node-agent' } },
    template: {
      metadata: { labels: { app: 'node-agent' }, annotations: { 'linkerd.io/inject': 'enabled' } },
      spec: { containers: [{ name: 'agent', image: 'example/agent', ports: [{ containerPort: 9100 }] }] },
    },
  },
};

describe('DaemonSet controller', () => {
  let c: TestCluster;
  afterEach(() => c.stop());

  it('runs one meshed pod per node, owned by the DaemonSet, and reports status', async () => {
    c = startTestCluster({ linkerd: { namespace: 'linkerd', version: 'stable-2.14.10' } });
    const ds = c.store.create(NODE_AGENT);
    await c.until(() => c.pods('emojivoto').filter(isReady).length === 3, '3 ready');
    const pods = c.pods('emojivoto');
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^node-agent-[a-z0-9]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'DaemonSet',
          name: 'node-agent',
          uid: ds.metadata.uid,
          controller: true,
        }),
      ]);
      expect(p.metadata.labels).toEqual(
        expect.objectContaining({
          app: 'node-agent',
          'pod-template-generation': '1',
          'linkerd.io/proxy-daemonset': 'node-agent',
          'linkerd.io/control-plane-ns': 'linkerd',
        }),
      );
    }
    const status = () =>
      (c.store.get(DS, 'emojivoto', 'node-agent')?.['status'] ?? {}) as Record<string, number>;
    await c.until(() => status()['numberReady'] === 3, 'status');
    expect(status()).toEqual(
      expect.objectContaining({
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 3,
        numberAvailable: 3,
        updatedNumberScheduled: 3,
        observedGeneration: 1,
      }),
    );
    // A deleted pod comes back on its node; the DaemonSet deleted, its pods go.
    const gone = pods[0]!;
    c.store.delete({ apiVersion: 'v1', kind: 'Pod' }, 'emojivoto', gone.metadata.name, {
      gracePeriodSeconds: 0,
    });
    await c.until(
      () =>
        c.pods('emojivoto').filter((p) => p.spec.nodeName === gone.spec.nodeName && isReady(p)).length === 1,
      'replaced',
    );
    expect(c.pods('emojivoto').map((p) => p.metadata.name)).not.toContain(gone.metadata.name);
    c.store.delete(DS, 'emojivoto', 'node-agent');
    await c.until(() => c.pods('emojivoto').length === 0, 'pods collected');
  });
});
