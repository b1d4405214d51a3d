/**
 * The sandbox's Linkerd destination controller: informers on the sandbox API server feed
 * per-service views (through a gate that applies `freeze`/`lag`), which publish to `Get`
 * streams on a plaintext gRPC server; metrics are served on their own port.
 */
import * as grpc from '@grpc/grpc-js';
import { destinationServiceClient } from '../../adapters/destination/load-destination-proto.js';
import type { Fault } from '../fault-types.js';
import type { DestinationControllerOptions, RunningDestinationController } from '../sandbox-types.js';
import { DestinationMetrics, startMetricsServer, type RunningMetricsServer } from './destination-metrics.js';
import { DestinationService } from './destination-server.js';
import { startEndpointInformers, type EndpointInformers } from './endpoint-informers.js';
import { EndpointViews, type ViewEvent } from './endpoint-view.js';
import { FaultBook, parseFault } from './faults.js';
import { objectKey } from './kube-objects.js';
import { DEFAULT_TRANSLATE_OPTIONS } from './translate-to-update.js';
import { UpdateGate } from './update-gate.js';

const SHUTDOWN_GRACE_MS = 2000;

/** `NAMESPACE/NAME` -> `NAME.NAMESPACE` */
function faultKeyOf(viewKey: string): string {
  const slash = viewKey.indexOf('/');
  return `${viewKey.slice(slash + 1)}.${viewKey.slice(0, slash)}`;
}

async function bindServer(server: grpc.Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(err);
      else resolve(bound);
    });
  });
}

async function shutdownServer(server: grpc.Server): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startDestinationController(
  opts: DestinationControllerOptions,
): Promise<RunningDestinationController> {
  const clusterDomain = opts.clusterDomain ?? 'cluster.local';
  const faults = new FaultBook((opts.faults ?? []).map(parseFault));
  const metrics = new DestinationMetrics();

  // The informers are created below; the views read their caches through this reference.
  const late: { informers?: EndpointInformers } = {};
  const compat = opts.compat ?? 'current';
  const views = new EndpointViews({
    compat,
    metrics,
    clusterName: opts.clusterName ?? 'local',
    translate: DEFAULT_TRANSLATE_OPTIONS,
    current: {
      service: (key) => late.informers?.services.get(key),
      slices: (key) => late.informers?.slicesOf(key) ?? [],
      pod: (key) => late.informers?.pods.get(key),
    },
    nodeZone: (nodeName) => late.informers?.nodes.get(nodeName)?.zone,
    dropRemoves: (key) => faults.has(faultKeyOf(key), 'drop-removes'),
  });
  const gate = new UpdateGate<ViewEvent>(
    {
      frozen: (key) => faults.has(faultKeyOf(key), 'freeze'),
      lagMs: (key) => faults.find(faultKeyOf(key), 'lag')?.ms ?? 0,
    },
    (key, event) => views.apply(key, event),
    (key) => views.catchUp(key),
  );

  const informers = startEndpointInformers(
    opts.kubeconfigPath,
    {
      service: (_type, next, prev) => {
        const svc = next ?? prev;
        if (svc) gate.push(objectKey(svc.namespace, svc.name), { kind: 'service', service: next });
      },
      slice: (_type, next, prev) => {
        if (prev && (!next || next.serviceName !== prev.serviceName)) {
          gate.push(objectKey(prev.namespace, prev.serviceName), {
            kind: 'slice',
            name: prev.name,
            slice: undefined,
          });
        }
        if (next)
          gate.push(objectKey(next.namespace, next.serviceName), {
            kind: 'slice',
            name: next.name,
            slice: next,
          });
      },
      pod: (_type, next, prev) => {
        const pod = next ?? prev;
        if (!pod) return;
        const key = objectKey(pod.namespace, pod.name);
        for (const serviceKey of views.servicesOfPod(key))
          gate.push(serviceKey, { kind: 'pod', key, pod: next });
      },
    },
    metrics,
  );
  late.informers = informers;
  const synced = informers.ready.then(() => gate.open());
  synced.catch(() => undefined);

  const service = new DestinationService({
    views,
    currentService: (key) => informers.services.get(key),
    faults,
    metrics,
    clusterDomain,
    compat,
  });
  const server = new grpc.Server();
  server.addService(destinationServiceClient().service, service.handlers());

  let metricsServer: RunningMetricsServer | undefined;
  let port: number;
  try {
    port = await bindServer(server, opts.port ?? 0);
    metricsServer = await startMetricsServer(metrics.registry, opts.metricsPort ?? 0, () =>
      informers.synced(),
    );
  } catch (err) {
    server.forceShutdown();
    await informers.stop();
    gate.close();
    throw err;
  }

  /** After faults changed: re-time the gate, catch up or republish what a lifted fault held. */
  function faultsChanged(removed: Fault[]): void {
    gate.refresh();
    if (removed.some((f) => f.type === 'drop-removes')) {
      for (const key of views.keys()) {
        if (!faults.has(faultKeyOf(key), 'drop-removes')) views.republish(key);
      }
    }
  }

  let closing: Promise<void> | undefined;
  const running: RunningDestinationController = {
    address: `127.0.0.1:${port}`,
    metricsUrl: metricsServer.url,
    setFault(fault) {
      const valid = parseFault(fault);
      const replaced = faults.set(valid);
      faultsChanged(replaced ? [replaced] : []);
      service.faultSet(valid);
    },
    clearFaults(serviceName) {
      faultsChanged(faults.clear(serviceName));
    },
    faults: () => faults.all(),
    openGet: (request, sink) => service.get(request, sink),
    ready: () => synced,
    close() {
      closing ??= (async () => {
        gate.close();
        service.endAll();
        await Promise.all([shutdownServer(server), informers.stop(), metricsServer?.close()]);
      })();
      return closing;
    },
  };
  return running;
}
