/**
 * The `io.linkerd.proxy.destination.Destination` gRPC service over the endpoint views:
 * `Get` parses the authority and context token, answers faults, and subscribes a GetStream;
 * `GetProfile` sends one minimal profile and keeps the stream open.
 */
import * as grpc from '@grpc/grpc-js';
import type { Fault } from '../fault-types.js';
import type { DestinationProfile, GetDestination, Update } from './destination-messages.js';
import type { DestinationMetrics, GrpcLabels } from './destination-metrics.js';
import type { DestinationCompat, EndpointViews, Subscription } from './endpoint-view.js';
import type { FaultBook } from './faults.js';
import { GetStream, grpcSink, type UpdateSink } from './get-stream.js';
import { objectKey, type ServiceInfo } from './kube-objects.js';
import { parseAuthority, serviceFaultKey } from './parse-authority.js';
import { parseContextToken } from './parse-context-token.js';

export const GRPC_SERVICE = 'io.linkerd.proxy.destination.Destination';

/** Go's names of gRPC codes, as go-grpc-prometheus labels them. */
const CODE_NAMES: Record<number, string> = {
  0: 'OK',
  1: 'Canceled',
  2: 'Unknown',
  3: 'InvalidArgument',
  4: 'DeadlineExceeded',
  5: 'NotFound',
  6: 'AlreadyExists',
  7: 'PermissionDenied',
  8: 'ResourceExhausted',
  9: 'FailedPrecondition',
  10: 'Aborted',
  11: 'OutOfRange',
  12: 'Unimplemented',
  13: 'Internal',
  14: 'Unavailable',
  15: 'DataLoss',
  16: 'Unauthenticated',
};

export interface DestinationServerDeps {
  views: EndpointViews;
  /** The Service as the informer has it now (`NAMESPACE/NAME`), as Linkerd reads its lister. */
  currentService(key: string): ServiceInfo | undefined;
  faults: FaultBook;
  metrics: DestinationMetrics;
  clusterDomain: string;
  compat: DestinationCompat;
}

interface OpenStream {
  /** `NAME.NAMESPACE` */
  faultKey: string;
  end(): void;
  fail(code: grpc.status, details: string): void;
  checkReset(): void;
}

export class DestinationService {
  private readonly streams = new Set<OpenStream>();

  constructor(private readonly deps: DestinationServerDeps) {}

  /** Handlers for `server.addService`. */
  handlers(): grpc.UntypedServiceImplementation {
    return {
      Get: (call: grpc.ServerWritableStream<GetDestination, Update>) =>
        this.get(call.request, grpcSink(call)),
      GetProfile: (call: grpc.ServerWritableStream<GetDestination, DestinationProfile>) =>
        this.getProfile(call),
    };
  }

  openStreams(): number {
    return this.streams.size;
  }

  /** Applies a fault set at run time to the streams already open. */
  faultSet(fault: Fault): void {
    for (const stream of [...this.streams]) {
      if (fault.service !== undefined && fault.service !== stream.faultKey) continue;
      if (fault.type === 'unavailable') {
        stream.fail(grpc.status.UNAVAILABLE, 'destination controller unavailable (fault: unavailable)');
      } else if (fault.type === 'reset') {
        stream.checkReset();
      }
    }
  }

  /** Ends every open stream with OK, as the real server does on shutdown. */
  endAll(): void {
    for (const stream of [...this.streams]) stream.end();
    this.streams.clear();
  }

  private grpcLabels(method: string): GrpcLabels {
    return { grpc_method: method, grpc_service: GRPC_SERVICE, grpc_type: 'server_stream' };
  }

  private rpcMetrics(method: string): { done(code: grpc.status): void; message(): void } {
    const { metrics } = this.deps;
    const labels = this.grpcLabels(method);
    metrics.grpcStarted.inc(labels);
    const stopTimer = metrics.grpcHandlingSeconds.startTimer(labels);
    let finished = false;
    return {
      done: (code) => {
        if (finished) return;
        finished = true;
        stopTimer();
        metrics.grpcHandled.inc({ ...labels, grpc_code: CODE_NAMES[code] ?? 'Unknown' });
      },
      message: () => metrics.grpcMsgSent.inc(labels),
    };
  }

  /**
   * One Get stream, over gRPC or held in process (a meshed client of the sandbox): the same
   * checks, faults, subscription and metrics either way.
   */
  get(request: GetDestination, call: UpdateSink): void {
    const rpc = this.rpcMetrics('Get');
    const fail = (code: grpc.status, details: string): void => {
      rpc.done(code);
      call.fail(code, details);
    };

    // The token only narrows metrics (node name); nothing of it is logged.
    const token = parseContextToken(request.context_token ?? '').token;
    const parsed = parseAuthority(request.path ?? '', this.deps.clusterDomain);
    if (!parsed.ok) {
      fail(grpc.status.INVALID_ARGUMENT, parsed.message);
      return;
    }
    const { authority } = parsed;
    const faultKey = serviceFaultKey(authority);
    const { faults, views, metrics } = this.deps;
    if (faults.has(faultKey, 'unavailable')) {
      fail(grpc.status.UNAVAILABLE, 'destination controller unavailable (fault: unavailable)');
      return;
    }

    const viewKey = objectKey(authority.namespace, authority.name);
    // Today's linkerd2 looks the service up in its lister before subscribing; the lister reads
    // the informer cache its watchers do, so it is as stale as the view.
    if (this.deps.compat === 'current' && !views.serviceOf(viewKey)) {
      fail(grpc.status.NOT_FOUND, `Service ${authority.name}.${authority.namespace} not found`);
      return;
    }
    if (this.deps.currentService(viewKey)?.type === 'ExternalName') {
      // Linkerd refuses ExternalName services as an invalid service.
      fail(grpc.status.INVALID_ARGUMENT, `Invalid authority: ${request.path}`);
      return;
    }

    const link: { subscription?: Subscription; open?: OpenStream } = {};
    const stream = new GetStream(call, {
      slowFirstMs: faults.find(faultKey, 'slow-first')?.ms ?? 0,
      resetAfter: () => faults.find(faultKey, 'reset')?.afterMessages,
      onOverflow: () => metrics.queueOverflow.inc({ service: request.path }),
      onMessage: () => rpc.message(),
      onEnd: (code) => {
        rpc.done(code);
        link.subscription?.unsubscribe();
        if (link.open) this.streams.delete(link.open);
      },
    });
    const open: OpenStream = {
      faultKey,
      end: () => stream.end(),
      fail: (code, details) => stream.fail(code, details),
      checkReset: () => stream.checkReset(),
    };
    link.open = open;
    this.streams.add(open);
    const subscription = views.subscribe(
      viewKey,
      authority.port,
      authority.hostname,
      token.nodeName ?? '',
      stream,
    );
    link.subscription = subscription;
    // The first message may already have ended the stream (reset after 0 messages).
    if (stream.isEnded) subscription.unsubscribe();
  }

  private getProfile(call: grpc.ServerWritableStream<GetDestination, DestinationProfile>): void {
    const rpc = this.rpcMetrics('GetProfile');
    const request = call.request;
    const parsed = parseAuthority(request.path ?? '', this.deps.clusterDomain);
    if (!parsed.ok) {
      rpc.done(grpc.status.INVALID_ARGUMENT);
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: parsed.message });
      return;
    }
    const { authority } = parsed;
    const faultKey = serviceFaultKey(authority);
    if (this.deps.faults.has(faultKey, 'unavailable')) {
      rpc.done(grpc.status.UNAVAILABLE);
      call.emit('error', {
        code: grpc.status.UNAVAILABLE,
        details: 'destination controller unavailable (fault: unavailable)',
      });
      return;
    }
    let ended = false;
    const open: OpenStream = {
      faultKey,
      end: () => {
        if (ended) return;
        ended = true;
        this.streams.delete(open);
        rpc.done(grpc.status.OK);
        call.end();
      },
      fail: (code, details) => {
        if (ended) return;
        ended = true;
        this.streams.delete(open);
        rpc.done(code);
        call.emit('error', { code, details });
      },
      checkReset: () => undefined,
    };
    this.streams.add(open);
    call.on('cancelled', () => {
      if (ended) return;
      ended = true;
      this.streams.delete(open);
      rpc.done(grpc.status.CANCELLED);
    });
    call.write({
      fully_qualified_name: `${authority.name}.${authority.namespace}.svc.${this.deps.clusterDomain}`,
    });
    rpc.message();
  }
}
