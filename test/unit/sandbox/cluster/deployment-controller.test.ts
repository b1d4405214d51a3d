import {
  DEPLOY,
  EVENT,
  RS,
  deployment,
  isReady,
  startTestCluster,
  type TestCluster,
} from './cluster-fixtures.js';

describe('Deployment -> ReplicaSet -> Pods', () => {
  let c: TestCluster;
  afterEach(() => c.stop());

  it('creates a ReplicaSet with the pod-template-hash and Ready pods with IPs, nodes and owners', async () => {
    c = startTestCluster();
    c.store.create(
      deployment('web', 'emojivoto', { replicas: 2, ports: [{ name: 'http', containerPort: 8080 }] }),
    );
    await c.until(() => c.pods('emojivoto').filter(isReady).length === 2, '2 ready pods');

    const rsList = c.store.list(RS, { namespace: 'emojivoto' }).items;
    expect(rsList).toHaveLength(1);
    const rs = rsList[0]!;
    const hash = rs.metadata.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.metadata.name).toBe(`web-${hash}`);
    const deploy = c.store.get(DEPLOY, 'emojivoto', 'web')!;
    expect(rs.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        name: 'web',
        uid: deploy.metadata.uid,
        controller: true,
      }),
    ]);

    const pods = c.pods('emojivoto');
    const ips = new Set(pods.map((p) => p.status.podIP));
    expect(ips.size).toBe(2);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      expect(p.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
      expect(p.metadata.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid,
          controller: true,
        }),
      ]);
      expect(p.spec.nodeName).toMatch(/^sandbox-node-\d$/);
      expect(p.status.podIP).toMatch(/^10\.1\.\d+\.\d+$/);
      expect(p.status.hostIP).toMatch(/^172\.18\.0\.\d+$/);
      expect(p.status.phase).toBe('Running');
      expect(p.status.containerStatuses[0]).toEqual(
        expect.objectContaining({
          name: 'web',
          ready: true,
          restartCount: 0,
          state: { running: expect.any(Object) },
        }),
      );
      expect(p.spec.serviceAccountName).toBe('default');
    }
    // Spread across nodes.
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(2);

    await c.until(
      () =>
        (c.store.get(DEPLOY, 'emojivoto', 'web')!['status'] as { readyReplicas?: number })?.readyReplicas ===
        2,
      'status',
    );
    const status = c.store.get(DEPLOY, 'emojivoto', 'web')!['status'] as Record<string, unknown>;
    expect(status).toEqual(
      expect.objectContaining({
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
        observedGeneration: 1,
      }),
    );
    expect(status['conditions']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }),
        expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }),
      ]),
    );

    const reasons = c.store.list(EVENT, { namespace: 'emojivoto' }).items.map((e) => e['reason']);
    expect(reasons).toEqual(expect.arrayContaining(['ScalingReplicaSet', 'SuccessfulCreate']));
  });

  it('turns pods Ready only after the configured delay', async () => {
    c = startTestCluster();
    c.store.create(
      deployment('slow', 'emojivoto', { annotations: { 'sandbox.meshbot.io/ready-delay-ms': '150' } }),
    );
    const started = Date.now();
    await c.until(() => c.pods('emojivoto').some((p) => p.status?.phase === 'Running'), 'running');
    expect(isReady(c.pods('emojivoto')[0]!)).toBe(false);
    await c.until(() => c.pods('emojivoto').some(isReady), 'ready');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('scales down by marking surplus pods Terminating, then removing them; scales up again', async () => {
    c = startTestCluster({ terminationDelayMs: 200 });
    c.store.create(deployment('web', 'emojivoto', { replicas: 3 }));
    await c.until(() => c.pods('emojivoto').filter(isReady).length === 3, '3 ready');

    const d = c.store.get(DEPLOY, 'emojivoto', 'web')!;
    c.store.update({ ...d, spec: { ...(d['spec'] as object), replicas: 1 } });
    // The kubelet turns terminating pods not Ready.
    await c.until(
      () => c.pods('emojivoto').filter((p) => p.metadata.deletionTimestamp && !isReady(p)).length === 2,
      '2 terminating, not ready',
    );
    expect(c.pods('emojivoto')).toHaveLength(3);
    await c.until(() => c.pods('emojivoto').length === 1, 'removed');
    expect(isReady(c.pods('emojivoto')[0]!)).toBe(true);
    const kinds = c.store
      .list(EVENT, { namespace: 'emojivoto' })
      .items.map((e) => `${e['reason']}: ${e['message']}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ScalingReplicaSet: Scaled down replica set web-\w+ to 1 from 3$/),
      ]),
    );
    expect(kinds).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Killing: Stopping container web$/)]),
    );

    const d2 = c.store.get(DEPLOY, 'emojivoto', 'web')!;
    c.store.update({ ...d2, spec: { ...(d2['spec'] as object), replicas: 2 } });
    await c.until(() => c.pods('emojivoto').filter(isReady).length === 2, '2 ready again');
  });

  it('replaces a pod deleted by hand after it terminates', async () => {
    c = startTestCluster({ terminationDelayMs: 100 });
    c.store.create(deployment('web', 'emojivoto', { replicas: 1 }));
    await c.until(() => c.pods('emojivoto').filter(isReady).length === 1, 'ready');
    const victim = c.pods('emojivoto')[0]!;
    c.store.delete({ apiVersion: 'v1', kind: 'Pod' }, 'emojivoto', victim.metadata.name);
    await c.until(() => {
      const pods = c.pods('emojivoto');
      return pods.length === 1 && pods[0]!.metadata.name !== victim.metadata.name && isReady(pods[0]!);
    }, 'a ready replacement and the old pod gone');
  });

  it('rolls to a new ReplicaSet when the template changes and scales the old one to zero', async () => {
    c = startTestCluster();
    c.store.create(deployment('web', 'emojivoto', { replicas: 2 }));
    await c.until(() => c.pods('emojivoto').filter(isReady).length === 2, 'ready');
    const d = c.store.get(DEPLOY, 'emojivoto', 'web')!;
    const spec = structuredClone(d['spec']) as {
      template: { metadata: { annotations?: Record<string, string> } };
    };
    spec.template.metadata.annotations = { restartedAt: 'now' };
    c.store.update({ ...d, spec });
    await c.until(() => {
      const rss = c.store.list(RS, { namespace: 'emojivoto' }).items;
      return (
        rss.length === 2 &&
        c.pods('emojivoto').length === 2 &&
        c.pods('emojivoto').every((p) => p.metadata.annotations?.['restartedAt'] === 'now' && isReady(p))
      );
    }, 'rolled');
    const revisions = c.store
      .list(RS, { namespace: 'emojivoto' })
      .items.map((r) => (r['spec'] as { replicas: number }).replicas)
      .sort();
    expect(revisions).toEqual([0, 2]);
  });

  it('releases a pod relabelled out of the selector and replaces it', async () => {
    c = startTestCluster();
    c.store.create(deployment('web', 'emojivoto', { replicas: 1 }));
    await c.until(() => c.pods('emojivoto').filter(isReady).length === 1, 'ready');
    const pod = c.pods('emojivoto')[0]!;
    c.store.update({ ...pod, metadata: { ...pod.metadata, labels: { app: 'quarantine' } } });
    await c.until(() => c.pods('emojivoto', 'app=web').filter(isReady).length === 1, 'a replacement');
    const released = c.pods('emojivoto', 'app=quarantine');
    expect(released).toHaveLength(1);
    expect(released[0]!.metadata.ownerReferences).toBeUndefined();
    expect(released[0]!.metadata.deletionTimestamp).toBeUndefined();
  });

  it('deleting a Deployment removes its ReplicaSets and pods', async () => {
    c = startTestCluster();
    c.store.create(deployment('web', 'emojivoto', { replicas: 2 }));
    await c.until(() => c.pods('emojivoto').filter(isReady).length === 2, 'ready');
    c.store.delete(DEPLOY, 'emojivoto', 'web');
    await c.until(() => c.pods('emojivoto').length === 0 && c.store.list(RS).items.length === 0, 'all gone');
  });
});
