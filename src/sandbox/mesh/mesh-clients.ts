/**
 * The sandbox's meshed clients as the destination controller sees them: every meshed pod whose
 * workload calls a service in the traffic model holds a `Get` stream for that service port (with
 * the context token a proxy sends: namespace, node, pod) for as long as it runs. A new pod
 * subscribes, a deleted one cancels; a stream the controller ends (queue overflow, shutdown) is
 * opened again after `reconnectMs`; one that fails (NotFound for a service not there yet,
 * `unavailable`, `reset`) after a wait that doubles with each failure in a row (up to 10 s),
 * as a proxy backs off.
 *
 * The streams are held in this process but go through the controller's own Get handling
 * (RunningDestinationController.openGet): the same subscription registry, faults and metrics.
 * With `messagesPerSecond`, the controller gets updates out to all these clients together no
 * faster than that; each stream's unsent updates are its queue, which overflows past 100 as
 * Linkerd's does (endpoint_updates_queue_overflow). Without it, clients take every update at once.
 */
import { status } from '@grpc/grpc-js';
import { POD } from '../cluster/kube-refs.js';
import { createTimerSet } from '../cluster/timer-set.js';
import type { Update } from '../destination/destination-messages.js';
import type { UpdateSink } from '../destination/get-stream.js';
import type { ObjectStore } from '../kube/store-types.js';
import type { RunningDestinationController } from '../sandbox-types.js';
import { meshedWorkloadOf } from '../traffic/meshed-workload.js';
import { serviceAuthority, type ServicePortRef } from '../traffic/traffic-model.js';

export interface MeshClientsOptions {
  store: ObjectStore;
  destination: Pick<RunningDestinationController, 'openGet'>;
  /** Calling workload `NAMESPACE/NAME` -> the service ports its pods call (callsByWorkload). */
  calls: Map<string, ServicePortRef[]>;
  clusterDomain?: string;
  /** Updates per second the controller gets out to all these streams together; absent: no limit. */
  messagesPerSecond?: number;
  /** Delay before a client opens an ended stream again, ms. Default 500. */
  reconnectMs?: number;
  /** Errors of the simulation (never thrown into the store's watch). */
  onError?: (err: unknown) => void;
}

/**
 * What the meshed clients see: an update on a stream, or a stream the controller ended (`code`
 * OK when it closed the stream: queue overflow, shutdown).
 */
export type MeshEvent =
  | {
      type: 'update';
      /** `NAMESPACE/NAME` of the client pod */ pod: string;
      authority: string;
      update: Update;
    }
  | { type: 'end'; pod: string; authority: string; code: status };

export interface RunningMeshClients {
  /** In-process Get streams open now. */
  openStreams(): number;
  /** Calls `fn` for every update received and every stream the controller ends; returns a function that stops it. */
  onEvent(fn: (event: MeshEvent) => void): () => void;
  stop(): void;
}

/** The longest wait before a client opens a failing stream again, ms. */
export const MAX_RECONNECT_MS = 10_000;

/** Exponential backoff, as a proxy's control-plane client: `base` after an ordinary end, doubled per failure. */
export function reconnectDelay(baseMs: number, failures: number): number {
  return Math.min(baseMs * 2 ** Math.min(failures, 20), Math.max(baseMs, MAX_RECONNECT_MS));
}

/** How often the shared send budget is handed out, ms. */
const DRAIN_TICK_MS = 20;

class ClientStream implements UpdateSink {
  pending = 0;
  ended = false;
  private cancel: (() => void) | undefined;

  constructor(
    readonly pod: string,
    readonly authority: string,
    private readonly drain: Drain | undefined,
    private readonly onEnded: (stream: ClientStream, code: status) => void,
    private readonly onUpdate: (stream: ClientStream, update: Update) => void,
  ) {}

  write(update: Update): void {
    if (this.ended) return;
    this.onUpdate(this, update);
    if (!this.drain) return;
    this.pending += 1;
    this.drain.queued(this);
  }

  get writableLength(): number {
    return this.pending;
  }

  end(): void {
    this.close(status.OK);
  }

  fail(code: status): void {
    this.close(code);
  }

  onCancelled(fn: () => void): void {
    this.cancel = fn;
  }

  /** The client goes away (its pod was deleted). */
  cancelByClient(): void {
    if (this.ended) return;
    this.ended = true;
    this.drain?.forget(this);
    this.cancel?.();
  }

  private close(code: status): void {
    if (this.ended) return;
    this.ended = true;
    this.drain?.forget(this);
    this.onEnded(this, code);
  }
}

/** The controller's send capacity, shared fairly by the streams with queued updates. */
class Drain {
  private readonly active = new Set<ClientStream>();
  private budget = 0;

  constructor(private readonly perSecond: number) {}

  queued(stream: ClientStream): void {
    this.active.add(stream);
  }

  forget(stream: ClientStream): void {
    this.active.delete(stream);
  }

  tick(ms: number): void {
    this.budget = Math.min(this.budget + (this.perSecond * ms) / 1000, this.perSecond);
    while (this.budget >= 1 && this.active.size > 0) {
      const share = Math.max(1, Math.floor(this.budget / this.active.size));
      for (const s of this.active) {
        const take = Math.min(share, s.pending, Math.floor(this.budget));
        s.pending -= take;
        this.budget -= take;
        if (s.pending === 0) this.active.delete(s);
        if (this.budget < 1) break;
      }
    }
  }
}

interface ClientPod {
  namespace: string;
  name: string;
  nodeName: string;
  calls: ServicePortRef[];
  streams: Map<string, ClientStream>;
}

export function startMeshClients(opts: MeshClientsOptions): RunningMeshClients {
  const domain = opts.clusterDomain ?? 'cluster.local';
  const reconnectMs = opts.reconnectMs ?? 500;
  const onError = opts.onError ?? (() => undefined);
  const timers = createTimerSet(onError);
  const drain = opts.messagesPerSecond !== undefined ? new Drain(opts.messagesPerSecond) : undefined;
  if (drain) {
    let last = performance.now();
    timers.every('drain', DRAIN_TICK_MS, () => {
      const now = performance.now();
      drain.tick(now - last);
      last = now;
    });
  }
  const pods = new Map<string, ClientPod>();
  const listeners = new Set<(event: MeshEvent) => void>();
  let open = 0;
  let stopped = false;

  /**
   * `failures`: streams in a row that failed (NotFound for a service not there yet, unavailable)
   * without an update; each doubles the wait before the next, up to MAX_RECONNECT_MS.
   */
  function openStream(key: string, client: ClientPod, service: ServicePortRef, failures = 0): void {
    const authority = serviceAuthority(service, domain);
    let failed = failures;
    const ended = (s: ClientStream, code: status): void => {
      open -= 1;
      for (const fn of listeners) fn({ type: 'end', pod: s.pod, authority: s.authority, code });
      if (stopped || pods.get(key) !== client) return;
      if (code !== status.OK) failed += 1;
      timers.after(`reconnect/${key}/${authority}`, reconnectDelay(reconnectMs, failed), () => {
        if (pods.get(key) === client && client.streams.get(authority) === s) {
          openStream(key, client, service, failed);
        }
      });
    };
    const updated = (s: ClientStream, update: Update): void => {
      failed = 0;
      for (const fn of listeners) fn({ type: 'update', pod: s.pod, authority: s.authority, update });
    };
    const stream = new ClientStream(key, authority, drain, ended, updated);
    client.streams.set(authority, stream);
    open += 1;
    opts.destination.openGet(
      {
        scheme: 'http:',
        path: authority,
        context_token: JSON.stringify({ ns: client.namespace, nodeName: client.nodeName, pod: client.name }),
      },
      stream,
    );
  }

  function remove(key: string): void {
    const client = pods.get(key);
    if (!client) return;
    pods.delete(key);
    timers.cancel(`reconnect/${key}/`, { prefix: true });
    for (const s of client.streams.values()) {
      if (!s.ended) open -= 1;
      s.cancelByClient();
    }
  }

  const stopWatch = opts.store.watch(POD, { shared: true }, (ev) => {
    const { namespace = 'default', name } = ev.object.metadata;
    const key = `${namespace}/${name}`;
    if (ev.type === 'DELETED') {
      remove(key);
      return;
    }
    if ((ev.type !== 'ADDED' && ev.type !== 'MODIFIED') || pods.has(key)) return;
    const meshed = meshedWorkloadOf(namespace, ev.object.metadata.labels ?? {});
    const calls = meshed && opts.calls.get(meshed.workload);
    if (!calls) return;
    const phase = (ev.object.status as { phase?: string } | undefined)?.phase;
    const nodeName = (ev.object.spec as { nodeName?: string } | undefined)?.nodeName;
    // The proxy resolves its destinations once it runs.
    if (phase !== 'Running' || !nodeName) return;
    const client: ClientPod = { namespace, name, nodeName, calls, streams: new Map() };
    pods.set(key, client);
    try {
      for (const service of calls) openStream(key, client, service);
    } catch (err) {
      onError(err);
    }
  });

  return {
    openStreams: () => open,
    onEvent(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      stopWatch();
      timers.clearAll();
      for (const key of [...pods.keys()]) remove(key);
      listeners.clear();
    },
  };
}
