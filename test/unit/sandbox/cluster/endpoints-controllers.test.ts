import {
  EPS,
  POD,
  SLICE,
  SVC,
  deployment,
  isReady,
  service,
  startTestCluster,
  type TestCluster,
} from './cluster-fixtures.js';
import type { KubeObject } from '../../../../src/sandbox/kube/store-types.js';

interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  targetRef: { kind: string; name: string; namespace: string; uid: string };
  nodeName?: string;
  zone?: string;
  hostname?: string;
}

const slicesOf = (c: TestCluster, svc: string, ns = 'emojivoto'): KubeObject[] =>
  c.store.list(SLICE, { namespace: ns, labelSelector: `kubernetes.io/service-name=${svc}` }).items;
const endpointsOf = (slice: KubeObject | undefined): SliceEndpoint[] =>
  (slice?.['endpoints'] as SliceEndpoint[] | undefined) ?? [];

describe('EndpointSlice and Endpoints controllers', () => {
  let c: TestCluster;
  afterEach(() => c.stop());

  it('resolves a named targetPort through the pods, with conditions, targetRef, node and zone', async () => {
    c = startTestCluster();
    c.store.create(
      deployment('web', 'emojivoto', {
        replicas: 2,
        labels: { app: 'web-svc' },
        ports: [{ name: 'http', containerPort: 8080 }],
      }),
    );
    c.store.create(
      service('web-svc', 'emojivoto', {
        selector: { app: 'web-svc' },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      }),
    );
    await c.until(
      () => endpointsOf(slicesOf(c, 'web-svc')[0]).filter((e) => e.conditions.ready).length === 2,
      '2 ready endpoints',
    );

    const svc = c.store.get(SVC, 'emojivoto', 'web-svc')!;
    expect((svc['spec'] as { clusterIP: string }).clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);

    const [slice] = slicesOf(c, 'web-svc');
    expect(slice!.metadata.labels).toEqual(
      expect.objectContaining({
        'kubernetes.io/service-name': 'web-svc',
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      }),
    );
    expect(slice!.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toBeDefined();
    expect(slice!.metadata.ownerReferences?.[0]).toEqual(
      expect.objectContaining({ kind: 'Service', name: 'web-svc', uid: svc.metadata.uid, controller: true }),
    );
    expect(slice!['addressType']).toBe('IPv4');
    expect(slice!['ports']).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const pods = c.pods('emojivoto');
    const byName = new Map(pods.map((p) => [p.metadata.name, p]));
    for (const e of endpointsOf(slice)) {
      const pod = byName.get(e.targetRef.name)!;
      expect(e.addresses).toEqual([pod.status.podIP]);
      expect(e.conditions).toEqual({ ready: true, serving: true, terminating: false });
      expect(e.targetRef).toEqual({
        kind: 'Pod',
        namespace: 'emojivoto',
        name: pod.metadata.name,
        uid: pod.metadata.uid,
      });
      expect(e.nodeName).toBe(pod.spec.nodeName);
      expect(e.zone).toMatch(/^zone-[abc]$/);
    }

    await c.until(
      () =>
        c.store.get(EPS, 'emojivoto', 'web-svc') !== undefined &&
        ((
          c.store.get(EPS, 'emojivoto', 'web-svc')!['subsets'] as Array<{ addresses?: unknown[] }> | undefined
        )?.[0]?.addresses?.length ?? 0) === 2,
      'endpoints',
    );
    const eps = c.store.get(EPS, 'emojivoto', 'web-svc')!;
    const subsets = eps['subsets'] as Array<{
      addresses: Array<{ ip: string; targetRef: { name: string } }>;
      ports: unknown[];
    }>;
    expect(subsets).toHaveLength(1);
    expect(subsets[0]!.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(subsets[0]!.addresses.map((a) => a.ip).sort()).toEqual(pods.map((p) => p.status.podIP).sort());
  });

  it('updates the same slice in place (resourceVersion moves) and marks terminating endpoints', async () => {
    c = startTestCluster({ terminationDelayMs: 60_000 });
    c.store.create(
      deployment('web', 'emojivoto', { replicas: 2, ports: [{ name: 'http', containerPort: 8080 }] }),
    );
    c.store.create(
      service('web', 'emojivoto', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }),
    );
    await c.until(
      () => endpointsOf(slicesOf(c, 'web')[0]).filter((e) => e.conditions.ready).length === 2,
      'ready',
    );
    const before = slicesOf(c, 'web')[0]!;
    expect(before['ports']).toEqual([{ name: '', port: 8080, protocol: 'TCP' }]);

    const victim = c.pods('emojivoto')[0]!;
    c.store.delete(POD, 'emojivoto', victim.metadata.name);
    await c.until(
      () =>
        endpointsOf(slicesOf(c, 'web')[0]).some(
          (e) => e.targetRef.name === victim.metadata.name && e.conditions.terminating,
        ),
      'terminating endpoint',
    );
    const after = slicesOf(c, 'web');
    expect(after).toHaveLength(1);
    expect(after[0]!.metadata.name).toBe(before.metadata.name);
    expect(Number(after[0]!.metadata.resourceVersion)).toBeGreaterThan(
      Number(before.metadata.resourceVersion),
    );
    const e = endpointsOf(after[0]).find((x) => x.targetRef.name === victim.metadata.name)!;
    expect(e.conditions).toEqual({ ready: false, serving: false, terminating: true });

    // v1 Endpoints drop terminating pods.
    await c.until(() => {
      const subsets = c.store.get(EPS, 'emojivoto', 'web')?.['subsets'] as
        | Array<{ addresses?: Array<{ targetRef: { name: string } }>; notReadyAddresses?: unknown[] }>
        | undefined;
      return (
        !!subsets &&
        subsets.length === 1 &&
        subsets[0]!.addresses?.length === 1 &&
        subsets[0]!.notReadyAddresses === undefined
      );
    }, 'endpoints without the terminating pod');
  });

  it('lists not-ready pods as notReadyAddresses and ready:false endpoints', async () => {
    c = startTestCluster();
    c.store.create(
      deployment('stuck', 'emojivoto', { annotations: { 'sandbox.meshbot.io/never-ready': 'true' } }),
    );
    c.store.create(service('stuck', 'emojivoto', { selector: { app: 'stuck' }, ports: [{ port: 80 }] }));
    await c.until(() => endpointsOf(slicesOf(c, 'stuck')[0]).length === 1, 'endpoint');
    expect(endpointsOf(slicesOf(c, 'stuck')[0])[0]!.conditions).toEqual({
      ready: false,
      serving: false,
      terminating: false,
    });
    await c.until(
      () => !!(c.store.get(EPS, 'emojivoto', 'stuck')?.['subsets'] as unknown[] | undefined)?.length,
      'endpoints',
    );
    const subset = (c.store.get(EPS, 'emojivoto', 'stuck')!['subsets'] as Array<Record<string, unknown>>)[0]!;
    expect(subset['addresses']).toBeUndefined();
    expect(subset['notReadyAddresses']).toHaveLength(1);
  });

  it('gives headless services slices and no clusterIP; selector-less and ExternalName services none', async () => {
    c = startTestCluster();
    c.store.create(deployment('db', 'emojivoto', { replicas: 1 }));
    c.store.create(
      service('db', 'emojivoto', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] }),
    );
    c.store.create(service('manual', 'emojivoto', { ports: [{ port: 80 }] }));
    c.store.create(service('external', 'emojivoto', { type: 'ExternalName', externalName: 'example.com' }));
    await c.until(
      () => endpointsOf(slicesOf(c, 'db')[0]).filter((e) => e.conditions.ready).length === 1,
      'headless slice',
    );
    expect(slicesOf(c, 'db')[0]!.metadata.labels?.['service.kubernetes.io/headless']).toBe('');
    expect((c.store.get(SVC, 'emojivoto', 'db')!['spec'] as { clusterIP: string }).clusterIP).toBe('None');
    await c.until(
      () => !!(c.store.get(SVC, 'emojivoto', 'manual')!['spec'] as { clusterIP?: string }).clusterIP,
      'manual ip',
    );
    expect(slicesOf(c, 'manual')).toHaveLength(0);
    expect(slicesOf(c, 'external')).toHaveLength(0);
    expect(c.store.get(EPS, 'emojivoto', 'manual')).toBeUndefined();
    expect(c.store.get(EPS, 'emojivoto', 'external')).toBeUndefined();
    expect(
      (c.store.get(SVC, 'emojivoto', 'external')!['spec'] as { clusterIP?: string }).clusterIP,
    ).toBeUndefined();
  });

  it('keeps a placeholder slice with no endpoints when nothing matches, and removes slices with the service', async () => {
    c = startTestCluster();
    c.store.create(service('empty', 'emojivoto', { selector: { app: 'nothing' }, ports: [{ port: 80 }] }));
    await c.until(() => slicesOf(c, 'empty').length === 1, 'placeholder');
    expect(slicesOf(c, 'empty')[0]!['endpoints']).toEqual([]);
    expect(slicesOf(c, 'empty')[0]!['ports']).toBeUndefined();
    await c.until(() => c.store.get(EPS, 'emojivoto', 'empty') !== undefined, 'endpoints object');
    c.store.delete(SVC, 'emojivoto', 'empty');
    await c.until(
      () => slicesOf(c, 'empty').length === 0 && c.store.get(EPS, 'emojivoto', 'empty') === undefined,
      'gone',
    );
  });

  it('splits pods whose named port resolves differently into separate slices', async () => {
    c = startTestCluster();
    c.store.create(
      deployment('v1', 'emojivoto', {
        labels: { app: 'mix', v: '1' },
        ports: [{ name: 'http', containerPort: 8080 }],
      }),
    );
    c.store.create(
      deployment('v2', 'emojivoto', {
        labels: { app: 'mix', v: '2' },
        ports: [{ name: 'http', containerPort: 9090 }],
      }),
    );
    c.store.create(
      service('mix', 'emojivoto', {
        selector: { app: 'mix' },
        ports: [{ name: 'web', port: 80, targetPort: 'http' }],
      }),
    );
    await c.until(
      () =>
        slicesOf(c, 'mix').length === 2 &&
        slicesOf(c, 'mix').every((s) => endpointsOf(s).length === 1 && endpointsOf(s)[0]!.conditions.ready),
      'two slices',
    );
    const ports = slicesOf(c, 'mix')
      .map((s) => (s['ports'] as Array<{ port: number }>)[0]!.port)
      .sort();
    expect(ports).toEqual([8080, 9090]);
    await c.until(
      () => ((c.store.get(EPS, 'emojivoto', 'mix')?.['subsets'] as unknown[] | undefined)?.length ?? 0) === 2,
      'two subsets',
    );
  });

  it('reacts to readiness changes: a pod turning ready flips its endpoint', async () => {
    c = startTestCluster();
    c.store.create(
      deployment('web', 'emojivoto', { annotations: { 'sandbox.meshbot.io/ready-delay-ms': '100' } }),
    );
    c.store.create(service('web', 'emojivoto', { selector: { app: 'web' }, ports: [{ port: 80 }] }));
    await c.until(() => endpointsOf(slicesOf(c, 'web')[0]).length === 1, 'endpoint');
    expect(endpointsOf(slicesOf(c, 'web')[0])[0]!.conditions.ready).toBe(false);
    await c.until(() => endpointsOf(slicesOf(c, 'web')[0])[0]?.conditions.ready === true, 'ready endpoint');
    expect(isReady(c.pods('emojivoto')[0]!)).toBe(true);
  });
});

describe('EndpointSlice controller: selection changes', () => {
  let c: TestCluster;
  afterEach(() => c.stop());

  it('follows a service selector change and a pod relabelled out of the service', async () => {
    c = startTestCluster();
    c.store.create(deployment('a', 'emojivoto', { labels: { app: 'a' } }));
    c.store.create(deployment('b', 'emojivoto', { labels: { app: 'b' } }));
    c.store.create(service('svc', 'emojivoto', { selector: { app: 'a' }, ports: [{ port: 80 }] }));
    const names = () => endpointsOf(slicesOf(c, 'svc')[0]).map((e) => e.targetRef.name);
    await c.until(() => names().length === 1 && names()[0]!.startsWith('a-'), 'a in svc');

    const svc = c.store.get(SVC, 'emojivoto', 'svc')!;
    c.store.update({ ...svc, spec: { ...(svc['spec'] as object), selector: { app: 'b' } } });
    await c.until(() => names().length === 1 && names()[0]!.startsWith('b-'), 'b in svc');

    const pod = c.pods('emojivoto', 'app=b')[0]!;
    c.store.update({
      ...pod,
      metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, app: 'moved' } },
    });
    await c.until(() => names().length === 0, 'relabelled pod gone from svc');
  });
});
