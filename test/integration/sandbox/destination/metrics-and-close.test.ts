import * as grpc from '@grpc/grpc-js';
import { destinationServiceClient } from '../../../../src/adapters/destination/load-destination-proto.js';
import {
  addressesOf,
  endpointSlice,
  NS,
  pod,
  sample,
  scrape,
  service,
  startHarness,
  updateSlice,
  type Harness,
} from './destination-harness.js';

const WEB = `web-svc.${NS}.svc.cluster.local:80`;
const LABELS = {
  cluster: 'sandbox',
  namespace: NS,
  service: 'web-svc',
  port: '80',
  hostname: '',
  nodename: '',
};

function seed(store: { create(obj: never): unknown }): void {
  store.create(pod('web-a', '10.244.0.5') as never);
  store.create(pod('web-b', '10.244.0.6') as never);
  store.create(service('web-svc') as never);
  store.create(endpointSlice('web-svc-1', 'web-svc', [{ ip: '10.244.0.5', pod: 'web-a' }]) as never);
}

describe('sandbox destination controller: metrics', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ seed });
  });

  afterEach(async () => {
    await h.close();
  });

  it('exposes the real names and labels, in Prometheus text format', async () => {
    const stream = h.open(WEB, '{"nodeName":"node-1"}');
    await stream.next();
    await h.open(`web-svc.${NS}.svc.cluster.local`).status; // one finished call, for the handling time
    const res = await fetch(h.controller.metricsUrl);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const name of [
      'endpoints_updates',
      'endpoints_subscribers',
      'endpoints_exists',
      'endpoints_pods',
      'endpoint_updates_queue_overflow',
      'endpointslices_informer_lag_seconds',
      'pods_informer_lag_seconds',
      'services_informer_lag_seconds',
      'grpc_server_handling_seconds',
      'grpc_server_started_total',
      'grpc_server_handled_total',
    ]) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(text).toMatch(/^# TYPE endpoints_updates counter$/m);
    expect(text).not.toMatch(/endpoints_updates_total/);
    const labels = { ...LABELS, nodename: 'node-1' };
    expect(sample(text, 'endpoints_subscribers', labels)).toBe(1);
    expect(sample(text, 'endpoints_exists', labels)).toBe(1);
    expect(sample(text, 'endpoints_pods', labels)).toBe(1);
    expect(text).toMatch(
      /^endpoints_updates\{cluster="sandbox",namespace="emojivoto",service="web-svc",port="80",hostname="",nodename="node-1"\} \d+$/m,
    );
    expect(text).toMatch(/^endpointslices_informer_lag_seconds_bucket\{le="0.5"\} \d+$/m);
    expect(sample(text, 'grpc_server_started_total', { grpc_method: 'Get' })).toBe(2);
    expect(text).toMatch(
      /grpc_server_handling_seconds_bucket\{le="0.005",grpc_method="Get",grpc_service="io.linkerd.proxy.destination.Destination",grpc_type="server_stream"\}/,
    );
  });

  it('moves as the real ones do', async () => {
    const a = h.open(WEB);
    const b = h.open(WEB);
    await a.next();
    await b.next();
    let text = await scrape(h.controller.metricsUrl);
    expect(sample(text, 'endpoints_subscribers', LABELS)).toBe(2);
    const updatesBefore = sample(text, 'endpoints_updates', LABELS) ?? NaN;
    const lagBefore = sample(text, 'endpointslices_informer_lag_seconds_count') ?? NaN;

    updateSlice(h.store, 'web-svc-1', 'web-svc', [
      { ip: '10.244.0.5', pod: 'web-a' },
      { ip: '10.244.0.6', pod: 'web-b' },
    ]);
    expect(addressesOf(await a.next())).toEqual(['10.244.0.6:8080']);
    text = await scrape(h.controller.metricsUrl);
    expect(sample(text, 'endpoints_updates', LABELS)).toBe(updatesBefore + 1);
    expect(sample(text, 'endpoints_pods', LABELS)).toBe(2);
    expect(sample(text, 'endpointslices_informer_lag_seconds_count')).toBe(lagBefore + 1);

    h.store.delete({ group: '', plural: 'services' }, NS, 'web-svc');
    await a.next(); // remove (today's Linkerd sends no no_endpoints)
    text = await scrape(h.controller.metricsUrl);
    expect(sample(text, 'endpoints_exists', LABELS)).toBe(0);
    expect(sample(text, 'endpoints_pods', LABELS)).toBe(0);

    a.cancel();
    await a.status;
    await waitFor(
      async () => sample(await scrape(h.controller.metricsUrl), 'endpoints_subscribers', LABELS) === 1,
    );
    b.cancel();
    await b.status;
    // With its last subscriber the label set goes, as Linkerd unregisters it.
    await waitFor(
      async () =>
        sample(await scrape(h.controller.metricsUrl), 'endpoints_subscribers', LABELS) === undefined,
    );
    text = await scrape(h.controller.metricsUrl);
    expect(sample(text, 'grpc_server_handled_total', { grpc_method: 'Get', grpc_code: 'Canceled' })).toBe(2);
  });

  it('counts and ends a stream whose queue of unsent updates overflows', async () => {
    h.controller.setFault({ type: 'slow-first', ms: 10_000, service: `web-svc.${NS}` });
    const stream = h.open(WEB);
    const other = h.open(WEB); // opened under the same fault: both hold their messages
    await waitFor(
      async () => sample(await scrape(h.controller.metricsUrl), 'endpoints_subscribers', LABELS) === 2,
    );
    const flips = 110;
    for (let i = 0; i < flips; i++) {
      const endpoints = [{ ip: '10.244.0.5', pod: 'web-a' }];
      if (i % 2 === 0) endpoints.push({ ip: '10.244.0.6', pod: 'web-b' });
      updateSlice(h.store, 'web-svc-1', 'web-svc', endpoints);
    }
    const status = await stream.status;
    expect(status.code).toBe(grpc.status.OK);
    expect(stream.messages).toHaveLength(0);
    await other.status;
    const text = await scrape(h.controller.metricsUrl);
    expect(sample(text, 'endpoint_updates_queue_overflow', { service: WEB })).toBe(2);
  });

  it('counts refused calls by code', async () => {
    await h.open(`bad.${NS}.svc.cluster.local:x`).status;
    const text = await scrape(h.controller.metricsUrl);
    expect(
      sample(text, 'grpc_server_handled_total', { grpc_method: 'Get', grpc_code: 'InvalidArgument' }),
    ).toBe(1);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('sandbox destination controller: close', () => {
  it('ends every stream and leaves no server, socket or timer of its own open', async () => {
    const count = (kind: string): number => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const kinds = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'];
    const before = kinds.map(count);
    const h = await startHarness({ seed, faults: [{ type: 'lag', ms: 60_000 }] });
    const stream = h.open(WEB);
    await stream.next();
    updateSlice(h.store, 'web-svc-1', 'web-svc', []); // queued for a minute by the lag
    const { address, metricsUrl } = h.controller;

    await h.controller.close();
    const status = await stream.status;
    expect(status.code).toBe(grpc.status.OK);
    await expect(fetch(metricsUrl)).rejects.toThrow();
    const Client = destinationServiceClient();
    const client = new Client(address, grpc.credentials.createInsecure());
    const deadline = new Date(Date.now() + 1000);
    await expect(
      new Promise<void>((resolve, reject) =>
        client.waitForReady(deadline, (err) => (err ? reject(err) : resolve())),
      ),
    ).rejects.toThrow();
    client.close();
    await h.close();
    // Nothing is left holding the event loop: no more sockets, servers or timers than before.
    await waitFor(async () => kinds.every((kind, i) => count(kind) <= (before[i] ?? 0)));
  });
});
