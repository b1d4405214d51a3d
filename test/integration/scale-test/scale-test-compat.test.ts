/**
 * The scale test against both behaviours of the destination controller: today's linkerd2
 * (nothing sent for a service without endpoints, a remove when they go) and older controllers
 * (`destination: { compat: legacy }`: no_endpoints messages). The verdicts must be the same.
 */
import type { Adapters } from '../../../src/adapters/open-adapters.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { runScaleTestStep } from '../../../src/steps/scale-test/run-scale-test-step.js';
import {
  FAST,
  NS,
  openSandboxAdapters,
  replicasOf,
  scaleTestScenario,
  waitForSettled,
} from './scale-test-sandbox.js';

describe.each(['current', 'legacy'] as const)('scale-test step against a %s destination', (compat) => {
  let sb: RunningSandbox;
  let adapters: Adapters;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: { ...scaleTestScenario(), destination: { compat } } });
    adapters = await openSandboxAdapters(sb);
    await waitForSettled(sb.store, 'web', 2);
  });
  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('passes and puts the replicas back', async () => {
    const result = await runScaleTestStep(
      { target: { service: 'web-svc', namespace: NS }, requestedBy: 'tester', settings: FAST },
      adapters,
    );
    expect(result.status).toBe('pass');
    expect(result.data.restored).toBe(true);
  });

  it('blames the pod, not the destination, when a service without ready endpoints never gets one', async () => {
    const result = await runScaleTestStep(
      { target: { kind: 'deployment', name: 'stuck', namespace: NS }, requestedBy: 'tester', settings: FAST },
      adapters,
    );
    expect(result.status).toBe('fail');
    const stages = new Map(result.data.stages.map((s) => [s.stage, s.outcome]));
    expect(stages.get('pod-ready')).toBe('timeout');
    expect(stages.get('destination-added')).toBe('skipped');
    expect(result.findings.map((f) => f.code)).toContain('pod-never-ready');
    expect(replicasOf(sb.store, 'stuck')).toBe(1);
  });
});
