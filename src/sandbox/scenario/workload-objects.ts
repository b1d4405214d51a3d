/** Deployments, StatefulSets, Services and HPAs of a scenario as Kubernetes objects. */
import type { KubeObject } from '../kube/store-types.js';
import { LINKERD, SIM } from '../cluster/simulation-annotations.js';
import type {
  ScenarioDeployment,
  ScenarioPodBehaviour,
  ScenarioService,
  ScenarioStatefulSet,
  Scenario,
} from './scenario-schema.js';

/** Pod-template annotations that make the simulated kubelet behave as the scenario says. */
export function behaviourAnnotations(b: ScenarioPodBehaviour): Record<string, string> {
  const out: Record<string, string> = {};
  if (b.readyDelayMs !== undefined) out[SIM.readyDelayMs] = String(b.readyDelayMs);
  if (b.neverReady) out[SIM.neverReady] = 'true';
  if (b.crashLoop !== false) {
    out[SIM.crashLoop] = 'true';
    if (typeof b.crashLoop === 'object') {
      if (b.crashLoop.intervalMs !== undefined) out[SIM.crashLoopIntervalMs] = String(b.crashLoop.intervalMs);
      if (b.crashLoop.initialRestarts !== undefined)
        out[SIM.initialRestarts] = String(b.crashLoop.initialRestarts);
    }
  }
  if (b.restarts !== undefined) out[SIM.initialRestarts] = String(b.restarts);
  if (b.lastTermination !== undefined) out[SIM.lastTermination] = b.lastTermination;
  if (b.proxyVersion) out[LINKERD.proxyVersionOverride] = b.proxyVersion;
  return out;
}

export interface PodTemplateInput {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccount?: string | undefined;
  containers: Array<{
    name: string;
    image: string;
    ports: Array<{ name?: string | undefined; port: number; protocol?: string | undefined }>;
  }>;
}

export function podTemplate(t: PodTemplateInput): Record<string, unknown> {
  return {
    metadata: {
      labels: t.labels,
      ...(Object.keys(t.annotations).length ? { annotations: t.annotations } : {}),
    },
    spec: {
      ...(t.serviceAccount ? { serviceAccountName: t.serviceAccount } : {}),
      containers: t.containers.map((c) => ({
        name: c.name,
        image: c.image,
        ports: c.ports.map((p) => ({
          ...(p.name ? { name: p.name } : {}),
          containerPort: p.port,
          protocol: p.protocol ?? 'TCP',
        })),
      })),
    },
  };
}

function workloadTemplate(w: ScenarioDeployment | ScenarioStatefulSet): {
  labels: Record<string, string>;
  template: Record<string, unknown>;
} {
  const labels = w.labels ?? { app: w.name };
  const annotations = {
    ...(w.annotations ?? {}),
    ...(w.meshed ? { [LINKERD.inject]: 'enabled' } : {}),
    ...behaviourAnnotations(w),
  };
  return {
    labels,
    template: podTemplate({
      labels,
      annotations,
      serviceAccount: w.serviceAccount,
      containers: [
        { name: w.name, image: w.image ?? `sandbox.meshbot.io/${w.name}:latest`, ports: w.containerPorts },
      ],
    }),
  };
}

export function deploymentObject(d: ScenarioDeployment): KubeObject {
  const { labels, template } = workloadTemplate(d);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, namespace: d.namespace, labels },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template,
    },
  };
}

export function statefulSetObject(s: ScenarioStatefulSet): KubeObject {
  const { labels, template } = workloadTemplate(s);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: s.name, namespace: s.namespace, labels },
    spec: {
      replicas: s.replicas,
      serviceName: s.serviceName ?? s.name,
      podManagementPolicy: s.podManagementPolicy,
      selector: { matchLabels: labels },
      template,
    },
  };
}

export function serviceObject(s: ScenarioService): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace, ...(s.labels ? { labels: s.labels } : {}) },
    spec: {
      type: s.type,
      ...(s.type === 'ExternalName' ? { externalName: s.externalName } : {}),
      ...(s.headless ? { clusterIP: 'None' } : {}),
      ...(s.selector && s.type !== 'ExternalName' ? { selector: s.selector } : {}),
      ...(s.publishNotReadyAddresses !== undefined
        ? { publishNotReadyAddresses: s.publishNotReadyAddresses }
        : {}),
      ...(s.ipFamilyPolicy ? { ipFamilyPolicy: s.ipFamilyPolicy } : {}),
      ports: s.ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        targetPort: p.targetPort ?? p.port,
        protocol: p.protocol ?? 'TCP',
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
      })),
    },
  };
}

export function hpaObject(h: Scenario['hpas'][number], currentReplicas: number): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: h.name, namespace: h.namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: h.target.kind, name: h.target.name },
      minReplicas: h.minReplicas,
      maxReplicas: h.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: h.targetCPUUtilizationPercentage },
          },
        },
      ],
    },
    status: {
      currentReplicas,
      desiredReplicas: Math.min(h.maxReplicas, Math.max(h.minReplicas, currentReplicas)),
      currentMetrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            current: { averageUtilization: Math.round(h.targetCPUUtilizationPercentage / 2) },
          },
        },
      ],
      conditions: [
        {
          type: 'AbleToScale',
          status: 'True',
          reason: 'ReadyForNewScale',
          message: 'recommended size matches current size',
        },
        {
          type: 'ScalingActive',
          status: 'True',
          reason: 'ValidMetricFound',
          message:
            'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
        },
        {
          type: 'ScalingLimited',
          status: 'False',
          reason: 'DesiredWithinRange',
          message: 'the desired count is within the acceptable range',
        },
      ],
    },
  };
}
