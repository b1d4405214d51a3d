import type { LeaseClient, LeaseRecord, StoredLease } from '../../../src/adapters/kube/lease-client.js';
import {
  createLeaderElector,
  DEFAULT_LEADER_ELECTION,
  validateTimings,
  type LeaderElector,
} from '../../../src/drift/leader-election.js';
import { MeshbotError } from '../../../src/errors.js';

/** An in-memory Lease store with resourceVersion preconditions, as the API server's. */
function memoryLeases(): {
  client: (id: string) => LeaseClient;
  cut: Set<string>;
  stored: () => StoredLease | undefined;
  writes: string[];
  writesReach: (n: number) => Promise<void>;
} {
  let stored: StoredLease | undefined;
  let version = 0;
  const cut = new Set<string>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const writes: string[] = [];
  const wrote = (entry: string): void => {
    writes.push(entry);
    for (const w of waiters.filter((x) => writes.length >= x.n)) w.resolve();
  };
  const guard = (id: string): void => {
    if (cut.has(id)) throw new MeshbotError('unreachable', `${id} cannot reach the API server`);
  };
  const client = (id: string): LeaseClient => ({
    get: async () => {
      guard(id);
      return stored && { record: { ...stored.record }, resourceVersion: stored.resourceVersion };
    },
    create: async (_ns, _name, record: LeaseRecord) => {
      guard(id);
      if (stored) throw new MeshbotError('conflict', 'exists');
      stored = { record: { ...record }, resourceVersion: String(++version) };
      wrote(`${id}:create:${record.holderIdentity}`);
      return stored;
    },
    replace: async (_ns, _name, record: LeaseRecord, rv: string) => {
      guard(id);
      if (!stored || stored.resourceVersion !== rv) throw new MeshbotError('conflict', 'stale');
      stored = { record: { ...record }, resourceVersion: String(++version) };
      wrote(`${id}:replace:${record.holderIdentity}`);
      return stored;
    },
  });
  const writesReach = (n: number): Promise<void> =>
    writes.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }));
  return { client, cut, stored: () => stored, writes, writesReach };
}

const FAST = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 100 };

interface Candidate {
  elector: LeaderElector;
  started: Array<{ at: number; token: number }>;
  stopped: number[];
  leading: Promise<number>;
}

function candidate(leases: LeaseClient, identity: string, log: string[]): Candidate {
  let resolveLeading: (at: number) => void = () => undefined;
  const c: Candidate = {
    started: [],
    stopped: [],
    leading: new Promise<number>((r) => (resolveLeading = r)),
    elector: createLeaderElector({
      ...FAST,
      leases,
      namespace: 'meshbot',
      name: 'meshbot-scheduler',
      identity,
      onStartedLeading: (token) => {
        const at = performance.now();
        c.started.push({ at, token });
        log.push(`${identity} leads`);
        resolveLeading(at);
      },
      onStoppedLeading: () => {
        c.stopped.push(performance.now());
        log.push(`${identity} stops`);
      },
    }),
  };
  return c;
}

describe('validateTimings', () => {
  it("accepts client-go's defaults", () => {
    expect(validateTimings(DEFAULT_LEADER_ELECTION)).toEqual({
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
  });
  it('refuses a lease not longer than the renew deadline, and a deadline within 1.2 retries', () => {
    expect(() =>
      validateTimings({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
    ).toThrow(/greater than the renew deadline/);
    expect(() =>
      validateTimings({ leaseDurationMs: 15_000, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 }),
    ).toThrow(/1.2 x the retry period/);
    expect(() => validateTimings({ leaseDurationMs: 0, renewDeadlineMs: -1, retryPeriodMs: 0 })).toThrow(
      /positive/,
    );
  });
});

describe('createLeaderElector', () => {
  it('elects one of two candidates; the other takes over at once when the leader releases on stop', async () => {
    const store = memoryLeases();
    const log: string[] = [];
    const a = candidate(store.client('a'), 'pod-a', log);
    const b = candidate(store.client('b'), 'pod-b', log);
    a.elector.start();
    await a.leading;
    b.elector.start();
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(store.stored()!.record).toMatchObject({ holderIdentity: 'pod-a', leaseTransitions: 0 });

    const released = performance.now();
    await a.elector.stop();
    expect(store.stored()!.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    const tookOver = await b.leading;
    // Released: no need to wait for the lease duration, only for b's next retry.
    expect(tookOver - released).toBeLessThan(FAST.leaseDurationMs);
    expect(b.started[0]!.token).toBe(1);
    expect(log).toEqual(['pod-a leads', 'pod-a stops', 'pod-b leads']);
    await b.elector.stop();
  });

  it('a leader cut off stops within the renew deadline, before the standby takes over after a full lease duration', async () => {
    const store = memoryLeases();
    const log: string[] = [];
    const a = candidate(store.client('a'), 'pod-a', log);
    const b = candidate(store.client('b'), 'pod-b', log);
    a.elector.start();
    await a.leading;
    b.elector.start();
    const cutAt = performance.now();
    store.cut.add('a');
    const tookOver = await b.leading;
    expect(a.stopped).toHaveLength(1);
    const stoppedAt = a.stopped[0]!;
    expect(stoppedAt - cutAt).toBeLessThanOrEqual(FAST.renewDeadlineMs + FAST.retryPeriodMs);
    expect(stoppedAt).toBeLessThan(tookOver);
    // b waited a full lease duration from the last change it saw (a's last renew).
    expect(tookOver - cutAt).toBeGreaterThanOrEqual(FAST.leaseDurationMs - FAST.retryPeriodMs * 1.2);
    expect(log).toEqual(['pod-a leads', 'pod-a stops', 'pod-b leads']);
    expect(store.stored()!.record.leaseTransitions).toBe(1);
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it('keeps the acquire time and transitions while renewing', async () => {
    const store = memoryLeases();
    const a = candidate(store.client('a'), 'pod-a', []);
    a.elector.start();
    await a.leading;
    const first = store.stored()!.record;
    await store.writesReach(3);
    const later = store.stored()!.record;
    expect(later.acquireTime).toBe(first.acquireTime);
    expect(later.renewTime).toBeGreaterThan(first.renewTime);
    expect(later.leaseTransitions).toBe(0);
    expect(a.elector.fencingToken()).toBe(0);
    await a.elector.stop();
  });
});
