/**
 * Benchmark: start a sandbox with 5,000 services x 2 pods (meshed, ready at once) and a call
 * graph (each service's pods call the next service, 1 rps: 10,000 meshed clients holding a Get
 * stream each), then open 1,000 concurrent destination Get streams over gRPC and wait for each
 * one's first message. Prints start time, RSS and heap, the mesh and the stream figures.
 * Aims: start < 10 s, RSS < 500 MB.
 *
 *   npm run bench:sandbox            (builds, then runs node dist/bench/sandbox-start.js)
 *   node dist/bench/sandbox-start.js [SERVICES] [STREAMS] [CALLS]    (CALLS 0: no call graph)
 */
import * as grpc from '@grpc/grpc-js';
import { destinationServiceClient } from '../src/adapters/destination/load-destination-proto.js';
import { startSandbox } from '../src/sandbox/start-sandbox.js';

const SERVICES = Number(process.argv[2] ?? 5000);
const STREAMS = Number(process.argv[3] ?? 1000);
const CALLS = process.argv[4] !== '0';
const PODS_PER_SERVICE = 2;
const NAMESPACES = 10;

function scenario(): Record<string, unknown> {
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${i}`);
  const deployments = [];
  const services = [];
  for (let i = 0; i < SERVICES; i++) {
    const namespace = namespaces[i % NAMESPACES]!;
    const name = `svc-${i}`;
    deployments.push({
      name,
      namespace,
      replicas: PODS_PER_SERVICE,
      meshed: true,
      labels: { app: name },
      containerPorts: [{ name: 'http', port: 8080 }],
    });
    services.push({
      name,
      namespace,
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    });
  }
  // Service i's pods call service i+1 (in the next namespace): every pod holds one Get stream.
  const traffic = CALLS
    ? Array.from({ length: SERVICES }, (_, i) => {
        const j = (i + 1) % SERVICES;
        return {
          from: `svc-${i}`,
          namespace: namespaces[i % NAMESPACES]!,
          to: `svc-${j}.${namespaces[j % NAMESPACES]!}`,
          rps: 1,
          successRate: 0.999,
          latencyMs: { p50: 5, p99: 50 },
        };
      })
    : [];
  return { name: 'bench', namespaces, linkerd: {}, deployments, services, traffic, podReadyDelayMs: 0 };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface Stream {
  on(event: 'data', fn: () => void): void;
  on(event: 'error', fn: (err: grpc.ServiceError) => void): void;
  cancel(): void;
}

async function main(): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const sandbox = await startSandbox({ scenario: scenario(), podReadyDelayMs: 0 });
  const startMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const mem = process.memoryUsage();
  const pods = sandbox.store.listStored({ apiVersion: 'v1', kind: 'Pod' }).items.length;
  process.stdout.write(
    [
      `sandbox with ${SERVICES} services x ${PODS_PER_SERVICE} pods (${pods} pods incl. control plane)`,
      `  start time:   ${seconds(startMs)} (aim < 10 s); CPU time ${seconds((cpu.user + cpu.system) / 1000)}`,
      `  RSS:          ${mb(mem.rss)} (aim < 500 MB; ${mb(rssBefore)} before start)`,
      `  heap used:    ${mb(mem.heapUsed)}`,
      `  mesh:         ${sandbox.mesh.openStreams()} in-process Get streams of meshed clients${CALLS ? '' : ' (no call graph)'}`,
      '',
    ].join('\n'),
  );
  // With node --expose-gc: the live heap, without the garbage the start left behind.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    process.stdout.write(`  live heap:    ${mb(process.memoryUsage().heapUsed)} (after gc())\n`);
  }

  const Client = destinationServiceClient();
  const client = new Client(
    sandbox.destination,
    grpc.credentials.createInsecure(),
  ) as unknown as grpc.Client & {
    Get(req: unknown): Stream;
  };
  const n = Math.min(STREAMS, SERVICES);
  const firsts: number[] = [];
  const streams: Stream[] = [];
  const t1 = performance.now();
  await new Promise<void>((resolve, reject) => {
    let pending = n;
    for (let i = 0; i < n; i++) {
      const path = `svc-${i}.bench-${i % NAMESPACES}.svc.cluster.local:80`;
      const call = client.Get({ scheme: 'http:', path, context_token: '' });
      streams.push(call);
      let seen = false;
      call.on('data', () => {
        if (seen) return;
        seen = true;
        firsts.push(performance.now() - t1);
        if (--pending === 0) resolve();
      });
      call.on('error', (err) => {
        if (err.code !== grpc.status.CANCELLED) reject(err);
      });
    }
  });
  const allMs = performance.now() - t1;
  firsts.sort((a, b) => a - b);
  const pct = (p: number): number =>
    firsts[Math.min(firsts.length - 1, Math.floor((p / 100) * firsts.length))]!;
  process.stdout.write(
    [
      `${n} concurrent destination Get streams`,
      `  all first messages in: ${seconds(allMs)}`,
      `  first message p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms, max ${firsts[firsts.length - 1]!.toFixed(0)} ms`,
      `  RSS with streams open: ${mb(process.memoryUsage().rss)}`,
      '',
    ].join('\n'),
  );
  for (const s of streams) s.cancel();
  client.close();
  const t2 = performance.now();
  await sandbox.stop();
  process.stdout.write(`stop: ${seconds(performance.now() - t2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
