/** A new Pod from a workload's template, as the ReplicaSet and StatefulSet controllers create it. */
import type { KubeObject } from '../kube/store-types.js';
import { ownerReferenceTo, type Pod, type PodTemplate } from './kube-refs.js';
import type { ProxyInjector } from './proxy-injector.js';

export interface BuildPodInput {
  template: PodTemplate;
  name: string;
  namespace: string;
  owner: KubeObject;
  /** The workload whose name goes on `linkerd.io/proxy-<kind>`: Deployment, StatefulSet, ReplicaSet. */
  workload: { kind: string; name: string };
  extraLabels?: Record<string, string>;
  hostname?: string;
  subdomain?: string;
  injector?: ProxyInjector;
}

export function buildPod(input: BuildPodInput): Pod {
  // The template is read, never changed: the pod's parts are new objects (the store copies
  // whatever it is handed that is not frozen, and shares what is).
  const t = input.template;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(input.extraLabels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}) },
      ownerReferences: [ownerReferenceTo(input.owner)],
    },
    spec: {
      ...t.spec,
      serviceAccountName: t.spec.serviceAccountName ?? 'default',
      restartPolicy: (t.spec['restartPolicy'] as string | undefined) ?? 'Always',
      terminationGracePeriodSeconds: (t.spec['terminationGracePeriodSeconds'] as number | undefined) ?? 30,
      ...(input.hostname ? { hostname: input.hostname } : {}),
      ...(input.subdomain ? { subdomain: input.subdomain } : {}),
    },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
  if (Object.keys(pod.metadata.annotations ?? {}).length === 0) delete pod.metadata.annotations;
  input.injector?.inject(pod, input.workload);
  return pod;
}
