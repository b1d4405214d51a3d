import {
  addressesOf,
  endpointSlice,
  NS,
  pod,
  service,
  startHarness,
  updateSlice,
} from './destination-harness.js';

const SERVICES = 100;
const STREAMS = 1000;

describe('sandbox destination controller: load', () => {
  it(`serves ${STREAMS} concurrent Get streams and pushes one change to all of them`, async () => {
    const h = await startHarness({
      seed: (store) => {
        for (let i = 0; i < SERVICES; i++) {
          const app = `svc${i}`;
          store.create(pod(`${app}-a`, `10.1.${i}.1`, { app }));
          store.create(pod(`${app}-b`, `10.1.${i}.2`, { app }));
          store.create(service(`${app}-svc`));
          store.create(
            endpointSlice(`${app}-svc-1`, `${app}-svc`, [
              { ip: `10.1.${i}.1`, pod: `${app}-a` },
              { ip: `10.1.${i}.2`, pod: `${app}-b` },
            ]),
          );
        }
      },
    });
    try {
      const started = Date.now();
      const streams = Array.from({ length: STREAMS }, (_, n) =>
        h.open(`svc${n % SERVICES}-svc.${NS}.svc.cluster.local:80`),
      );
      const firsts = await Promise.all(streams.map((s) => s.next(20_000)));
      const allFirst = Date.now() - started;
      expect(firsts.every((m) => m.update === 'add' && addressesOf(m).length === 2)).toBe(true);

      const changed = Date.now();
      updateSlice(h.store, 'svc0-svc-1', 'svc0-svc', [{ ip: '10.1.0.1', pod: 'svc0-a' }]);
      const svc0 = streams.filter((_, n) => n % SERVICES === 0);
      const removes = await Promise.all(svc0.map((s) => s.next(10_000)));
      expect(removes.every((m) => m.update === 'remove')).toBe(true);
      const fanOut = Date.now() - changed;
      // Visible in the test output for a rough figure; bench/ measures properly.
      process.stdout.write(
        `${STREAMS} streams: all first messages in ${allFirst} ms; change fan-out ${fanOut} ms\n`,
      );
      expect(allFirst).toBeLessThan(15_000);
    } finally {
      await h.close();
    }
  }, 60_000);
});
