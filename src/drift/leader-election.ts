/**
 * Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics
 * (k8s.io/client-go/tools/leaderelection):
 * - defaults LeaseDuration 15 s, RenewDeadline 10 s, RetryPeriod 2 s, validated as client-go
 *   does (LeaseDuration > RenewDeadline > 1.2 x RetryPeriod);
 * - a candidate tries every RetryPeriod (with jitter); it takes the Lease only when the record
 *   has not changed for a full LeaseDuration as timed on its own clock since it last saw it
 *   change (no dependence on clock skew between replicas);
 * - every write carries the resourceVersion read, so two candidates cannot both win;
 * - a leader renews every RetryPeriod and stops leading when it has not renewed within
 *   RenewDeadline (before its lease can be taken by another);
 * - `stop()` releases the Lease (ReleaseOnCancel): holder cleared, duration 1 s.
 * There is no fencing: `leaseTransitions` is exposed as a token to stamp on what the leader writes.
 */
import type { LeaseClient, LeaseRecord, StoredLease } from '../adapters/kube/lease-client.js';
import { MeshbotError, UsageError } from '../errors.js';

export interface LeaderElectionTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionTimings = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** client-go's JitterFactor. */
export const JITTER_FACTOR = 1.2;

export function validateTimings(t: LeaderElectionTimings): LeaderElectionTimings {
  const { leaseDurationMs: lease, renewDeadlineMs: renew, retryPeriodMs: retry } = t;
  if (!(retry > 0 && renew > 0 && lease > 0)) {
    throw new UsageError(
      'leader election durations must be positive',
      'Defaults: lease 15s, renew deadline 10s, retry 2s.',
    );
  }
  if (!(lease > renew)) {
    throw new UsageError(
      `the lease duration (${lease} ms) must be greater than the renew deadline (${renew} ms)`,
      'A leader must give up before a standby may take the lease.',
    );
  }
  if (!(renew > JITTER_FACTOR * retry)) {
    throw new UsageError(
      `the renew deadline (${renew} ms) must be greater than ${JITTER_FACTOR} x the retry period (${retry} ms)`,
      'Otherwise a leader has no second try to renew before its deadline.',
    );
  }
  return t;
}

export interface LeaderElectorOptions extends Partial<LeaderElectionTimings> {
  leases: LeaseClient;
  namespace: string;
  name: string;
  /** This candidate's identity: the pod name. */
  identity: string;
  onStartedLeading?: (fencingToken: number) => void;
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes ('' = nobody). */
  onNewLeader?: (identity: string) => void;
  /** Failures to read or write the Lease (logged by the caller; never thrown). */
  onError?: (err: unknown) => void;
  /** Monotonic milliseconds; default performance.now. */
  now?: () => number;
  /** Wall-clock ms written into renewTime/acquireTime; default Date.now. */
  wallClock?: () => number;
  /** Random in [0,1) for jitter; default Math.random. */
  random?: () => number;
}

export interface LeaderElector {
  start(): void;
  isLeader(): boolean;
  /** The holder last observed ('' when none). */
  leader(): string;
  /** leaseTransitions of the term this replica leads, when it does. */
  fencingToken(): number | undefined;
  /** Stops trying and releases the Lease when this replica holds it. */
  stop(): Promise<void>;
}

export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const timings = validateTimings({
    leaseDurationMs: options.leaseDurationMs ?? DEFAULT_LEADER_ELECTION.leaseDurationMs,
    renewDeadlineMs: options.renewDeadlineMs ?? DEFAULT_LEADER_ELECTION.renewDeadlineMs,
    retryPeriodMs: options.retryPeriodMs ?? DEFAULT_LEADER_ELECTION.retryPeriodMs,
  });
  if (!options.identity) throw new UsageError('leader election needs an identity (the pod name)');
  const now = options.now ?? (() => performance.now());
  const wall = options.wallClock ?? (() => Date.now());
  const random = options.random ?? Math.random;
  const { leases, namespace, name, identity } = options;

  let observed: StoredLease | undefined;
  /** Local monotonic time the record was last seen to change. */
  let observedAt = 0;
  let leading = false;
  let lastRenewAt = 0;
  let timer: NodeJS.Timeout | undefined;
  /** Fires RenewDeadline after the last renew, even while a request hangs. */
  let deadline: NodeJS.Timeout | undefined;
  let running = false;
  let inFlight: Promise<void> = Promise.resolve();
  let lastLeader = '';

  const sameRecord = (a: LeaseRecord, b: LeaseRecord): boolean =>
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions;

  const observe = (lease: StoredLease): void => {
    observed = lease;
    if (lease.record.holderIdentity !== lastLeader) {
      lastLeader = lease.record.holderIdentity;
      options.onNewLeader?.(lastLeader);
    }
  };

  const holdsObserved = (): boolean => observed?.record.holderIdentity === identity;

  /** client-go's tryAcquireOrRenew: true when this replica holds the Lease afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const t = now();
    const stamp = wall();
    const record: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(timings.leaseDurationMs / 1000),
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: 0,
    };
    const current = await leases.get(namespace, name);
    if (!current) {
      observe(await leases.create(namespace, name, record));
      observedAt = t;
      return true;
    }
    if (
      !observed ||
      !sameRecord(observed.record, current.record) ||
      observed.resourceVersion !== current.resourceVersion
    ) {
      observe(current);
      observedAt = t;
    }
    const holder = current.record.holderIdentity;
    if (holder !== '' && holder !== identity && observedAt + timings.leaseDurationMs > t) {
      return false; // held by another and not expired on our clock
    }
    if (holder === identity) {
      record.acquireTime = current.record.acquireTime;
      record.leaseTransitions = current.record.leaseTransitions;
    } else {
      record.leaseTransitions = current.record.leaseTransitions + 1;
    }
    observe(await leases.replace(namespace, name, record, current.resourceVersion));
    observedAt = t;
    return true;
  }

  const attempt = async (): Promise<boolean> => {
    try {
      return await tryAcquireOrRenew();
    } catch (err) {
      if (!(err instanceof MeshbotError && err.kind === 'conflict')) options.onError?.(err);
      return false;
    }
  };

  const schedule = (ms: number): void => {
    if (!running) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      inFlight = tick();
    }, ms);
  };

  /** Could not renew within the deadline (or lost the Lease): stop before another can take it. */
  function stopLeading(): void {
    clearTimeout(deadline);
    if (!leading) return;
    leading = false;
    options.onStoppedLeading?.();
  }

  async function tick(): Promise<void> {
    if (!running) return;
    const ok = await attempt();
    if (!running) return;
    const t = now();
    if (ok) {
      lastRenewAt = t;
      clearTimeout(deadline);
      deadline = setTimeout(stopLeading, timings.renewDeadlineMs);
      if (!leading) {
        leading = true;
        options.onStartedLeading?.(observed?.record.leaseTransitions ?? 0);
      }
    } else if (leading && (t - lastRenewAt >= timings.renewDeadlineMs || !holdsObserved())) {
      stopLeading();
    }
    if (leading) {
      // A renew that cannot finish before the deadline is as good as a failed one.
      const untilDeadline = lastRenewAt + timings.renewDeadlineMs - now();
      schedule(Math.max(0, Math.min(timings.retryPeriodMs, untilDeadline)));
    } else {
      schedule(timings.retryPeriodMs * (1 + random() * (JITTER_FACTOR - 1)));
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      inFlight = tick();
    },
    isLeader: () => leading,
    leader: () => lastLeader,
    fencingToken: () => (leading ? observed?.record.leaseTransitions : undefined),
    async stop() {
      running = false;
      clearTimeout(timer);
      await inFlight;
      if (!leading) return;
      stopLeading();
      if (!observed || !holdsObserved()) return;
      const stamp = wall();
      try {
        observe(
          await leases.replace(
            namespace,
            name,
            {
              holderIdentity: '',
              leaseDurationSeconds: 1,
              acquireTime: stamp,
              renewTime: stamp,
              leaseTransitions: observed.record.leaseTransitions,
            },
            observed.resourceVersion,
          ),
        );
      } catch (err) {
        options.onError?.(err);
      }
    },
  };
}
