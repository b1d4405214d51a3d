import { STS, isReady, service, startTestCluster, type TestCluster } from './cluster-fixtures.js';

function statefulSet(name: string, ns: string, replicas: number, annotations: Record<string, string> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: {
          serviceAccountName: name,
          containers: [{ name, image: 'example/db', ports: [{ name: 'pg', containerPort: 5432 }] }],
        },
      },
    },
  };
}

describe('StatefulSet controller', () => {
  let c: TestCluster;
  afterEach(() => c.stop());

  it('creates NAME-0..N-1 in order with hostnames, reports status, scales down from the top', async () => {
    c = startTestCluster({ terminationDelayMs: 0 });
    c.store.create(statefulSet('db', 'emojivoto', 3));
    c.store.create(
      service('db', 'emojivoto', {
        clusterIP: 'None',
        selector: { app: 'db' },
        ports: [{ name: 'pg', port: 5432, targetPort: 'pg' }],
      }),
    );
    await c.until(() => c.pods('emojivoto').filter(isReady).length === 3, '3 ready');
    const names = c
      .pods('emojivoto')
      .map((p) => p.metadata.name)
      .sort();
    expect(names).toEqual(['db-0', 'db-1', 'db-2']);
    const p0 = c.pods('emojivoto').find((p) => p.metadata.name === 'db-0')!;
    expect(p0.spec.hostname).toBe('db-0');
    expect(p0.spec.subdomain).toBe('db');
    expect(p0.metadata.labels?.['statefulset.kubernetes.io/pod-name']).toBe('db-0');
    expect(p0.spec.serviceAccountName).toBe('db');
    await c.until(
      () =>
        ((c.store.get(STS, 'emojivoto', 'db')!['status'] as { readyReplicas?: number }).readyReplicas ??
          0) === 3,
      'status',
    );
    expect(c.store.get(STS, 'emojivoto', 'db')!['status']).toEqual(
      expect.objectContaining({ replicas: 3, readyReplicas: 3, currentReplicas: 3, observedGeneration: 1 }),
    );

    const slices = () =>
      c.store.list(
        { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
        { namespace: 'emojivoto', labelSelector: 'kubernetes.io/service-name=db' },
      ).items;
    await c.until(() => ((slices()[0]?.['endpoints'] as unknown[] | undefined)?.length ?? 0) === 3, 'slice');
    const hostnames = (slices()[0]!['endpoints'] as Array<{ hostname?: string }>)
      .map((e) => e.hostname)
      .sort();
    expect(hostnames).toEqual(['db-0', 'db-1', 'db-2']);

    const ss = c.store.get(STS, 'emojivoto', 'db')!;
    c.store.update({ ...ss, spec: { ...(ss['spec'] as object), replicas: 1 } });
    await c.until(() => c.pods('emojivoto').length === 1, 'scaled down');
    expect(c.pods('emojivoto')[0]!.metadata.name).toBe('db-0');
  });
});

describe('proxy injection', () => {
  let c: TestCluster;
  afterEach(() => c.stop());

  it('gives pods of an annotated template the linkerd-proxy container, labels and annotations', async () => {
    c = startTestCluster({ linkerd: { namespace: 'linkerd', version: 'stable-2.14.10' } });
    c.store.create(
      statefulSet('db', 'emojivoto', 1, {
        'linkerd.io/inject': 'enabled',
        'config.linkerd.io/proxy-version': 'stable-2.14.9',
      }),
    );
    await c.until(() => c.pods('emojivoto').some(isReady), 'ready');
    const pod = c.pods('emojivoto')[0]!;
    expect(pod.metadata.labels).toEqual(
      expect.objectContaining({
        'linkerd.io/control-plane-ns': 'linkerd',
        'linkerd.io/proxy-statefulset': 'db',
        'linkerd.io/workload-ns': 'emojivoto',
      }),
    );
    expect(pod.metadata.annotations).toEqual(
      expect.objectContaining({
        'linkerd.io/inject': 'enabled',
        'linkerd.io/proxy-version': 'stable-2.14.9',
      }),
    );
    expect(pod.spec.containers.map((x: { name: string }) => x.name)).toEqual(['linkerd-proxy', 'db']);
    expect(pod.status.containerStatuses.every((s: { ready: boolean }) => s.ready)).toBe(true);
  });
});

describe('waitForWorkloads', () => {
  it('does not wait forever for an OrderedReady StatefulSet whose pods never turn ready', async () => {
    const { waitForWorkloads } = await import('../../../../src/sandbox/cluster/wait-until.js');
    const c = startTestCluster();
    try {
      c.store.create(statefulSet('db', 'emojivoto', 3, { 'sandbox.meshbot.io/never-ready': 'true' }));
      await waitForWorkloads(c.store, { ready: true, timeoutMs: 5000 });
      expect(c.pods('emojivoto').map((p) => p.metadata.name)).toEqual(['db-0']);
    } finally {
      c.stop();
    }
  });
});
