import * as grpc from '@grpc/grpc-js';
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
  type UpdateStream,
} from './destination-harness.js';

const WEB = `web-svc.${NS}.svc.cluster.local:80`;
const OTHER = `other-svc.${NS}.svc.cluster.local:80`;
const WEB_KEY = `web-svc.${NS}`;
const WEB_A = { ip: '10.244.0.5', pod: 'web-a' };
const WEB_B = { ip: '10.244.0.6', pod: 'web-b' };

let otherRound = 0;

/**
 * Changes other-svc and waits for its stream to hear of it: every informer event queued before
 * has then been handled, so a frozen service's silence is proof, not a guess.
 */
async function barrier(h: Harness, other: UpdateStream): Promise<void> {
  otherRound += 1;
  const ip = `10.244.9.${otherRound}`;
  h.store.create(pod(`other-${otherRound}`, ip, { app: 'other' }));
  updateSlice(h.store, 'other-svc-1', 'other-svc', [{ ip, pod: `other-${otherRound}` }]);
  for (;;) {
    const msg = await other.next();
    if (msg.update === 'add' && addressesOf(msg).includes(`${ip}:8080`)) return;
  }
}

function seed(h: { create(obj: unknown): unknown }): void {
  h.create(pod('web-a', WEB_A.ip));
  h.create(pod('web-b', WEB_B.ip));
  h.create(service('web-svc'));
  h.create(endpointSlice('web-svc-1', 'web-svc', [WEB_A, WEB_B]));
  h.create(pod('other-0', '10.244.9.0', { app: 'other' }));
  h.create(service('other-svc'));
  h.create(endpointSlice('other-svc-1', 'other-svc', [{ ip: '10.244.9.0', pod: 'other-0' }]));
}

async function updates(h: Harness): Promise<number | undefined> {
  return sample(await scrape(h.controller.metricsUrl), 'endpoints_updates', {
    service: 'web-svc',
    port: '80',
  });
}

describe('sandbox destination controller: faults', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ seed: (store) => seed(store as never) });
  });

  afterEach(async () => {
    await h.close();
  });

  it('freeze: nothing new arrives and endpoints_updates stops; clearing catches up', async () => {
    const web = h.open(WEB);
    const other = h.open(OTHER);
    await web.next();
    await other.next();
    await barrier(h, other);
    const before = await updates(h);
    expect(before).toBeGreaterThanOrEqual(0);

    h.controller.setFault({ type: 'freeze', service: WEB_KEY });
    expect(h.controller.faults()).toEqual([{ type: 'freeze', service: WEB_KEY }]);
    updateSlice(h.store, 'web-svc-1', 'web-svc', [WEB_A]);
    h.store.delete({ group: '', plural: 'pods' }, NS, 'web-b', { gracePeriodSeconds: 0 });
    await barrier(h, other);
    expect(web.messages).toHaveLength(1);
    expect(await updates(h)).toBe(before);

    // A new stream sees the frozen (stale) view too.
    const late = await h.open(WEB).next();
    expect(addressesOf(late)).toEqual(['10.244.0.5:8080', '10.244.0.6:8080']);

    h.controller.clearFaults(WEB_KEY);
    const caughtUp = await web.next();
    expect(caughtUp.update).toBe('remove');
    expect(addressesOf(caughtUp)).toEqual(['10.244.0.6:8080']);
    expect(await updates(h)).toBeGreaterThan(before ?? 0);
  });

  it('lag: applies each update N ms late, in order', async () => {
    const web = h.open(WEB);
    await web.next();
    h.controller.setFault({ type: 'lag', ms: 400, service: WEB_KEY });
    const changedAt = Date.now();
    updateSlice(h.store, 'web-svc-1', 'web-svc', [WEB_A]);
    updateSlice(h.store, 'web-svc-1', 'web-svc', [WEB_A, WEB_B]);
    const first = await web.next();
    expect(Date.now() - changedAt).toBeGreaterThanOrEqual(400);
    expect(first.update).toBe('remove');
    const second = await web.next();
    expect(second.update).toBe('add');
    expect(addressesOf(second)).toEqual(['10.244.0.6:8080']);
  });

  it('drop-removes: keeps the addresses of deleted pods until cleared', async () => {
    const web = h.open(WEB);
    const other = h.open(OTHER);
    await web.next();
    await other.next();
    h.controller.setFault({ type: 'drop-removes', service: WEB_KEY });
    updateSlice(h.store, 'web-svc-1', 'web-svc', [WEB_A]);
    h.store.delete({ group: '', plural: 'pods' }, NS, 'web-b', { gracePeriodSeconds: 0 });
    await barrier(h, other);
    expect(web.messages.filter((m) => m.update === 'remove')).toHaveLength(0);
    const fresh = await h.open(WEB).next();
    expect(addressesOf(fresh)).toEqual(['10.244.0.5:8080', '10.244.0.6:8080']);

    h.controller.clearFaults(WEB_KEY);
    const removed = await web.next();
    expect(removed.update).toBe('remove');
    expect(addressesOf(removed)).toEqual(['10.244.0.6:8080']);
  });

  it('unavailable: Get answers UNAVAILABLE, open streams end, other services work; clearing restores', async () => {
    const open = h.open(WEB);
    await open.next();
    h.controller.setFault({ type: 'unavailable', service: WEB_KEY });
    expect((await open.status).code).toBe(grpc.status.UNAVAILABLE);
    const refused = await h.open(WEB).status;
    expect(refused.code).toBe(grpc.status.UNAVAILABLE);
    expect((await h.open(OTHER).next()).update).toBe('add');
    h.controller.clearFaults();
    expect((await h.open(WEB).next()).update).toBe('add');
  });

  it('slow-first: the first message of a new stream comes after N ms', async () => {
    h.controller.setFault({ type: 'slow-first', ms: 300, service: WEB_KEY });
    const web = h.open(WEB);
    const first = await web.next();
    expect(first.update).toBe('add');
    expect((web.arrivals[0] ?? 0) - web.openedAt).toBeGreaterThanOrEqual(300);
    const other = h.open(OTHER);
    await other.next();
    expect((other.arrivals[0] ?? 0) - other.openedAt).toBeLessThan(300);
  });

  it('reset: ends each stream with UNAVAILABLE after N messages', async () => {
    h.controller.setFault({ type: 'reset', afterMessages: 2 });
    const web = h.open(WEB);
    await web.next();
    updateSlice(h.store, 'web-svc-1', 'web-svc', [WEB_A]);
    expect((await web.next()).update).toBe('remove');
    const status = await web.status;
    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(web.messages).toHaveLength(2);
  });

  it('reset set at run time ends streams that already sent N messages', async () => {
    const web = h.open(WEB);
    await web.next();
    h.controller.setFault({ type: 'reset', afterMessages: 1, service: WEB_KEY });
    expect((await web.status).code).toBe(grpc.status.UNAVAILABLE);
  });

  it('refuses an invalid fault', () => {
    expect(() => h.controller.setFault({ type: 'lag', ms: -1 })).toThrow();
  });
});

describe('sandbox destination controller: faults given at start', () => {
  it('applies them from the first Get', async () => {
    const h = await startHarness({
      seed: (store) => seed(store as never),
      faults: [{ type: 'unavailable', service: WEB_KEY }, { type: 'freeze' }],
    });
    try {
      expect((await h.open(WEB).status).code).toBe(grpc.status.UNAVAILABLE);
      const other = h.open(OTHER);
      expect(addressesOf(await other.next())).toEqual(['10.244.9.0:8080']);
      // Frozen after the first sync: a change reaches the informer (its lag is measured) but not the view.
      const seen = async (): Promise<number> =>
        sample(await scrape(h.controller.metricsUrl), 'endpointslices_informer_lag_seconds_count') ?? 0;
      const seenBefore = await seen();
      h.store.create(pod('other-x', '10.244.9.99', { app: 'other' }));
      updateSlice(h.store, 'other-svc-1', 'other-svc', [{ ip: '10.244.9.99', pod: 'other-x' }]);
      while ((await seen()) === seenBefore) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(other.messages).toHaveLength(1);
      h.controller.clearFaults();
      const caughtUp = await other.next();
      expect(caughtUp.update).toBe('add');
      expect(addressesOf(caughtUp)).toEqual(['10.244.9.99:8080']);
      const removed = await other.next();
      expect(removed.update).toBe('remove');
      expect(addressesOf(removed)).toEqual(['10.244.9.0:8080']);
    } finally {
      await h.close();
    }
  });
});
