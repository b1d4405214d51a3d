import * as grpc from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { MeshbotError } from '../../errors.js';
import { createConcurrencyLimit } from '../concurrency-limit.js';
import { addressesOf, applyUpdate, decodeUpdate, emptyEndpointSet } from './apply-updates.js';
import {
  MAX_DESTINATION_STREAMS,
  type CloseWatch,
  type DestinationClient,
  type DestinationUpdate,
  type DestinationView,
  type ResolveOptions,
  type UpdateLogEntry,
  type ViewCompletion,
  type WatchOptions,
} from './destination-client.js';
import type { DestinationTransport } from './destination-transport.js';
import { destinationServiceClient } from './load-destination-proto.js';
import { translateGrpcError } from './translate-grpc-error.js';

interface GetRequest {
  scheme: string;
  path: string;
  context_token: string;
}

interface DestinationStub extends grpc.Client {
  Get(request: GetRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<unknown>;
}

/** Slack for grpc's own deadline beyond ours, so our timer always fires first. */
const DEADLINE_SLACK_MS = 2_000;

function logEntry(update: DestinationUpdate, atMs: number): UpdateLogEntry {
  switch (update.kind) {
    case 'add':
      return { atMs, kind: 'add', addresses: update.addresses.map((a) => a.address) };
    case 'remove':
      return { atMs, kind: 'remove', addresses: update.addresses };
    case 'no_endpoints':
      return { atMs, kind: 'no_endpoints', addresses: [], exists: update.exists };
  }
}

/**
 * The DestinationClient over grpc-js and a transport. One channel per client (reused by every
 * resolve and watch), opened on first use; every stream is cancelled when its work is done,
 * on error and on timeout.
 */
export interface DestinationClientOptions {
  /** Streams open at once at most; default MAX_DESTINATION_STREAMS (the sweep raises it to its --concurrency). */
  maxStreams?: number;
}

export function createDestinationClient(
  transport: DestinationTransport,
  clientOptions: DestinationClientOptions = {},
): DestinationClient {
  let stub: Promise<DestinationStub> | undefined;
  const openCalls = new Set<grpc.ClientReadableStream<unknown>>();
  const streams = createConcurrencyLimit(clientOptions.maxStreams ?? MAX_DESTINATION_STREAMS);
  let closed = false;

  const getStub = (): Promise<DestinationStub> => {
    if (closed) return Promise.reject(new MeshbotError('internal', 'the destination client is closed'));
    stub ??= transport.connect().then((target) => {
      const Ctor = destinationServiceClient();
      return new Ctor(target, grpc.credentials.createInsecure(), {
        'grpc.max_receive_message_length': 16 * 1024 * 1024,
      }) as unknown as DestinationStub;
    });
    stub.catch(() => {
      stub = undefined;
    });
    return stub;
  };

  /**
   * The channel for a new call. A channel whose last connection attempt failed waits out grpc's
   * reconnect backoff (growing to 120 s) before it tries again and fails every call at once
   * meanwhile, so a controller back on the network (a cluster back up) would keep failing for
   * minutes. Such a channel is replaced: the new one connects at once. (A channel in that state
   * carries no call: grpc fails them at once.)
   */
  const stubForCall = async (): Promise<DestinationStub> => {
    const current = getStub();
    const s = await current;
    if (stub !== current) return getStub(); // replaced meanwhile (by a call before this one)
    if (s.getChannel().getConnectivityState(false) !== grpc.connectivityState.TRANSIENT_FAILURE) return s;
    stub = undefined;
    s.close();
    return getStub();
  };

  const explain = (err: unknown, authority: string, timeoutMs: number): MeshbotError => {
    const below = transport.lastError();
    const code = (err as { code?: unknown } | null)?.code;
    if (below && (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED)) return below;
    return translateGrpcError(err, { target: transport.describe(), authority, timeoutMs });
  };

  async function warmUp(): Promise<void> {
    try {
      // Starts connecting without a watcher: grpc-js's waitForReady keeps its deadline timer
      // alive after close() when the address is unreachable.
      (await getStub()).getChannel().getConnectivityState(true);
    } catch {
      // resolve and watch report it
    }
  }

  async function resolve(authority: string, options: ResolveOptions): Promise<DestinationView> {
    const release = await streams.acquire();
    const t0 = performance.now();
    try {
      const client = await stubForCall();
      return await new Promise<DestinationView>((resolvePromise, reject) => {
        const state = emptyEndpointSet();
        const updates: UpdateLogEntry[] = [];
        let firstUpdateMs: number | undefined;
        let finished = false;
        let settleTimer: NodeJS.Timeout | undefined;
        const call = client.Get(
          { scheme: 'http:', path: authority, context_token: options.contextToken ?? '' },
          { deadline: Date.now() + options.timeoutMs + DEADLINE_SLACK_MS },
        );
        openCalls.add(call);
        const cleanup = (): void => {
          finished = true;
          clearTimeout(settleTimer);
          clearTimeout(overall);
          clearTimeout(quiet);
          openCalls.delete(call);
          call.cancel();
        };
        const finish = (completion: ViewCompletion): void => {
          if (finished) return;
          cleanup();
          const view: DestinationView = {
            authority,
            addresses: addressesOf(state),
            setLabels: state.setLabels,
            updates,
            firstUpdateMs: firstUpdateMs ?? 0,
            completedMs: performance.now() - t0,
            completion,
            source: transport.describe(),
          };
          if (state.noEndpoints) view.noEndpoints = state.noEndpoints;
          resolvePromise(view);
        };
        const fail = (err: MeshbotError): void => {
          if (finished) return;
          cleanup();
          reject(err);
        };
        // Today's linkerd2 sends nothing for a service without endpoints: when none are
        // expected, silence for emptyAfterMs is that answer.
        const quiet =
          options.expectedCount === 0 && options.emptyAfterMs !== undefined
            ? setTimeout(() => {
                if (firstUpdateMs === undefined) finish('quiet');
              }, options.emptyAfterMs)
            : undefined;
        const overall = setTimeout(
          () => {
            if (firstUpdateMs !== undefined) finish('timeout');
            else
              fail(
                new MeshbotError(
                  'timeout',
                  `the destination controller (${transport.describe()}) sent no endpoints for ${authority} within ${options.timeoutMs} ms`,
                  'The controller may be overloaded, its informers unsynced, or the stream slow to start; look at its metrics (metrics SVC.NS) or retry with a longer --timeout.',
                ),
              );
          },
          Math.max(0, options.timeoutMs - (performance.now() - t0)),
        );
        call.on('data', (message: unknown) => {
          if (finished) return;
          const update = decodeUpdate(message);
          if (!update) return;
          const atMs = performance.now() - t0;
          updates.push(logEntry(update, atMs));
          applyUpdate(state, update);
          if (firstUpdateMs === undefined && update.kind !== 'remove') firstUpdateMs = atMs;
          if (firstUpdateMs === undefined) return;
          if (options.expectedCount !== undefined && state.addresses.size === options.expectedCount) {
            finish('count-matched');
            return;
          }
          clearTimeout(settleTimer);
          settleTimer = setTimeout(() => finish('settled'), options.settleMs);
        });
        call.on('error', (err: unknown) => {
          if (finished) return;
          if (
            firstUpdateMs === undefined &&
            (err as { code?: unknown } | null)?.code === grpc.status.NOT_FOUND
          ) {
            // Today's linkerd2 answers a service it does not know with NotFound.
            state.noEndpoints = { exists: false };
            finish('not-found');
          } else if (firstUpdateMs !== undefined) finish('stream-ended');
          else fail(explain(err, authority, options.timeoutMs));
        });
        call.on('end', () => {
          if (finished) return;
          if (firstUpdateMs !== undefined) finish('stream-ended');
          else
            fail(
              new MeshbotError(
                'unreachable',
                `the destination controller (${transport.describe()}) ended the stream for ${authority} without sending endpoints`,
                'Check the destination controller logs.',
              ),
            );
        });
      });
    } catch (err) {
      throw err instanceof MeshbotError ? err : explain(err, authority, options.timeoutMs);
    } finally {
      release();
    }
  }

  function watch(
    authority: string,
    onUpdate: (update: DestinationUpdate, atMs: number) => void,
    options: WatchOptions = {},
  ): CloseWatch {
    let call: grpc.ClientReadableStream<unknown> | undefined;
    let stopped = false;
    let release: (() => void) | undefined;
    const t0 = performance.now();
    const stop: CloseWatch = () => {
      if (stopped) return;
      stopped = true;
      release?.();
      if (call) {
        openCalls.delete(call);
        call.cancel();
      }
    };
    // A watch holds one of the client's stream slots for as long as it runs, as a resolve does.
    streams
      .acquire()
      .then((r) => {
        release = r;
        if (stopped) r();
        return stubForCall();
      })
      .then(
        (client) => {
          if (stopped) return;
          call = client.Get({ scheme: 'http:', path: authority, context_token: options.contextToken ?? '' });
          openCalls.add(call);
          call.on('data', (message: unknown) => {
            if (stopped) return;
            const update = decodeUpdate(message);
            if (update) onUpdate(update, performance.now() - t0);
          });
          call.on('error', (err: unknown) => {
            if (stopped) return;
            stop();
            options.onError?.(explain(err, authority, 0));
          });
          call.on('end', () => {
            if (stopped) return;
            stop();
            options.onEnd?.();
          });
        },
        (err: unknown) => {
          if (stopped) return;
          stop();
          options.onError?.(err instanceof MeshbotError ? err : explain(err, authority, 0));
        },
      );
    return stop;
  }

  async function close(): Promise<void> {
    closed = true;
    for (const call of openCalls) call.cancel();
    openCalls.clear();
    const s = stub;
    stub = undefined;
    if (s) {
      try {
        (await s).close();
      } catch {
        // never connected
      }
    }
    await transport.close();
  }

  return { describe: () => transport.describe(), warmUp, resolve, watch, close };
}
