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
import { recoverInterruptedScaleTests } from '../../../src/steps/scale-test/recover-interrupted-scale-tests.js';
import { decodeAnnotation } from '../../../src/steps/scale-test/scale-test-annotation.js';
import {
  annotationOf,
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

  it('leaves the record and the raised replicas, which the next start puts back', async () => {
    // Frozen: the child waits at the destination stage, where it is killed.
    sb.setFault({ type: 'freeze', service: 'killed-svc.shop' });
    child = spawn(
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
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child!.once('exit', (_code, signal) => resolve(signal)),
    );
    // Wait for the child's own report that the pod it added is in the EndpointSlice.
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(
        () => reject(new Error(`the child never reached the destination stage; stderr: ${stderr}`)),
        60_000,
      );
      const lines = createInterface({ input: child!.stdout! });
      lines.on('line', (line) => {
        const e = JSON.parse(line) as { type: string; timing?: { stage: string } };
        if (e.type === 'stage' && e.timing?.stage === 'slice-added') {
          clearTimeout(guard);
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`the child exited early; stderr: ${stderr}`)));
    });
    child.kill('SIGKILL');
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
