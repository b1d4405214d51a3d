/**
 * The reflector's recoveries that the sandbox cannot be made to show at will, over a
 * hand-driven `watchWorkloads`: a 410 lists again (with no resourceVersion) and tells what
 * disappeared meanwhile as deleted; a failed watch is opened again after a pause, resuming;
 * close() closes the watch in flight.
 */
import { startWorkloadReflector } from '../../../../src/adapters/kube/workload-reflector.js';
import {
  WatchExpiredError,
  type KubeWorkload,
  type WatchHandlers,
  type WatchOptions,
  type WorkloadScaling,
} from '../../../../src/adapters/kube/workload-scaling.js';

const workload = (name: string, rv: string): KubeWorkload => ({
  kind: 'deployment',
  name,
  namespace: 'shop',
  resourceVersion: rv,
  replicas: 1,
  readyReplicas: 1,
  selector: {},
  templateLabels: {},
  annotations: {},
});

interface Opened {
  options: WatchOptions;
  handlers: WatchHandlers<KubeWorkload>;
  closed: boolean;
}

function fakeScaling(lists: KubeWorkload[][]) {
  const opened: Opened[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const scaling: Pick<WorkloadScaling, 'watchWorkloads'> = {
    async watchWorkloads(kind, _ns, handlers, options) {
      if (kind !== 'deployment') return { initial: [], resourceVersion: '1', close: () => undefined };
      const o: Opened = { options, handlers, closed: false };
      const n = opened.push(o);
      for (const w of waiters.filter((x) => x.n <= n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const initial = options.resourceVersion === undefined ? (lists.shift() ?? []) : [];
      return { initial, resourceVersion: String(10 * n), close: () => void (o.closed = true) };
    },
  };
  const opens = (n: number): Promise<void> =>
    new Promise((resolve) => (opened.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { scaling, opened, opens };
}

describe('the workload reflector', () => {
  it('lists again after a 410 and tells the workloads gone meanwhile as deleted', async () => {
    const fake = fakeScaling([[workload('a', '5'), workload('b', '6')], [workload('b', '30')]]);
    const told: string[] = [];
    const errors: unknown[] = [];
    const r = startWorkloadReflector(fake.scaling, { onError: (e) => void errors.push(e) });
    await fake.opens(1);
    await Promise.resolve();
    r.subscribe({
      onUpsert: (w) => void told.push(`upsert ${w.name}@${w.resourceVersion}`),
      onDelete: (w) => void told.push(`delete ${w.name}`),
    });
    expect(told).toEqual(['upsert a@5', 'upsert b@6']);
    fake.opened[0]!.handlers.onBookmark!('12');
    fake.opened[0]!.handlers.onEnd!(undefined); // the server ended it: resume from 12
    await fake.opens(2);
    expect(fake.opened[1]!.options.resourceVersion).toBe('12');
    fake.opened[1]!.handlers.onEnd!(new WatchExpiredError('deployments', 'too old'));
    await fake.opens(3);
    expect(fake.opened[2]!.options.resourceVersion).toBeUndefined(); // listed again
    await Promise.resolve();
    expect(told.slice(2)).toEqual(['delete a', 'upsert b@30']);
    expect(r.stats().lists).toBe(3); // two kinds, then the relist
    expect(errors).toEqual([]);
    r.close();
    expect(fake.opened[2]!.closed).toBe(true);
  });

  it('after a failed watch, tells the error and opens again after a pause, resuming', async () => {
    const fake = fakeScaling([[workload('a', '5')]]);
    const errors: unknown[] = [];
    const r = startWorkloadReflector(fake.scaling, { onError: (e) => void errors.push(e) });
    await fake.opens(1);
    await Promise.resolve();
    fake.opened[0]!.handlers.onEvent('MODIFIED', workload('a', '7'));
    const failedAt = Date.now();
    fake.opened[0]!.handlers.onEnd!(new Error('connection reset'));
    await fake.opens(2);
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(900);
    expect(fake.opened[1]!.options.resourceVersion).toBe('7');
    expect(errors).toEqual([new Error('connection reset')]);
    r.close(); // the watch being opened is closed as soon as it is handed over
    await new Promise(setImmediate);
    expect(fake.opened[1]!.closed).toBe(true);
  });
});
