/** Which workload a meshed pod's proxy belongs to, from the injector's `linkerd.io/proxy-<kind>` label. */
const PROXY_LABEL = /^linkerd\.io\/proxy-(deployment|statefulset|daemonset|replicaset|job|cronjob)$/;

export interface MeshedWorkload {
  /** `deployment`, `statefulset`, ... */
  kind: string;
  /** `NAMESPACE/NAME` */
  workload: string;
}

/** The pod's workload when it has a proxy (else undefined). */
export function meshedWorkloadOf(
  namespace: string,
  labels: Record<string, string>,
): MeshedWorkload | undefined {
  for (const key in labels) {
    const m = PROXY_LABEL.exec(key);
    if (m) return { kind: m[1]!, workload: `${namespace}/${labels[key]}` };
  }
  return undefined;
}
