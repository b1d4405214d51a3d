import { judgeScaleTest } from '../../../../src/steps/scale-test/judge-scale-test.js';
import { describeProgress } from '../../../../src/steps/scale-test/describe-progress.js';
import {
  STAGE_DIRECTION,
  STAGE_LABEL,
  type ScaleTestData,
  type StageName,
  type StageTiming,
} from '../../../../src/steps/scale-test/scale-test-types.js';
import { formatCommand } from '../../../../src/grammar/format-command.js';

const plan = {
  workload: { kind: 'deployment' as const, name: 'web', namespace: 'shop' },
  workloadText: 'deploy/web.shop',
  services: ['web-svc.shop'],
  authorities: ['web-svc.shop.svc.cluster.local:80'],
  fromReplicas: 2,
  toReplicas: 3,
  longestMs: 120_000,
  stageTimeoutMs: 30_000,
};
const t = (stage: StageName, outcome: StageTiming['outcome'], atMs?: number): StageTiming => ({
  stage,
  label: STAGE_LABEL[stage],
  direction: STAGE_DIRECTION[stage],
  outcome,
  limitMs: 30_000,
  ...(atMs !== undefined ? { atMs } : {}),
});
const data = (stages: StageTiming[], extra: Partial<ScaleTestData> = {}): ScaleTestData => ({
  testId: 'abc12345',
  requestedBy: 'U0ALICE',
  plan,
  stages,
  addedIp: '10.1.3.7',
  removedIp: '10.1.3.7',
  restored: true,
  restoreAttempts: 1,
  ending: 'finished',
  ...extra,
});

describe('judgeScaleTest', () => {
  it('passes when the destination sent both changes', () => {
    const v = judgeScaleTest(
      data([
        t('pod-created', 'done', 100),
        t('pod-ready', 'done', 1200),
        t('slice-added', 'done', 1300),
        t('destination-added', 'done', 1400),
        t('pod-terminating', 'done', 50),
        t('slice-removed', 'done', 80),
        t('destination-removed', 'done', 120),
      ]),
      { service: { service: 'web-svc', namespace: 'shop' } },
    );
    expect(v.status).toBe('pass');
    expect(v.summary).toMatch(
      /deploy\/web\.shop 2 -> 3 -> 2: the destination followed both changes \(add at \+1\.4 s/,
    );
    expect(v.evidence[0]!.rows).toHaveLength(7);
  });

  it('names the stage that never came, with the next steps', () => {
    const v = judgeScaleTest(
      data([
        t('pod-created', 'done', 100),
        t('pod-ready', 'done', 1200),
        t('slice-added', 'done', 2100),
        t('destination-added', 'timeout'),
      ]),
      { service: { service: 'web-svc', namespace: 'shop' } },
    );
    expect(v.status).toBe('fail');
    expect(v.summary).toBe(
      'deploy/web.shop 2 -> 3 -> 2: Kubernetes added 10.1.3.7 at +2.1 s; the destination never sent it within 30 s; replicas restored',
    );
    expect(v.next.map((n) => (n.command ? formatCommand(n.command) : n.description))).toEqual([
      'endpoints web-svc.shop',
      'metrics web-svc.shop',
      'check',
      expect.stringMatching(/kubectl -n linkerd rollout restart deploy\/linkerd-destination/),
    ]);
  });

  it('is an error when the replicas could not be put back, and says how to', () => {
    const v = judgeScaleTest(data([t('pod-created', 'timeout')], { restored: false, ending: 'error' }), {
      error: { kind: 'unreachable', message: 'Kubernetes could not be reached' },
    });
    expect(v.status).toBe('error');
    expect(v.findings.find((f) => f.code === 'replicas-not-restored')!.hint).toMatch(
      /kubectl -n shop scale deployment\/web --replicas=2/,
    );
  });

  it('does not pass when a destination stage was only skipped', () => {
    const v = judgeScaleTest(data([t('pod-created', 'done', 1), t('destination-added', 'skipped')]), {});
    expect(v.status).toBe('fail');
  });

  it('describes progress events as one line each', () => {
    expect(
      describeProgress({
        type: 'stage',
        timing: { ...t('destination-added', 'done', 2100), tookMs: 300, subject: '10.1.3.7' },
      }),
    ).toBe("↑ address in the destination's add (10.1.3.7) at +2.1 s, 0.3 s after the previous stage");
    expect(describeProgress({ type: 'stage', timing: t('destination-removed', 'timeout') })).toBe(
      "↓ address in the destination's remove: not within 30 s",
    );
    expect(describeProgress({ type: 'scaled', direction: 'up', replicas: 3, atMs: 0 })).toBe(
      'scaled up to 3 replicas',
    );
  });
});
