/**
 * Everything the scale test decides before it changes anything: the workload and services,
 * the safety rules, the replicas from and to, the authorities to watch and the longest it
 * may take. Confirmations (Slack, the CLI without --yes) show this plan.
 */
import {
  MAX_DESTINATION_STREAMS,
  type DestinationClient,
} from '../../adapters/destination/destination-client.js';
import type { ClusterOptions } from '../../adapters/cluster-options.js';
import type { KubeAdapter, KubeService } from '../../adapters/kube/kube-adapter.js';
import type { KubeWorkload, WorkloadScaling } from '../../adapters/kube/workload-scaling.js';
import { DEFAULT_CLUSTER_DOMAIN } from '../../adapters/open-adapters.js';
import type { PrometheusClient } from '../../adapters/prometheus/prometheus-client.js';
import { MeshbotError } from '../../errors.js';
import { checkScaleSafety, type SafetyDecision } from './check-scale-safety.js';
import { formatWorkloadTarget } from '../../grammar/targets.js';
import { resolveScaleTarget, type ScaleTarget } from './resolve-scale-target.js';
import { scaleTestAllowedIn } from './scale-test-namespaces.js';
import type { ScaleTestAnnotation } from './scale-test-annotation.js';
import {
  DEFAULT_SCALE_TEST_SETTINGS,
  type ScaleTestPlan,
  type ScaleTestSettings,
} from './scale-test-types.js';

/** What the scale test uses of the adapters; `scaling` is built from the kubeconfig when absent. */
export interface ScaleTestAdapters {
  kube: KubeAdapter;
  destination: DestinationClient;
  options: ClusterOptions;
  prometheus?: PrometheusClient;
  scaling: WorkloadScaling;
}

export function resolveSettings(partial: Partial<ScaleTestSettings> = {}): ScaleTestSettings {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_SCALE_TEST_SETTINGS, ...defined };
}

export interface PreparedScaleTest {
  plan: ScaleTestPlan;
  workload: KubeWorkload;
  services: KubeService[];
  scaling: WorkloadScaling;
  /** A record a crashed test left: the test puts it back before it starts. */
  leftover?: ScaleTestAnnotation;
}

export function authoritiesOf(services: KubeService[], clusterDomain: string): string[] {
  return services.flatMap((s) =>
    s.ports.map((p) => `${s.name}.${s.namespace}.svc.${clusterDomain}:${p.port}`),
  );
}

/** Resolves and checks; throws MeshbotError `refused` (with the reason) when a rule says no. */
export async function prepareScaleTest(
  target: ScaleTarget,
  adapters: ScaleTestAdapters,
  settings: ScaleTestSettings,
  now = Date.now(),
): Promise<PreparedScaleTest> {
  const scaling = adapters.scaling;
  if (!scaleTestAllowedIn(settings, target.namespace)) {
    throw new MeshbotError(
      'refused',
      `scale tests are not allowed in namespace ${target.namespace} (allowed: ${settings.namespaces.join(', ') || 'none'})`,
      'An admin can allow it in the scale-test settings (scaleTest.namespaces).',
    );
  }
  const resolved = await resolveScaleTarget(target, { kube: adapters.kube, scaling });
  const hpas = await scaling.listHpas(resolved.workload.namespace);
  const decision: SafetyDecision = checkScaleSafety({ workload: resolved.workload, hpas, settings, now });
  if (!decision.allowed) throw new MeshbotError('refused', decision.reason, decision.hint);
  const clusterDomain = adapters.options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  // At most as many watches as the destination client allows streams: it is often what is in trouble.
  const authorities = authoritiesOf(resolved.services, clusterDomain).slice(0, MAX_DESTINATION_STREAMS);
  const from = decision.leftover ? decision.leftover.originalReplicas : resolved.workload.replicas;
  const plan: ScaleTestPlan = {
    workload: {
      kind: resolved.workload.kind,
      name: resolved.workload.name,
      namespace: resolved.workload.namespace,
    },
    workloadText: formatWorkloadTarget(resolved.workload),
    services: resolved.services.map((s) => `${s.name}.${s.namespace}`),
    authorities,
    fromReplicas: from,
    toReplicas: from + 1,
    longestMs: settings.overallTimeoutMs,
    stageTimeoutMs: settings.stageTimeoutMs,
  };
  return {
    plan,
    workload: resolved.workload,
    services: resolved.services,
    scaling,
    ...(decision.leftover ? { leftover: decision.leftover } : {}),
  };
}

/** The plan alone (read-only): for confirmations. */
export async function planScaleTest(
  target: ScaleTarget,
  adapters: ScaleTestAdapters,
  settings: Partial<ScaleTestSettings> = {},
): Promise<ScaleTestPlan> {
  return (await prepareScaleTest(target, adapters, resolveSettings(settings))).plan;
}
