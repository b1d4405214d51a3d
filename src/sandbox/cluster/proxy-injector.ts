/**
 * The Linkerd proxy injector, as its mutating webhook changes a pod at creation: a pod whose
 * template (or namespace) carries `linkerd.io/inject: enabled` gets the `linkerd-proxy`
 * container, the `linkerd-init` init container, and the labels and annotations the
 * destination controller and the health checks read.
 */
import { freezeStored } from '../kube/shared-objects.js';
import type { ObjectStore } from '../kube/store-types.js';
import { NAMESPACE, type Container, type Pod } from './kube-refs.js';
import { LINKERD } from './simulation-annotations.js';

export interface ProxyInjector {
  /** Mutates `pod` in place when injection applies; `workload` names the owner kind's label. */
  inject(pod: Pod, workload: { kind: string; name: string }): void;
}

/** The containers the injector adds, one frozen instance per proxy version, shared by every pod. */
const proxyContainers = new Map<string, Container>();
const INIT_CONTAINER: Container = freezeStored({
  name: LINKERD.initContainer,
  image: 'cr.l5d.io/linkerd/proxy-init:v2.2.3',
});

export function proxyContainer(version: string): Container {
  let container = proxyContainers.get(version);
  if (!container) {
    container = freezeStored(newProxyContainer(version));
    proxyContainers.set(version, container);
  }
  return container;
}

function newProxyContainer(version: string): Container {
  return {
    name: LINKERD.proxyContainer,
    image: `cr.l5d.io/linkerd/proxy:${version}`,
    ports: [
      { name: 'linkerd-proxy', containerPort: 4143, protocol: 'TCP' },
      { name: 'linkerd-admin', containerPort: 4191, protocol: 'TCP' },
    ],
    readinessProbe: { httpGet: { path: '/ready', port: 4191 }, initialDelaySeconds: 2 },
    livenessProbe: { httpGet: { path: '/live', port: 4191 }, initialDelaySeconds: 10 },
  };
}

export function createProxyInjector(
  store: ObjectStore,
  controlPlane: { namespace: string; version: string },
): ProxyInjector {
  function wanted(pod: Pod): boolean {
    const own = pod.metadata.annotations?.[LINKERD.inject];
    if (own === 'enabled' || own === 'ingress') return true;
    if (own === 'disabled') return false;
    const ns = pod.metadata.namespace
      ? store.getStored(NAMESPACE, undefined, pod.metadata.namespace)
      : undefined;
    const nsValue = ns?.metadata.annotations?.[LINKERD.inject];
    return nsValue === 'enabled' || nsValue === 'ingress';
  }

  return {
    inject(pod, workload) {
      if (!wanted(pod)) return;
      if (pod.spec.containers.some((c) => c.name === LINKERD.proxyContainer)) return;
      const annotations = (pod.metadata.annotations ??= {});
      const labels = (pod.metadata.labels ??= {});
      const version = annotations[LINKERD.proxyVersionOverride] ?? controlPlane.version;
      const ns = pod.metadata.namespace ?? 'default';
      annotations[LINKERD.inject] ??= 'enabled';
      annotations[LINKERD.proxyVersion] = version;
      annotations[LINKERD.createdBy] ??= `linkerd/proxy-injector ${controlPlane.version}`;
      annotations[LINKERD.identityMode] = 'default';
      labels[LINKERD.controlPlaneNs] = controlPlane.namespace;
      labels[`linkerd.io/proxy-${workload.kind.toLowerCase()}`] = workload.name;
      labels[LINKERD.workloadNs] = ns;
      pod.spec.containers = [proxyContainer(version), ...pod.spec.containers];
      pod.spec.initContainers = [INIT_CONTAINER, ...(pod.spec.initContainers ?? [])];
    },
  };
}
