/**
 * One open `Get` stream as a listener of a service port: writes updates in order and applies
 * the stream faults. `slow-first` holds every message until N ms after the stream opened;
 * `reset` ends the stream with UNAVAILABLE once N messages are out, as a dropped connection
 * looks to the client. Like Linkerd's endpoint translator, a stream whose queue of unsent
 * updates overflows is counted in endpoint_updates_queue_overflow and ended.
 */
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { GetDestination, Update } from './destination-messages.js';
import type { Listener } from './endpoint-view.js';

/**
 * Where a Get stream's updates go: a gRPC call, or a client held inside the sandbox process
 * (src/sandbox/mesh/) that goes through the same subscriptions, faults and metrics.
 */
export interface UpdateSink {
  write(update: Update): void;
  /** Updates written that the client has not taken yet (the stream's queue). */
  readonly writableLength: number;
  /** Ends the stream with OK. */
  end(): void;
  /** Ends the stream with an error status. */
  fail(code: status, details: string): void;
  /** Called when the client goes away. */
  onCancelled(fn: () => void): void;
}

/** A gRPC server stream as a sink. */
export function grpcSink(call: ServerWritableStream<GetDestination, Update>): UpdateSink {
  return {
    write: (update) => call.write(update),
    get writableLength() {
      return call.writableLength;
    },
    end: () => call.end(),
    fail: (code, details) => call.emit('error', { code, details }),
    onCancelled: (fn) => call.on('cancelled', fn),
  };
}

/** Linkerd's default per-stream update queue capacity (`-stream-queue-capacity`). */
export const STREAM_QUEUE_CAPACITY = 100;

export interface GetStreamOptions {
  /** Hold the first message until this many ms after the stream opened. */
  slowFirstMs: number;
  /** Current `reset` fault for the stream's service: end after this many messages. */
  resetAfter(): number | undefined;
  /** Called once an update queue overflowed (the stream is then ended). */
  onOverflow(): void;
  /** Called once when the stream is over, whoever ended it. */
  onEnd(code: status): void;
  /** Called for every message written. */
  onMessage(): void;
}

export class GetStream implements Listener {
  private readonly pending: Update[] = [];
  private holding: boolean;
  private holdTimer: NodeJS.Timeout | undefined;
  private sent = 0;
  private ended = false;

  constructor(
    private readonly call: UpdateSink,
    private readonly opts: GetStreamOptions,
  ) {
    this.holding = opts.slowFirstMs > 0;
    if (this.holding) {
      this.holdTimer = setTimeout(() => this.release(), opts.slowFirstMs);
      this.holdTimer.unref();
    }
    call.onCancelled(() => this.finish(status.CANCELLED));
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get messagesSent(): number {
    return this.sent;
  }

  send(update: Update): void {
    if (this.ended) return;
    if (this.holding) {
      this.pending.push(update);
      if (this.pending.length > STREAM_QUEUE_CAPACITY) this.overflow();
      return;
    }
    this.write(update);
  }

  /** Re-checks the `reset` fault (after it was set at run time). */
  checkReset(): void {
    const limit = this.opts.resetAfter();
    if (!this.ended && !this.holding && limit !== undefined && this.sent >= limit) {
      this.fail(status.UNAVAILABLE, `connection reset by peer (fault: reset after ${limit} messages)`);
    }
  }

  /** Ends the stream with OK, as the real server does on shutdown. */
  end(): void {
    if (this.ended) return;
    this.finish(status.OK);
    this.call.end();
  }

  /** Ends the stream with an error status. */
  fail(code: status, details: string): void {
    if (this.ended) return;
    this.finish(code);
    this.call.fail(code, details);
  }

  private release(): void {
    this.holdTimer = undefined;
    this.holding = false;
    const queued = this.pending.splice(0);
    for (const update of queued) {
      if (this.ended) return;
      this.write(update);
    }
    this.checkReset();
  }

  private write(update: Update): void {
    const limit = this.opts.resetAfter();
    if (limit !== undefined && this.sent >= limit) {
      this.checkReset();
      return;
    }
    this.call.write(update);
    this.sent += 1;
    this.opts.onMessage();
    if (this.call.writableLength > STREAM_QUEUE_CAPACITY) {
      this.overflow();
      return;
    }
    this.checkReset();
  }

  private overflow(): void {
    if (this.ended) return;
    this.opts.onOverflow();
    // Linkerd closes the stream from the server side, which the client sees as a clean end.
    this.end();
  }

  private finish(code: status): void {
    if (this.ended) return;
    this.ended = true;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.pending.length = 0;
    this.opts.onEnd(code);
  }
}
