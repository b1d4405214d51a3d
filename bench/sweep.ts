/**
 * Benchmark: `meshbot sweep` of a sandbox with 5,000 services x 2 pods, one of them frozen in
 * the destination with a replaced pod (one stale and one missing address). The sandbox runs in
 * this process; the sweep runs as the real CLI in a separate process (its peak RSS is read from
 * /proc/PID/status VmHWM once it has printed its result). Prints the sweep's duration and where it went, the peak of the sandbox's
 * `endpoints_subscribers` (sampled), the sweeping process's peak RSS, and whether the frozen
 * service was found. Aims: < 20 s, <= 64 streams, < 300 MB.
 *
 *   npm run bench:sweep                      (builds, then runs node dist/bench/sweep.js)
 *   node dist/bench/sweep.js [SERVICES] [CONCURRENCY] [PERSISTENCE]
 */
import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { destinationServiceClient } from '../src/adapters/destination/load-destination-proto.js';
import type { StepResult } from '../src/domain/step-result.js';
import type { KubeObject } from '../src/sandbox/kube/store-types.js';
import { startSandbox, type RunningSandbox } from '../src/sandbox/start-sandbox.js';
import type { SweepData, SweepFinding } from '../src/steps/sweep/sweep-types.js';
import { benchScenario, benchServiceName } from './mesh-scenario.js';

const SERVICES = Number(process.argv[2] ?? 5000);
const CONCURRENCY = process.argv[3] ?? '32';
const PERSISTENCE = process.argv[4] ?? '10s';
const PODS_PER_SERVICE = 2;
/** How often the sandbox's /metrics is read: each read of 5,000 services' series costs the sandbox time. */
const SAMPLE_MS = 500;
const FROZEN = benchServiceName(0);
/** The shipped CLI (bin/meshbot.js runs the bundle), from dist/bench/. */
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'meshbot.js');

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface Slice {
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean } }>;
}

/** Resolves once `check` passes on the service's slices (re-evaluated on every watch event). */
function waitForSlices(sb: RunningSandbox, check: (ips: string[]) => boolean): Promise<string[]> {
  return new Promise((resolve) => {
    const slices = new Map<string, KubeObject>();
    let done = false;
    const evaluate = (): void => {
      // Every address the slices list, ready or not: the replaced pod must be gone from them
      // too, or its removal would change Kubernetes between the sweep's two looks.
      const ips = [...slices.values()]
        .flatMap((s) => (s as Slice).endpoints ?? [])
        .flatMap((e) => (e.conditions?.ready === false ? ['not-ready'] : e.addresses));
      if (!done && check(ips)) {
        done = true;
        // After the watch's synchronous replay, `stop` is assigned.
        queueMicrotask(() => stop());
        resolve(ips);
      }
    };
    const stop = sb.store.watch(
      { group: 'discovery.k8s.io', plural: 'endpointslices' },
      { namespace: FROZEN.namespace, labelSelector: `kubernetes.io/service-name=${FROZEN.name}` },
      (ev) => {
        if (ev.type === 'DELETED') slices.delete(ev.object.metadata.name);
        else if (ev.type !== 'BOOKMARK') slices.set(ev.object.metadata.name, ev.object);
        evaluate();
      },
    );
    evaluate();
  });
}

/** Freezes the service in the destination while a client holds it, then replaces one of its pods. */
async function freezeOneService(sb: RunningSandbox): Promise<{ stale: string; fresh: string }> {
  const Client = destinationServiceClient();
  const client = new Client(sb.destination, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Get(req: unknown): grpc.ClientReadableStream<unknown>;
  };
  const call = client.Get({
    scheme: 'http:',
    path: `${FROZEN.name}.${FROZEN.namespace}.svc.cluster.local:80`,
    context_token: '',
  });
  call.on('error', () => undefined);
  await new Promise<void>((resolve) => call.once('data', () => resolve()));
  const before = await waitForSlices(sb, (ips) => ips.length === PODS_PER_SERVICE);
  sb.setFault({ type: 'freeze', service: `${FROZEN.name}.${FROZEN.namespace}` });
  const victim = sb.store
    .list({ group: '', plural: 'pods' }, { namespace: FROZEN.namespace, labelSelector: `app=${FROZEN.name}` })
    .items.find((p) => (p['status'] as { podIP?: string }).podIP === before[0])!;
  sb.store.delete({ group: '', plural: 'pods' }, FROZEN.namespace, victim.metadata.name);
  const after = await waitForSlices(
    sb,
    (ips) => ips.length === PODS_PER_SERVICE && !ips.includes('not-ready') && !ips.includes(before[0]!),
  );
  call.cancel();
  client.close();
  return { stale: before[0]!, fresh: after.find((ip) => !before.includes(ip))! };
}

/** Samples the sum of endpoints_subscribers until stopped; returns the peak. */
function samplePeakSubscribers(metricsUrl: string): { stop(): Promise<number>; samples(): number } {
  let peak = 0;
  let count = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const text = await (await fetch(metricsUrl)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith('endpoints_subscribers{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      peak = Math.max(peak, sum);
      count++;
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return peak;
    },
    samples: () => count,
  };
}

interface SweepRun {
  code: number | 'did not exit';
  /** From start to the JSON result on stdout. */
  wallMs: number;
  maxRssKb: number;
  result?: StepResult<SweepData>;
  stderr: string;
}

/** Peak RSS (VmHWM) of a running process, kB. */
async function peakRssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
}

/**
 * Runs the CLI; once its JSON result is complete, reads its peak RSS, then gives it 5 s to exit
 * (a process still holding half-closed connections is reported and ended).
 */
function runSweep(sb: RunningSandbox): Promise<SweepRun> {
  const args = [
    CLI,
    'sweep',
    '--kubeconfig',
    sb.kubeconfig,
    '--destination',
    sb.destination,
    '--concurrency',
    CONCURRENCY,
    '--persistence',
    PERSISTENCE,
    '--output',
    'json',
  ];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let run: SweepRun | undefined;
    let exitTimer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (run) return;
      let result: StepResult<SweepData>;
      try {
        result = JSON.parse(stdout) as StepResult<SweepData>;
      } catch {
        return; // not complete yet
      }
      const wallMs = performance.now() - t0;
      run = { code: 'did not exit', wallMs, maxRssKb: NaN, result, stderr };
      void peakRssKb(child.pid!).then((kb) => {
        run!.maxRssKb = kb;
        exitTimer = setTimeout(() => child.kill('SIGTERM'), 5_000);
      });
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(exitTimer);
      if (!run) {
        resolve({ code: code ?? -1, wallMs: performance.now() - t0, maxRssKb: NaN, stderr });
        return;
      }
      run.stderr = stderr;
      if (!signal) run.code = code ?? -1;
      resolve(run);
    });
  });
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const sb = await startSandbox({
    scenario: benchScenario(SERVICES, PODS_PER_SERVICE, { identity: true }),
    podReadyDelayMs: 0,
  });
  process.stdout.write(
    `sandbox with ${SERVICES} services x ${PODS_PER_SERVICE} pods started in ${seconds(performance.now() - t0)}\n`,
  );
  try {
    const frozen = await freezeOneService(sb);
    process.stdout.write(
      `frozen ${FROZEN.name}.${FROZEN.namespace}: destination keeps ${frozen.stale}, Kubernetes has ${frozen.fresh}\n`,
    );
    const sampler = samplePeakSubscribers(sb.metrics);
    const run = await runSweep(sb);
    const peak = await sampler.stop();
    const r = run.result;
    if (!r) throw new Error(`the sweep printed no JSON (exit ${run.code}): ${run.stderr}`);
    const subject = `${FROZEN.name}.${FROZEN.namespace}:80`;
    const found = (r.findings as SweepFinding[]).filter((f) => f.subject === subject).map((f) => f.kind);
    const t = r.data.timings;
    process.stdout.write(
      [
        `meshbot sweep --concurrency ${CONCURRENCY} --persistence ${PERSISTENCE} (separate process), exit ${run.code}`,
        `  duration:        ${seconds(run.wallMs)} from spawn to result, incl. node start (aim < 20 s); the step ${seconds(r.durationMs)}:`,
        `                   Kubernetes lists ${seconds(t.kubernetesMs)}, destination ${seconds(t.destinationMs)}, second look ${seconds(t.confirmMs)} (incl. what was left of the ${PERSISTENCE} wait), control plane ${seconds(t.controlPlaneMs)} (after the first look, during the wait)`,
        `  services:        ${r.data.services.listed} listed, ${r.data.services.meshed} meshed, ${r.data.services.swept} swept, ${r.data.services.drifted} drifted, ${r.data.services.unconfirmed} not confirmed, ${r.data.services.notAsked} not asked; ${r.data.streams} streams, ${r.data.retried} asked again after a cut connection`,
        `  peak streams:    ${peak} (sum of the sandbox's endpoints_subscribers, ${sampler.samples()} samples every ${SAMPLE_MS} ms; aim <= 64)`,
        `  sweep RSS:       ${(run.maxRssKb / 1024).toFixed(0)} MB peak (aim < 300 MB)`,
        `  frozen service:  ${found.length > 0 ? `found (${found.join(', ')})` : 'NOT found'}`,
        `  other findings:  ${
          (r.findings as SweepFinding[])
            .filter((f) => f.subject !== subject)
            .map((f) => `${f.kind} ${f.subject}`)
            .join('; ') || 'none'
        }`,
        '',
      ].join('\n'),
    );
  } finally {
    await sb.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
