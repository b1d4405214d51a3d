/**
 * Benchmark: how a multi-cluster sandbox scales with its clusters. For each scenario (the
 * default emojivoto, and SERVICES services x 2 pods), starts 1 and then 2 clusters with
 * startClusters, each run in a fresh child process (so memory is that run's alone), and prints
 * the start time (wall and CPU), RSS and the live heap after gc(), per run and per cluster.
 *
 *   npm run build && node dist/bench/sandbox-clusters.js [SERVICES] [RUNS]     (default 1000 1)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startClusters } from '../src/sandbox/clusters/start-clusters.js';
import { benchScenario } from './mesh-scenario.js';

interface Run {
  clusters: number;
  startMs: number;
  cpuMs: number;
  rssMb: number;
  liveHeapMb: number;
  pods: number;
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** One run, in this (child) process: prints its figures as one JSON line. */
async function child(clusters: number, services: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const running = await startClusters({
    clusters: Array.from({ length: clusters }, (_, i) => `c${i}`),
    scenario: services > 0 ? benchScenario(services, 2) : 'emojivoto',
    podReadyDelayMs: 0,
  });
  const startMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  gc?.();
  const mem = process.memoryUsage();
  const pods = running.names
    .map((n) => running.cluster(n).store.list({ apiVersion: 'v1', kind: 'Pod' }).items.length)
    .reduce((a, b) => a + b, 0);
  await running.stop();
  const run: Run = {
    clusters,
    startMs: Math.round(startMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssMb: mb(mem.rss),
    liveHeapMb: mb(mem.heapUsed),
    pods,
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function runChild(self: string, clusters: number, services: number): Run {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', self, 'child', String(clusters), String(services)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Run;
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const plus = (n: number, unit: (v: number) => string): string => `${n < 0 ? '-' : '+'}${unit(Math.abs(n))}`;
const mbText = (n: number): string => `${n} MB`;

function parent(services: number, runs: number): void {
  const self = fileURLToPath(import.meta.url);
  const scenarios: Array<[string, number]> = [
    ['emojivoto', 0],
    [`${services} services x 2 pods`, services],
  ];
  for (const [label, n] of scenarios) {
    process.stdout.write(`\n${label}:\n  clusters  start      CPU        RSS      live heap  pods\n`);
    const medians: Record<number, Run> = {};
    for (const clusters of [1, 2]) {
      const all: Run[] = [];
      for (let r = 0; r < runs; r++) {
        const run = runChild(self, clusters, n);
        all.push(run);
        process.stdout.write(
          `  ${String(clusters).padEnd(8)}  ${sec(run.startMs).padStart(8)}  ${sec(run.cpuMs).padStart(8)}  ` +
            `${String(run.rssMb).padStart(5)} MB  ${String(run.liveHeapMb).padStart(6)} MB  ${run.pods}\n`,
        );
      }
      medians[clusters] = {
        clusters,
        startMs: median(all.map((r) => r.startMs)),
        cpuMs: median(all.map((r) => r.cpuMs)),
        rssMb: median(all.map((r) => r.rssMb)),
        liveHeapMb: median(all.map((r) => r.liveHeapMb)),
        pods: all[0]?.pods ?? 0,
      };
    }
    const [one, two] = [medians[1], medians[2]];
    if (one && two) {
      process.stdout.write(
        `  the second cluster adds: start ${plus(two.startMs - one.startMs, sec)}, CPU ${plus(two.cpuMs - one.cpuMs, sec)}, ` +
          `RSS ${plus(two.rssMb - one.rssMb, mbText)}, live heap ${plus(two.liveHeapMb - one.liveHeapMb, mbText)} ` +
          `(one cluster: ${sec(one.cpuMs)} CPU, ${one.liveHeapMb} MB live heap, code included)\n`,
      );
    }
  }
}

if (process.argv[2] === 'child') {
  await child(Number(process.argv[3] ?? 1), Number(process.argv[4] ?? 0));
} else {
  parent(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 1));
}
