/**
 * `meshbot scale-test` in process against the sandbox, and crash recovery. A process killed
 * mid-test is simulated by the state it leaves (the record on the workload and the raised
 * replicas, written straight into the store): spawning the TypeScript CLI would need a build,
 * and what recovery reads is only that state.
 */
import type { Adapters } from '../../../src/adapters/open-adapters.js';
import { runScaleTestCommand, type ScaleTestFlagValues } from '../../../src/cli/commands/scale-test.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import { startSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { Sandbox } from '../../../src/sandbox/sandbox-types.js';
import { recoverInterruptedScaleTests } from '../../../src/steps/scale-test/recover-interrupted-scale-tests.js';
import type { ScaleTestData } from '../../../src/steps/scale-test/scale-test-types.js';
import {
  annotationOf,
  leaveCrashedTest,
  openSandboxAdapters,
  replicasOf,
  scaleTestScenario,
  waitForSettled,
} from './scale-test-sandbox.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('meshbot scale-test and crash recovery through the sandbox', () => {
  let sb: Sandbox;
  let adapters: Adapters;
  const flags = (extra: Partial<ScaleTestFlagValues> = {}): ScaleTestFlagValues => ({
    kubeconfig: sb.kubeconfig,
    destination: sb.destination,
    timeout: '8s',
    stageTimeout: '3s',
    overallTimeout: '30s',
    ...extra,
  });
  async function run(target: string, f: ScaleTestFlagValues, signal?: AbortSignal): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const code = await runScaleTestCommand(target, f, {
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: (t: string) => (stderr += t) },
      env: {},
      requestedBy: 'cli:test',
      ...(signal ? { signal } : {}),
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    sb = await startSandbox({ scenario: scaleTestScenario() });
    adapters = await openSandboxAdapters(sb);
    await Promise.all([waitForSettled(sb.store, 'cli', 1), waitForSettled(sb.store, 'killed', 2)]);
  });
  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('without --yes prints what would change, changes nothing and exits 2', async () => {
    const before = sb.store.get({ group: 'apps', plural: 'deployments' }, 'shop', 'cli')?.metadata
      .resourceVersion;
    const r = await run('deploy/cli.shop', flags());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deploy\/cli\.shop: replicas 1 -> 2, then back to 1, in namespace shop/);
    expect(r.stderr).toMatch(/at most 30 s/);
    expect(r.stderr).toMatch(/--yes/);
    expect(r.stdout).toBe('');
    expect(
      sb.store.get({ group: 'apps', plural: 'deployments' }, 'shop', 'cli')?.metadata.resourceVersion,
    ).toBe(before);
  });

  it('rejects bad flags with exit 2 and a refusal with exit 1', async () => {
    const bad = await run('deploy/cli.shop', flags({ maxReplicas: 'lots' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-replicas lots is not a whole number/);
    const badTarget = await run('pod/cli.shop', flags({ yes: true }));
    expect(badTarget.code).toBe(2);
    const hpa = await run('deploy/auto.shop', flags({ yes: true }));
    expect(hpa.code).toBe(1);
    expect(hpa.stderr).toMatch(/Error: HorizontalPodAutoscaler auto scales deploy\/auto\.shop/);
  });

  it('with --yes runs, prints every stage, and exits 0 (JSON output)', async () => {
    const r = await run('cli-svc.shop', flags({ yes: true, output: 'json' }));
    expect(r.stderr).toMatch(/scaled up to 2 replicas/);
    expect(r.stderr).toMatch(/address in the destination's add .* at \+\d/);
    expect(r.stderr).toMatch(/restored 1 replicas/);
    const result = JSON.parse(r.stdout) as StepResult<ScaleTestData>;
    expect(result.status).toBe('pass');
    expect(r.code).toBe(0);
    expect(result.data.requestedBy).toBe('cli:test');
    expect(replicasOf(sb.store, 'cli')).toBe(1);
    await waitForSettled(sb.store, 'cli', 1);
  });

  it('a new process restores what a killed test left, from the annotation', async () => {
    // What `kill -9` mid-test leaves: replicas 3 (was 2) and the record, 10 minutes old.
    leaveCrashedTest(sb.store, 'killed', {
      originalReplicas: 2,
      testReplicas: 3,
      startedAt: new Date(Date.now() - 600_000).toISOString(),
      overallTimeoutMs: 120_000,
    });
    await waitForSettled(sb.store, 'killed', 3);
    const told: string[] = [];
    const report = await recoverInterruptedScaleTests(adapters, { notify: (text) => void told.push(text) });
    expect(report.restored).toEqual([
      expect.objectContaining({
        workload: 'deploy/killed.shop',
        testId: 'crashed1',
        found: 3,
        restoredTo: 2,
      }),
    ]);
    expect(told[0]).toMatch(
      /deploy\/killed\.shop: scale test crashed1 \(asked by U0GONE .*\) was interrupted; replicas put back from 3 to 2/,
    );
    expect(replicasOf(sb.store, 'killed')).toBe(2);
    expect(annotationOf(sb.store, 'killed')).toBeUndefined();
    await waitForSettled(sb.store, 'killed', 2);
    // Nothing left: a second run does nothing and says nothing.
    const again = await recoverInterruptedScaleTests(adapters, { notify: (text) => void told.push(text) });
    expect(again.restored).toHaveLength(0);
    expect(told).toHaveLength(1);
  });

  it('leaves a record that may belong to a running test, then restores it once it cannot be', async () => {
    leaveCrashedTest(sb.store, 'killed', {
      originalReplicas: 2,
      testReplicas: 3,
      startedAt: new Date().toISOString(),
      overallTimeoutMs: 1,
    });
    // Fresh: within its own limit plus the 30 s margin.
    const now = Date.now();
    const first = await recoverInterruptedScaleTests(adapters, { now: () => now });
    expect(first.running.map((r) => r.workload)).toEqual(['deploy/killed.shop']);
    expect(replicasOf(sb.store, 'killed')).toBe(3);
    // Past the margin (a clock 31 s ahead): restored.
    const later = await recoverInterruptedScaleTests(adapters, { now: () => now + 31_000 });
    expect(later.restored.map((r) => r.workload)).toEqual(['deploy/killed.shop']);
    expect(replicasOf(sb.store, 'killed')).toBe(2);
    expect(annotationOf(sb.store, 'killed')).toBeUndefined();
  });

  it('the CLI restores a leftover before its own test, and cancels on the signal', async () => {
    leaveCrashedTest(sb.store, 'cli', {
      originalReplicas: 1,
      testReplicas: 2,
      startedAt: new Date(Date.now() - 600_000).toISOString(),
    });
    const cancel = new AbortController();
    sb.setFault({ type: 'freeze', service: 'cli-svc.shop' });
    try {
      const pending = run('deploy/cli.shop', flags({ yes: true, stageTimeout: '20s' }), cancel.signal);
      // Cancel once the test has scaled (its record is back on the workload).
      await sb.destinationController.ready();
      await new Promise<void>((resolve) => {
        const stop = sb.store.watch({ group: 'apps', plural: 'deployments' }, { namespace: 'shop' }, (ev) => {
          const a = ev.object.metadata.annotations?.['meshbot.io/scale-test'];
          if (ev.object.metadata.name === 'cli' && a && !a.includes('crashed1')) {
            queueMicrotask(() => stop());
            cancel.abort();
            resolve();
          }
        });
      });
      const r = await pending;
      expect(r.stderr).toMatch(/deploy\/cli\.shop: scale test crashed1 .* replicas put back from 2 to 1/);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/cancelled/);
      expect(replicasOf(sb.store, 'cli')).toBe(1);
      expect(annotationOf(sb.store, 'cli')).toBeUndefined();
    } finally {
      sb.clearFaults();
    }
  });
});
