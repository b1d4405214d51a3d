/**
 * Which services a sweep compares (pure): a service is meshed when a pod of its selector carries
 * the Linkerd proxy (label `linkerd.io/control-plane-ns`), when its namespace is annotated for
 * injection (`linkerd.io/inject: enabled`), or (no selector) when one of its endpoints is a meshed
 * pod. Headless and ExternalName services and services without ports cannot be compared with the
 * destination's load-balancer set and are left out.
 */
import type { KubeEndpoint, KubePod, KubeService } from '../../adapters/kube/kube-adapter.js';

export const MESHED_POD_LABEL = 'linkerd.io/control-plane-ns';
export const INJECT_ANNOTATION = 'linkerd.io/inject';

export interface MeshedServicesInput {
  services: KubeService[];
  /** Pods of the namespaces in scope. */
  pods: KubePod[];
  /** Namespaces annotated `linkerd.io/inject: enabled`. */
  injectedNamespaces: ReadonlySet<string>;
  /** Endpoints by `NAMESPACE/SERVICE`. */
  endpointsOf: (namespace: string, service: string) => KubeEndpoint[];
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  return true;
}

export function comparable(s: KubeService): boolean {
  return !s.headless && s.type !== 'ExternalName' && s.ports.length > 0;
}

/** The meshed, comparable services, in the order given. */
export function meshedServices(input: MeshedServicesInput): KubeService[] {
  // Pods indexed by namespace and by one label pair, so a selector looks at few pods.
  const byLabel = new Map<string, KubePod[]>();
  const meshedPods = new Set<string>();
  for (const p of input.pods) {
    if (p.labels[MESHED_POD_LABEL] !== undefined) meshedPods.add(`${p.namespace}/${p.name}`);
    for (const key in p.labels) {
      const k = `${p.namespace}\0${key}\0${p.labels[key]}`;
      let list = byLabel.get(k);
      if (!list) byLabel.set(k, (list = []));
      list.push(p);
    }
  }
  return input.services.filter((s) => {
    if (!comparable(s)) return false;
    if (input.injectedNamespaces.has(s.namespace)) return true;
    const selector = s.selector;
    if (selector && Object.keys(selector).length > 0) {
      const [firstKey] = Object.keys(selector);
      const candidates = byLabel.get(`${s.namespace}\0${firstKey}\0${selector[firstKey!]}`) ?? [];
      return candidates.some(
        (p) => selects(selector, p.labels) && meshedPods.has(`${p.namespace}/${p.name}`),
      );
    }
    return input
      .endpointsOf(s.namespace, s.name)
      .some((e) => e.pod !== undefined && meshedPods.has(`${s.namespace}/${e.pod}`));
  });
}

/** The pods a service's selector picks (for attributing stale addresses). */
export function selectedPods(service: KubeService, pods: KubePod[]): KubePod[] {
  const selector = service.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return pods.filter((p) => p.namespace === service.namespace && selects(selector, p.labels));
}
