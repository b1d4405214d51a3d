/**
 * The process killed mid-test: a real child process runs a scale test against the sandbox and
 * is killed with SIGKILL once it has scaled up (no `finally` runs). What it leaves (raised
 * replicas and the record) is then put back by recovery, as a new process would at start.
 * The child runs the TypeScript sources through a small transpiling loader (no build). The
 * real `meshbot scale-test` is run the same way to check that SIGINT cancels and restores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Adapters } from '../../../src/adapters/open-adapters.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { performance } from 'node:perf_hooks';
import {
  recoverInterruptedScaleTests,
  type RecoveryReport,
} from '../../../src/steps/scale-test/recover-interrupted-scale-tests.js';
import { startRecoverySweeps } from '../../../src/steps/scale-test/recovery-sweeps.js';
import { watchScaleTestRecords } from '../../../src/steps/scale-test/watch-scale-test-records.js';
import {
  decodeAnnotation,
  SCALE_TEST_ANNOTATION,
} from '../../../src/steps/scale-test/scale-test-annotation.js';
import { waitForObjects } from '../endpoints/endpoints-sandbox.js';
import {
  annotationOf,
  DEPLOYMENTS,
  NS,
  openSandboxAdapters,
  replicasOf,
  scaleTestScenario,
  waitForSettled,
} from './scale-test-sandbox.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('a scale test whose process is killed', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: scaleTestScenario() });
    adapters = await openSandboxAdapters(sb);
    await waitForSettled(sb.store, 'killed', 2);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await adapters?.close();
    await sb?.stop();
  });

  /** Spawns the child's scale test of deploy/killed.shop and resolves once its added pod is in the slice. */
  async function startChildAtDestinationStage(): Promise<{ exited: Promise<NodeJS.Signals | null> }> {
    const c = spawn(
      process.execPath,
      [
        '--import',
        join(here, 'child/register-ts-loader.mjs'),
        join(here, 'child/run-scale-test-child.ts'),
        sb.kubeconfig,
        sb.destination,
        'deploy/killed.shop',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = c;
    let stderr = '';
    c.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      c.once('exit', (_code, signal) => resolve(signal)),
    );
    // Wait for the child's own report that the pod it added is in the EndpointSlice.
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(
        () => reject(new Error(`the child never reached the destination stage; stderr: ${stderr}`)),
        60_000,
      );
      const lines = createInterface({ input: c.stdout! });
      lines.on('line', (line) => {
        const e = JSON.parse(line) as { type: string; timing?: { stage: string } };
        if (e.type === 'stage' && e.timing?.stage === 'slice-added') {
          clearTimeout(guard);
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`the child exited early; stderr: ${stderr}`)));
    });
    return { exited };
  }

  it('leaves the record and the raised replicas, which the next start puts back', async () => {
    // Frozen: the child waits at the destination stage, where it is killed.
    sb.setFault({ type: 'freeze', service: 'killed-svc.shop' });
    const { exited } = await startChildAtDestinationStage();
    child!.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // What the dead process left: 3 replicas and its record.
    expect(replicasOf(sb.store, 'killed')).toBe(3);
    const record = decodeAnnotation(annotationOf(sb.store, 'killed'));
    expect(record).toMatchObject({ originalReplicas: 2, testReplicas: 3, requestedBy: 'child' });

    // A new process: the record is within its test's limit, so it may still run; left alone...
    const soon = await recoverInterruptedScaleTests(adapters);
    expect(soon.running.map((r) => r.workload)).toEqual(['deploy/killed.shop']);
    // ...until it cannot be running any more (the clock past its limit and margin): put back.
    const told: string[] = [];
    const later = await recoverInterruptedScaleTests(adapters, {
      now: () => Date.parse(record!.startedAt) + 120_000 + 31_000,
      notify: (text) => void told.push(text),
    });
    expect(later.restored).toEqual([
      expect.objectContaining({ workload: 'deploy/killed.shop', found: 3, restoredTo: 2 }),
    ]);
    expect(told.join('\n')).toMatch(/replicas put back from 3 to 2/);
    expect(replicasOf(sb.store, 'killed')).toBe(2);
    expect(annotationOf(sb.store, 'killed')).toBeUndefined();
    sb.clearFaults();
    await waitForSettled(sb.store, 'killed', 2);
  }, 90_000);

  it('a running recovery loop puts the replicas back within 20 s of the process dying', async () => {
    sb.setFault({ type: 'freeze', service: 'killed-svc.shop' });
    // As `serve` runs it, in this (surviving) process: a sweep at once, then one when a watched
    // record goes stale (and at least every minute).
    const sweeps: RecoveryReport[] = [];
    const errors: unknown[] = [];
    const loop = startRecoverySweeps((signal) => recoverInterruptedScaleTests(adapters, { signal }), {
      watchRecords: (handlers) => watchScaleTestRecords(adapters, handlers),
      onSweep: (r) => void sweeps.push(r),
      onError: (err) => void errors.push(err),
    });
    try {
      const { exited } = await startChildAtDestinationStage();
      // The living test renews its heartbeat (a patch of its record) and the loop leaves it alone.
      const first = decodeAnnotation(annotationOf(sb.store, 'killed'))!;
      const renewed = await waitForObjects(sb.store, DEPLOYMENTS, { namespace: NS }, (ds) => {
        const r = decodeAnnotation(
          ds.find((d) => d.metadata.name === 'killed')?.metadata.annotations?.[SCALE_TEST_ANNOTATION],
        );
        return r?.heartbeatAt !== undefined && r.heartbeatAt !== first.heartbeatAt ? r : undefined;
      });
      expect(renewed).toMatchObject({ testId: first.testId, startedAt: first.startedAt, heartbeatMs: 3000 });
      expect(replicasOf(sb.store, 'killed')).toBe(3);
      expect(sweeps.length).toBeGreaterThanOrEqual(1);

      // The process dies: no `finally`, no restore. Time until the loop has put everything back.
      const killedAt = performance.now();
      child!.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      await waitForObjects(
        sb.store,
        DEPLOYMENTS,
        { namespace: NS },
        (ds) => {
          const d = ds.find((o) => o.metadata.name === 'killed');
          return d &&
            (d['spec'] as { replicas: number }).replicas === 2 &&
            d.metadata.annotations?.[SCALE_TEST_ANNOTATION] === undefined
            ? true
            : undefined;
        },
        30_000,
      );
      const restoredMs = performance.now() - killedAt;
      process.stdout.write(
        `scale-test crash: replicas back ${(restoredMs / 1000).toFixed(1)} s after SIGKILL\n`,
      );
      expect(restoredMs).toBeLessThan(20_000);
      await loop.stop(); // the sweep that restored reports once it ends
      expect(sweeps.flatMap((r) => r.restored)).toEqual([
        expect.objectContaining({ workload: 'deploy/killed.shop', found: 3, restoredTo: 2 }),
      ]);
      expect(sweeps.flatMap((r) => r.failed)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await loop.stop();
      sb.clearFaults();
    }
    await waitForSettled(sb.store, 'killed', 2);
  }, 90_000);

  it('the CLI cancels on SIGINT and puts the replicas back before it exits', async () => {
    sb.setFault({ type: 'freeze', service: 'cancel-svc.shop' });
    await waitForSettled(sb.store, 'cancel', 1);
    const cli = spawn(
      process.execPath,
      [
        '--import',
        join(here, 'child/register-ts-loader.mjs'),
        join(here, '../../../src/cli.ts'),
        'scale-test',
        'deploy/cancel.shop',
        '--yes',
        '--kubeconfig',
        sb.kubeconfig,
        '--destination',
        sb.destination,
        '--stage-timeout',
        '60s',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = cli;
    let stdout = '';
    let stderr = '';
    cli.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`the CLI never scaled; stderr: ${stderr}`)), 60_000);
      cli.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (/address ready in the EndpointSlice/.test(stderr)) {
          clearTimeout(guard);
          resolve();
        }
      });
    });
    expect(replicasOf(sb.store, 'cancel')).toBe(2);
    cli.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/cancelling the scale test; putting the replicas back/);
    expect(stderr).toMatch(/restored 1 replicas/);
    expect(stdout).toMatch(/cancelled/);
    expect(replicasOf(sb.store, 'cancel')).toBe(1);
    expect(annotationOf(sb.store, 'cancel')).toBeUndefined();
    sb.clearFaults();
  }, 90_000);
});
