import * as grpc from '@grpc/grpc-js';
import {
  addressesOf,
  endpointSlice,
  NS,
  pod,
  service,
  startHarness,
  updateSlice,
  type Harness,
} from './destination-harness.js';
import type { ObjectStore } from '../../../../src/sandbox/kube/store-types.js';

const WEB = `web-svc.${NS}.svc.cluster.local:80`;
const SLICES = { group: 'discovery.k8s.io', plural: 'endpointslices' };

function seed(store: ObjectStore): void {
  store.create(pod('web-a', '10.244.0.5'));
  store.create(pod('web-b', '10.244.0.6', { meshed: false }));
  store.create(pod('web-c', '10.244.0.7'));
  store.create(service('web-svc'));
  store.create(
    endpointSlice('web-svc-1', 'web-svc', [
      { ip: '10.244.0.5', pod: 'web-a' },
      { ip: '10.244.0.6', pod: 'web-b' },
      { ip: '10.244.0.7', pod: 'web-c', ready: false },
    ]),
  );
  store.create(service('empty-svc'));
  store.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'external-svc', namespace: NS },
    spec: { type: 'ExternalName', externalName: 'example.com' },
  });
}

describe('sandbox destination controller: Get', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ seed });
  });

  afterEach(async () => {
    await h.close();
  });

  it('sends add with the ready addresses of the slices on subscribe', async () => {
    const stream = h.open(WEB);
    const first = await stream.next();
    expect(first.update).toBe('add');
    const slice = h.store.get(SLICES, NS, 'web-svc-1');
    const endpoints = (slice?.endpoints ?? []) as Array<{
      addresses: string[];
      conditions: { ready: boolean };
    }>;
    const ready = endpoints
      .filter((e) => e.conditions.ready)
      .flatMap((e) => e.addresses.map((ip) => `${ip}:8080`));
    expect(addressesOf(first)).toEqual(ready.sort());
    expect(first.add?.metric_labels).toEqual({ namespace: NS, service: 'web-svc' });
  });

  it('labels each address as the real controller does', async () => {
    const first = await h.open(WEB).next();
    const byPod = new Map((first.add?.addrs ?? []).map((a) => [a.metric_labels?.pod, a]));
    const meshed = byPod.get('web-a');
    expect(meshed?.weight).toBe(10000);
    expect(meshed?.metric_labels).toEqual({
      pod: 'web-a',
      deployment: 'web',
      serviceaccount: 'web',
      control_plane_ns: 'linkerd',
      pod_template_hash: '5f7d8c9b6',
      zone: 'zone-a',
      zone_locality: 'unknown',
    });
    expect(meshed?.tls_identity?.dns_like_identity?.name).toBe(
      'web.emojivoto.serviceaccount.identity.linkerd.cluster.local',
    );
    expect(meshed?.protocol_hint?.h2).toBeDefined();
    expect(meshed?.resource_ref?.resource).toMatchObject({ kind: 'Pod', name: 'web-a', namespace: NS });
    const plain = byPod.get('web-b');
    expect(plain?.tls_identity).toBeUndefined();
    expect(plain?.protocol_hint).toBeUndefined();
    expect(plain?.metric_labels?.control_plane_ns).toBeUndefined();
  });

  it('sets zone_locality from the zone of the node named in the context token', async () => {
    const local = await h.open(WEB, '{"ns":"emojivoto","nodeName":"node-1"}').next();
    expect(local.add?.addrs?.map((a) => a.metric_labels?.zone_locality)).toEqual(['local', 'local']);
    const remote = await h.open(WEB, '{"nodeName":"node-2"}').next();
    expect(remote.add?.addrs?.map((a) => a.metric_labels?.zone_locality)).toEqual(['remote', 'remote']);
    const unknown = await h.open(WEB, '{"nodeName":"no-such-node"}').next();
    expect(unknown.add?.addrs?.map((a) => a.metric_labels?.zone_locality)).toEqual(['unknown', 'unknown']);
  });

  it("answers NotFound for a missing service, as today's linkerd2 does", async () => {
    const status = await h.open(`nope.${NS}.svc.cluster.local:80`).status;
    expect(status.code).toBe(grpc.status.NOT_FOUND);
    expect(status.details).toBe(`Service nope.${NS} not found`);
  });

  it('sends nothing for a service without endpoints: the first message is the add when one comes', async () => {
    const stream = h.open(`empty-svc.${NS}.svc.cluster.local:80`);
    h.store.create(pod('empty-a', '10.244.2.1', { app: 'empty' }));
    h.store.create(endpointSlice('empty-svc-1', 'empty-svc', [{ ip: '10.244.2.1', pod: 'empty-a' }]));
    const first = await stream.next();
    expect(first.update).toBe('add');
    expect(addressesOf(first)).toEqual(['10.244.2.1:8080']);
  });

  it('removes everything when the service is deleted, with no no_endpoints, then adds when it comes back', async () => {
    const stream = h.open(WEB);
    await stream.next();
    h.store.delete({ group: '', plural: 'services' }, NS, 'web-svc');
    const removed = await stream.next();
    expect(removed.update).toBe('remove');
    expect(addressesOf(removed)).toEqual(['10.244.0.5:8080', '10.244.0.6:8080']);
    h.store.create(service('web-svc'));
    const back = await stream.next();
    expect(back.update).toBe('add');
    expect(addressesOf(back)).toEqual(['10.244.0.5:8080', '10.244.0.6:8080']);
  });

  it('sends a remove and no no_endpoints when the last endpoint goes away', async () => {
    const stream = h.open(WEB);
    await stream.next();
    updateSlice(h.store, 'web-svc-1', 'web-svc', []);
    const removed = await stream.next();
    expect(removed.update).toBe('remove');
    h.store.create(pod('web-e', '10.244.0.9'));
    updateSlice(h.store, 'web-svc-1', 'web-svc', [{ ip: '10.244.0.9', pod: 'web-e' }]);
    // The next message is the add: nothing came between.
    const added = await stream.next();
    expect(added.update).toBe('add');
    expect(addressesOf(added)).toEqual(['10.244.0.9:8080']);
  });

  it('pushes add and remove to an open stream as the slice changes', async () => {
    const stream = h.open(WEB);
    await stream.next();
    h.store.create(pod('web-d', '10.244.0.8'));
    updateSlice(h.store, 'web-svc-1', 'web-svc', [
      { ip: '10.244.0.5', pod: 'web-a' },
      { ip: '10.244.0.6', pod: 'web-b' },
      { ip: '10.244.0.7', pod: 'web-c' }, // now ready
      { ip: '10.244.0.8', pod: 'web-d' },
    ]);
    const added = new Set<string>();
    while (added.size < 2) {
      const msg = await stream.next();
      expect(msg.update).toBe('add');
      for (const a of addressesOf(msg)) added.add(a);
    }
    expect([...added].sort()).toEqual(['10.244.0.7:8080', '10.244.0.8:8080']);

    updateSlice(h.store, 'web-svc-1', 'web-svc', [{ ip: '10.244.0.8', pod: 'web-d' }]);
    const removed = await stream.next();
    expect(removed.update).toBe('remove');
    expect(addressesOf(removed)).toEqual(['10.244.0.5:8080', '10.244.0.6:8080', '10.244.0.7:8080']);
  });

  it.each([
    ['no port', `web-svc.${NS}.svc.cluster.local`, /invalid authority/i],
    ['non-numeric port', `web-svc.${NS}.svc.cluster.local:http`, /invalid authority/i],
    ['bad name', `web_svc.${NS}.svc.cluster.local:80`, /invalid k8s service name/],
    ['wrong cluster domain', `web-svc.${NS}.svc.example.org:80`, /invalid k8s service name/],
    ['not an authority', 'http://web-svc/', /invalid authority/i],
  ])('refuses %s with INVALID_ARGUMENT', async (_what, path, message) => {
    const status = await h.open(path).status;
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(message);
  });

  it('refuses an ExternalName service with INVALID_ARGUMENT, as Linkerd does', async () => {
    const status = await h.open(`external-svc.${NS}.svc.cluster.local:80`).status;
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/Invalid authority/);
  });

  it('accepts a context token in either form, and ignores a bad one', async () => {
    for (const token of ['{"ns":"emojivoto","nodeName":"node-1","pod":"web-a"}', 'ns:emojivoto', 'rubbish']) {
      const msg = await h.open(WEB, token).next();
      expect(msg.update).toBe('add');
    }
  });

  it('serves GetProfile with the fully qualified name and keeps it open', async () => {
    const getProfile = h.client.GetProfile as (
      req: unknown,
    ) => grpc.ClientReadableStream<{ fully_qualified_name: string }>;
    const call = getProfile.call(h.client, { scheme: 'http:', path: WEB, context_token: '' });
    const profile = await new Promise<{ fully_qualified_name: string }>((resolve) =>
      call.once('data', resolve),
    );
    expect(profile.fully_qualified_name).toBe('web-svc.emojivoto.svc.cluster.local');
    call.on('error', () => undefined);
    call.cancel();
  });
});

describe('sandbox destination controller: Get, compat legacy (older Linkerd)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ seed, compat: 'legacy' });
  });

  afterEach(async () => {
    await h.close();
  });

  it('answers no_endpoints exists:false for a missing service and exists:true for one without endpoints', async () => {
    const missing = await h.open(`nope.${NS}.svc.cluster.local:80`).next();
    expect(missing).toMatchObject({ update: 'no_endpoints', no_endpoints: { exists: false } });
    const empty = await h.open(`empty-svc.${NS}.svc.cluster.local:80`).next();
    expect(empty).toMatchObject({ update: 'no_endpoints', no_endpoints: { exists: true } });
  });

  it('removes everything and says exists:false when the service is deleted, then adds when it comes back', async () => {
    const stream = h.open(WEB);
    await stream.next();
    h.store.delete({ group: '', plural: 'services' }, NS, 'web-svc');
    const removed = await stream.next();
    expect(removed.update).toBe('remove');
    expect(await stream.next()).toMatchObject({ no_endpoints: { exists: false } });
    h.store.create(service('web-svc'));
    const back = await stream.next();
    expect(back.update).toBe('add');
    expect(addressesOf(back)).toEqual(['10.244.0.5:8080', '10.244.0.6:8080']);
  });

  it('says exists:true for a service without slices, then add when its first slice comes', async () => {
    h.store.create(service('late-svc'));
    const stream = h.open(`late-svc.${NS}.svc.cluster.local:80`);
    expect(await stream.next()).toMatchObject({ no_endpoints: { exists: true } });
    h.store.create(pod('late-a', '10.244.1.1', { app: 'late' }));
    h.store.create(endpointSlice('late-svc-1', 'late-svc', [{ ip: '10.244.1.1', pod: 'late-a' }]));
    const msg = await stream.next();
    expect(msg.update).toBe('add');
    expect(addressesOf(msg)).toEqual(['10.244.1.1:8080']);
    expect(msg.add?.addrs?.[0]?.metric_labels?.deployment).toBe('late');
  });
});
