import type { StepResult, StepStatus } from '../../../src/domain/step-result.js';
import { driveRunbook, type Decision } from '../../../src/runbooks/drive-runbook.js';
import { loadRunbooks, parseRunbookYaml } from '../../../src/runbooks/load-runbooks.js';
import { MAX_VISITS, nextAction, type RunState } from '../../../src/runbooks/runbook-runner.js';
import { parseRunbookTarget } from '../../../src/runbooks/runbook-target.js';

const stale = loadRunbooks().get('stale-endpoints')!;
const target = parseRunbookTarget('service', 'web-svc.emojivoto', 'stale-endpoints');

function state(history: RunState['history'], over: Partial<RunState> = {}): RunState {
  return {
    runbookId: stale.id,
    hash: stale.hash,
    target,
    cluster: 'sandbox',
    requestedBy: 'U1',
    history,
    ...over,
  };
}

function result(step: string, status: StepStatus): StepResult {
  return {
    step,
    target: 'x',
    status,
    summary: `${step} ${status}`,
    findings: [],
    evidence: [],
    next: [],
    data: null,
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
  };
}

describe('the runbook runner', () => {
  it('starts at the first step with the target filled in', () => {
    expect(nextAction(stale, state([]))).toMatchObject({ type: 'run', command: 'check' });
    expect(nextAction(stale, state([{ stepId: 'destination-health', outcome: 'warn' }]))).toMatchObject({
      type: 'run',
      command: 'endpoints web-svc.emojivoto',
    });
  });

  it('stops with the conclusion a verdict leads to', () => {
    const a = nextAction(
      stale,
      state([
        { stepId: 'destination-health', outcome: 'pass' },
        { stepId: 'endpoints', outcome: 'pass' },
      ]),
    );
    expect(a).toMatchObject({ type: 'stop', reason: 'conclusion', stepId: 'endpoints' });
    expect(a.type === 'stop' && a.conclusion).toMatch(/no stale\s+endpoints now/);
  });

  it('waits for a confirmation before a step that changes the cluster', () => {
    const h: RunState['history'] = [
      { stepId: 'destination-health', outcome: 'pass' },
      { stepId: 'endpoints', outcome: 'fail' },
      { stepId: 'destination-metrics', outcome: 'fail' },
    ];
    expect(nextAction(stale, state(h))).toMatchObject({
      type: 'confirm',
      command: 'scale-test web-svc.emojivoto',
    });
    // Skipped: the runbook goes on as after `next`.
    expect(nextAction(stale, state([...h, { stepId: 'scale-test', outcome: 'skipped' }]))).toMatchObject({
      type: 'confirm',
      command: 'restart deploy/linkerd-destination.linkerd',
    });
    expect(nextAction(stale, state([...h, { stepId: 'scale-test', outcome: 'stopped' }]))).toMatchObject({
      type: 'stop',
      reason: 'stopped',
    });
  });

  it('refuses a changed runbook and a history that does not fit', () => {
    expect(() => nextAction(stale, state([], { hash: '0000000000000000' }))).toThrow(
      /stale-endpoints runbook changed since this run began/,
    );
    expect(() => nextAction(stale, state([{ stepId: 'endpoints', outcome: 'pass' }]))).toThrow(
      /is "endpoints", but the runbook is at "destination-health"/,
    );
  });

  it('pauses before a read-only step that asks for it, and stops a loop', () => {
    const loop = parseRunbookYaml(
      `id: loop
title: Loop
summary: Goes round.
target: service
steps:
  - id: a
    title: A
    why: A.
    run: endpoints {{service}}.{{namespace}}
    pause: true
    on: { fail: { goto: a }, pass: { stop: { conclusion: Done. } } }
`,
      'loop.yaml',
    );
    const base = { ...state([]), runbookId: 'loop', hash: loop.hash };
    expect(nextAction(loop, base)).toMatchObject({ type: 'pause' });
    const fails = Array.from({ length: MAX_VISITS }, () => ({ stepId: 'a', outcome: 'fail' as const }));
    expect(nextAction(loop, { ...base, history: fails })).toMatchObject({ type: 'stop', reason: 'loop' });
  });

  it('drives a whole run: read-only steps run on, confirmations asked, verdicts recorded', async () => {
    const verdicts: Record<string, StepStatus[]> = {
      check: ['pass'],
      endpoints: ['fail', 'pass'],
      metrics: ['fail'],
      'scale-test': ['fail'],
      restart: ['pass'],
    };
    const asked: string[] = [];
    const report = await driveRunbook(
      stale,
      { target, cluster: 'sandbox', requestedBy: 'cli:me' },
      {
        execute: (cmd) => Promise.resolve(result(cmd.name, verdicts[cmd.name]!.shift()!)),
        decide: (a): Promise<Decision> => {
          asked.push(a.command);
          return Promise.resolve({ choice: 'run', by: 'cli:me (--yes)' });
        },
      },
    );
    expect(asked).toEqual(['scale-test web-svc.emojivoto', 'restart deploy/linkerd-destination.linkerd']);
    expect(report.entries.map((e) => `${e.stepId}:${e.outcome}`)).toEqual([
      'destination-health:pass',
      'endpoints:fail',
      'destination-metrics:fail',
      'scale-test:fail',
      'restart-destination:pass',
      'verify-endpoints:pass',
    ]);
    expect(report.entries[4]!.confirmedBy).toBe('cli:me (--yes)');
    expect(report.stop.reason).toBe('conclusion');
    expect(report.stop.conclusion).toMatch(/^Fixed/);
    expect(report.worst).toBe('fail');
  });

  it('records a step that throws as an error verdict', async () => {
    const report = await driveRunbook(
      stale,
      { target, cluster: 'sandbox', requestedBy: 'cli:me' },
      {
        execute: () => Promise.reject(new Error('boom')),
        decide: () => Promise.resolve({ choice: 'skip', note: 'no' }),
      },
    );
    expect(report.entries).toHaveLength(1);
    expect(report.entries[0]!.result?.summary).toBe('unexpected error: boom');
    expect(report.worst).toBe('error');
    expect(report.stop.conclusion).toMatch(/could not ask Kubernetes/);
  });
});
