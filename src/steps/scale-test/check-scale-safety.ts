/**
 * The safety rules of the scale test, as a pure decision over what Kubernetes said. A door of
 * its own: nothing is changed unless this says yes. (Whether the person may change the cluster
 * at all is Slack's authorization, src/slack/authorize.ts.)
 */
import type { KubeHpa, KubeWorkload } from '../../adapters/kube/workload-scaling.js';
import {
  decodeAnnotation,
  isFresh,
  SCALE_TEST_ANNOTATION,
  type ScaleTestAnnotation,
} from './scale-test-annotation.js';
import type { ScaleTestSettings } from './scale-test-types.js';
import { formatWorkloadTarget } from '../../grammar/targets.js';

export type RefusalCode = 'namespace' | 'hpa' | 'max-replicas' | 'running' | 'zero-replicas';

export type SafetyDecision =
  | {
      allowed: true;
      /** A record left by a test that no longer runs (a crash): put it back first. */
      leftover?: ScaleTestAnnotation;
    }
  | { allowed: false; code: RefusalCode; reason: string; hint?: string };

export function namespaceAllowed(namespace: string, allowed: readonly string[]): boolean {
  return allowed.includes('*') || allowed.includes(namespace);
}

export function staleAfterMs(settings: ScaleTestSettings): number {
  return settings.staleAfterMs ?? Math.max(2 * settings.overallTimeoutMs, 60_000);
}

const HPA_KIND: Record<KubeWorkload['kind'], string> = {
  deployment: 'Deployment',
  statefulset: 'StatefulSet',
};

export function checkScaleSafety(input: {
  workload: KubeWorkload;
  hpas: readonly KubeHpa[];
  settings: ScaleTestSettings;
  now: number;
}): SafetyDecision {
  const { workload, hpas, settings, now } = input;
  const text = formatWorkloadTarget(workload);
  if (!namespaceAllowed(workload.namespace, settings.namespaces)) {
    return {
      allowed: false,
      code: 'namespace',
      reason: `scale tests are not allowed in namespace ${workload.namespace} (allowed: ${settings.namespaces.join(', ') || 'none'})`,
      hint: 'An admin can allow it in the scale-test settings (scaleTest.namespaces).',
    };
  }
  const raw = workload.annotations[SCALE_TEST_ANNOTATION];
  let leftover: ScaleTestAnnotation | undefined;
  if (raw !== undefined) {
    const record = decodeAnnotation(raw);
    if (!record || isFresh(record, now, staleAfterMs(settings))) {
      return {
        allowed: false,
        code: 'running',
        reason: record
          ? `another scale test (${record.testId}, asked by ${record.requestedBy} at ${record.startedAt}) is running on ${text}`
          : `${text} carries a ${SCALE_TEST_ANNOTATION} annotation meshbot cannot read: another test may be running`,
        hint: 'Wait for it to finish; a test that died is put back by the next meshbot start (or `meshbot scale-test`).',
      };
    }
    leftover = record;
  }
  const hpa = hpas.find((h) => h.targetKind === HPA_KIND[workload.kind] && h.targetName === workload.name);
  if (hpa) {
    return {
      allowed: false,
      code: 'hpa',
      reason: `HorizontalPodAutoscaler ${hpa.name} scales ${text} (${hpa.minReplicas ?? 1}-${hpa.maxReplicas} replicas): it would fight the test`,
      hint: 'Test a workload without an HPA, or watch the HPA scale it: kubectl get hpa -w.',
    };
  }
  const original = leftover ? leftover.originalReplicas : workload.replicas;
  if (original === 0) {
    return {
      allowed: false,
      code: 'zero-replicas',
      reason: `${text} is scaled to 0: a test from 0 to 1 would start the workload rather than test discovery`,
    };
  }
  if (original + 1 > settings.maxReplicas) {
    return {
      allowed: false,
      code: 'max-replicas',
      reason: `${text} would go to ${original + 1} replicas, past the configured maximum of ${settings.maxReplicas}`,
      hint: 'Raise the maximum (--max-replicas, scaleTest.maxReplicas) if this is intended.',
    };
  }
  return leftover ? { allowed: true, leftover } : { allowed: true };
}
