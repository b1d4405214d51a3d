/**
 * The destination controller's Prometheus metrics, named and labelled as Linkerd's
 * (controller/api/destination/watcher/prometheus.go, endpoint_translator.go) and as
 * go-grpc-prometheus names the gRPC server's; served at `/metrics` on their own port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Linkerd's informer lag buckets (seconds). */
export const INFORMER_LAG_BUCKETS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000];
/** client_golang's DefBuckets, used by go-grpc-prometheus's handling time histogram. */
export const GRPC_HANDLING_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const ENDPOINTS_LABELS = ['cluster', 'namespace', 'service', 'port', 'hostname', 'nodename'] as const;
export type EndpointsLabels = Record<(typeof ENDPOINTS_LABELS)[number], string>;

const GRPC_LABELS = ['grpc_method', 'grpc_service', 'grpc_type'] as const;
export type GrpcLabels = Record<(typeof GRPC_LABELS)[number], string>;

export type InformerKind = 'endpoints' | 'endpointslices' | 'pods' | 'services';

export class DestinationMetrics {
  readonly registry = new Registry();

  readonly endpointsUpdates: Counter<(typeof ENDPOINTS_LABELS)[number]>;
  readonly endpointsSubscribers: Gauge<(typeof ENDPOINTS_LABELS)[number]>;
  readonly endpointsExists: Gauge<(typeof ENDPOINTS_LABELS)[number]>;
  readonly endpointsPods: Gauge<(typeof ENDPOINTS_LABELS)[number]>;
  readonly queueOverflow: Counter<'service'>;
  readonly informerLag: Record<InformerKind, Histogram>;
  readonly grpcStarted: Counter<(typeof GRPC_LABELS)[number]>;
  readonly grpcHandled: Counter<(typeof GRPC_LABELS)[number] | 'grpc_code'>;
  readonly grpcMsgSent: Counter<(typeof GRPC_LABELS)[number]>;
  readonly grpcHandlingSeconds: Histogram<(typeof GRPC_LABELS)[number]>;

  constructor() {
    const registers = [this.registry];
    const labelNames = [...ENDPOINTS_LABELS];
    this.endpointsUpdates = new Counter({
      name: 'endpoints_updates',
      help: 'A counter for number of updates to a endpoints.',
      labelNames,
      registers,
    });
    this.endpointsSubscribers = new Gauge({
      name: 'endpoints_subscribers',
      help: 'A gauge for the current number of subscribers to a endpoints.',
      labelNames,
      registers,
    });
    this.endpointsExists = new Gauge({
      name: 'endpoints_exists',
      help: 'A gauge which is 1 if the endpoints exists and 0 if it does not.',
      labelNames,
      registers,
    });
    this.endpointsPods = new Gauge({
      name: 'endpoints_pods',
      help: 'A gauge for the current number of pods in a endpoints.',
      labelNames,
      registers,
    });
    this.queueOverflow = new Counter({
      name: 'endpoint_updates_queue_overflow',
      help: 'A counter incremented whenever the endpoint updates queue overflows',
      labelNames: ['service'],
      registers,
    });
    const lag = (kind: InformerKind, what: string): Histogram =>
      new Histogram({
        name: `${kind}_informer_lag_seconds`,
        help: `The amount of time between when ${what} resource is updated and when an informer observes it`,
        buckets: INFORMER_LAG_BUCKETS,
        registers,
      });
    this.informerLag = {
      endpoints: lag('endpoints', 'an Endpoints'),
      endpointslices: lag('endpointslices', 'an EndpointSlice'),
      pods: lag('pods', 'a Pod'),
      services: lag('services', 'a Service'),
    };
    const grpcLabelNames = [...GRPC_LABELS];
    this.grpcStarted = new Counter({
      name: 'grpc_server_started_total',
      help: 'Total number of RPCs started on the server.',
      labelNames: grpcLabelNames,
      registers,
    });
    this.grpcHandled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'Total number of RPCs completed on the server, regardless of success or failure.',
      labelNames: [...grpcLabelNames, 'grpc_code'],
      registers,
    });
    this.grpcMsgSent = new Counter({
      name: 'grpc_server_msg_sent_total',
      help: 'Total number of gRPC stream messages sent by the server.',
      labelNames: grpcLabelNames,
      registers,
    });
    this.grpcHandlingSeconds = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.',
      labelNames: grpcLabelNames,
      buckets: GRPC_HANDLING_BUCKETS,
      registers,
    });
  }

  /** Observes an informer's lag: now minus the object's change time, when it has one. */
  observeInformerLag(kind: InformerKind, changedAt: number | undefined, now = Date.now()): void {
    if (changedAt === undefined) return;
    this.informerLag[kind].observe(Math.max(0, now - changedAt) / 1000);
  }

  /** Drops one label set of the endpoints metrics (Linkerd unregisters them with the last subscriber). */
  removeEndpointsLabels(labels: EndpointsLabels): void {
    this.endpointsUpdates.remove(labels);
    this.endpointsSubscribers.remove(labels);
    this.endpointsExists.remove(labels);
    this.endpointsPods.remove(labels);
  }
}

export interface RunningMetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `registry` at `http://127.0.0.1:PORT/metrics`; `/ready` answers 200 once `isReady()`. */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  isReady: () => boolean,
): Promise<RunningMetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType }).end(text);
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`);
        },
      );
      return;
    }
    if (path === '/ready') {
      const ready = isReady();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ok\n' : 'not ready\n');
      return;
    }
    if (path === '/ping' || path === '/live') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('pong\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
