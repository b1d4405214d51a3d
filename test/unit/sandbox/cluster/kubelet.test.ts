import { EVENT, deployment, isReady, startTestCluster, type TestCluster } from './cluster-fixtures.js';
import { createIpAllocator } from '../../../../src/sandbox/cluster/ip-allocator.js';

describe('kubelet simulation', () => {
  let c: TestCluster | undefined;
  afterEach(() => c?.stop());

  it('crash-loops a pod: restartCount grows, CrashLoopBackOff, BackOff events', async () => {
    c = startTestCluster();
    const t = c;
    t.store.create(
      deployment('destination', 'emojivoto', {
        annotations: {
          'sandbox.meshbot.io/crash-loop': 'true',
          'sandbox.meshbot.io/crash-loop-interval-ms': '30',
          'sandbox.meshbot.io/initial-restarts': '4',
        },
      }),
    );
    await t.until(
      () => (t.pods('emojivoto')[0]?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 6,
      'restarts',
    );
    const pod = t.pods('emojivoto')[0]!;
    expect(isReady(pod)).toBe(false);
    expect(pod.status.phase).toBe('Running');
    expect(pod.status.containerStatuses[0].state.waiting.reason).toBe('CrashLoopBackOff');
    expect(pod.status.containerStatuses[0].lastState.terminated.exitCode).toBe(1);
    await t.until(
      () =>
        t.store
          .list(EVENT, { namespace: 'emojivoto' })
          .items.some((e) => e['reason'] === 'BackOff' && (e['count'] as number) >= 2),
      'BackOff events',
    );
    const backOff = t.store
      .list(EVENT, { namespace: 'emojivoto' })
      .items.find((e) => e['reason'] === 'BackOff')!;
    expect(backOff['type']).toBe('Warning');
    expect(backOff['message']).toMatch(
      /^Back-off restarting failed container destination in pod destination-/,
    );
    expect(backOff['involvedObject']).toEqual(
      expect.objectContaining({
        kind: 'Pod',
        name: pod.metadata.name,
        fieldPath: 'spec.containers{destination}',
      }),
    );
    expect(backOff['source']).toEqual({ component: 'kubelet', host: pod.spec.nodeName });
  });

  it('keeps a never-ready pod Running and not Ready with Unhealthy events', async () => {
    c = startTestCluster({ probePeriodMs: 20 });
    const t = c;
    t.store.create(
      deployment('web', 'emojivoto', { annotations: { 'sandbox.meshbot.io/never-ready': 'true' } }),
    );
    await t.until(
      () =>
        t.store
          .list(EVENT, { namespace: 'emojivoto' })
          .items.some((e) => e['reason'] === 'Unhealthy' && (e['count'] as number) >= 3),
      'repeated Unhealthy',
    );
    const pod = t.pods('emojivoto')[0]!;
    expect(pod.status.phase).toBe('Running');
    expect(isReady(pod)).toBe(false);
    const ev = t.store
      .list(EVENT, { namespace: 'emojivoto' })
      .items.find((e) => e['reason'] === 'Unhealthy')!;
    expect(ev['message']).toBe('Readiness probe failed: HTTP probe failed with statuscode: 503');
  });

  it('applies the global ready-delay override over a template delay', async () => {
    c = startTestCluster({ podReadyDelayOverrideMs: 0 });
    const t = c;
    t.store.create(
      deployment('web', 'emojivoto', { annotations: { 'sandbox.meshbot.io/ready-delay-ms': '60000' } }),
    );
    await t.until(() => t.pods('emojivoto').some(isReady), 'ready at once');
  });

  it('stops all timers on stop', async () => {
    c = startTestCluster({ probePeriodMs: 10 });
    const t = c;
    t.store.create(
      deployment('web', 'emojivoto', { annotations: { 'sandbox.meshbot.io/never-ready': 'true' } }),
    );
    await t.until(
      () => t.store.list(EVENT, { namespace: 'emojivoto' }).items.some((e) => e['reason'] === 'Unhealthy'),
      'probe',
    );
    t.cluster.stop();
    const rv = t.store.resourceVersion();
    await new Promise((r) => setTimeout(r, 50));
    expect(t.store.resourceVersion()).toBe(rv);
  });
});

describe('IP allocator', () => {
  it('never hands out an address that is held, and reuses only after wrapping, deterministically', () => {
    const a = createIpAllocator('10.1.0.0/29', 2); // offsets 2..6
    const first = [a.allocate(), a.allocate(), a.allocate()];
    expect(first).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);
    a.release('10.1.0.3');
    expect(a.allocate()).toBe('10.1.0.5');
    expect(a.allocate()).toBe('10.1.0.6');
    expect(a.allocate()).toBe('10.1.0.3'); // wrapped: the only free one
    expect(() => a.allocate()).toThrow(/no free address/);
    expect(a.reserve('10.1.0.4')).toBe(false);
  });
});
