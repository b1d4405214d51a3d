import type { KubeHpa, KubeWorkload } from '../../../../src/adapters/kube/workload-scaling.js';
import { checkScaleSafety } from '../../../../src/steps/scale-test/check-scale-safety.js';
import {
  encodeAnnotation,
  SCALE_TEST_ANNOTATION,
} from '../../../../src/steps/scale-test/scale-test-annotation.js';
import { DEFAULT_SCALE_TEST_SETTINGS } from '../../../../src/steps/scale-test/scale-test-types.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const workload = (extra: Partial<KubeWorkload> = {}): KubeWorkload => ({
  kind: 'deployment',
  name: 'web',
  namespace: 'shop',
  resourceVersion: '7',
  replicas: 2,
  readyReplicas: 2,
  selector: { app: 'web' },
  templateLabels: { app: 'web' },
  annotations: {},
  ...extra,
});
const record = (startedAt: string): string =>
  encodeAnnotation({
    v: 1,
    testId: 'abc12345',
    originalReplicas: 2,
    testReplicas: 3,
    startedAt,
    requestedBy: 'U0ALICE',
    overallTimeoutMs: 120_000,
  });
const check = (w: KubeWorkload, hpas: KubeHpa[] = [], settings = DEFAULT_SCALE_TEST_SETTINGS) =>
  checkScaleSafety({ workload: w, hpas, settings, now: NOW });

describe('checkScaleSafety', () => {
  it('allows an ordinary workload', () => {
    expect(check(workload())).toEqual({ allowed: true });
  });

  it('refuses a namespace outside the allowed list', () => {
    expect(
      check(workload(), [], { ...DEFAULT_SCALE_TEST_SETTINGS, namespaces: ['emojivoto'] }),
    ).toMatchObject({
      allowed: false,
      code: 'namespace',
      reason: expect.stringMatching(/not allowed in namespace shop \(allowed: emojivoto\)/),
    });
  });

  it('refuses while a fresh record says another test runs; a stale one is a leftover to put back', () => {
    const fresh = workload({ annotations: { [SCALE_TEST_ANNOTATION]: record('2026-11-23T11:59:00Z') } });
    expect(check(fresh)).toMatchObject({
      allowed: false,
      code: 'running',
      reason: expect.stringMatching(/asked by U0ALICE/),
    });
    const stale = workload({
      replicas: 3,
      annotations: { [SCALE_TEST_ANNOTATION]: record('2026-11-23T11:00:00Z') },
    });
    const decision = check(stale);
    expect(decision).toMatchObject({ allowed: true, leftover: { originalReplicas: 2 } });
  });

  it('refuses an unreadable record rather than guess', () => {
    expect(check(workload({ annotations: { [SCALE_TEST_ANNOTATION]: 'not json' } }))).toMatchObject({
      allowed: false,
      code: 'running',
      reason: expect.stringMatching(/cannot read/),
    });
  });

  it('refuses a workload an HPA targets (same kind and name only)', () => {
    const hpa: KubeHpa = {
      name: 'web-hpa',
      namespace: 'shop',
      targetKind: 'Deployment',
      targetName: 'web',
      maxReplicas: 5,
    };
    expect(check(workload(), [hpa])).toMatchObject({
      allowed: false,
      code: 'hpa',
      reason: expect.stringMatching(/HorizontalPodAutoscaler web-hpa .*1-5 replicas/),
    });
    expect(check(workload(), [{ ...hpa, targetKind: 'StatefulSet' }])).toEqual({ allowed: true });
  });

  it('refuses past the maximum, and from zero replicas', () => {
    expect(check(workload(), [], { ...DEFAULT_SCALE_TEST_SETTINGS, maxReplicas: 2 })).toMatchObject({
      code: 'max-replicas',
    });
    expect(check(workload({ replicas: 0 }))).toMatchObject({ code: 'zero-replicas' });
  });
});
