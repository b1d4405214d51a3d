/**
 * The report state ConfigMap of a cluster, for `serve` and `meshbot report run --post`: a
 * Kubernetes client of its own over the cluster's kubeconfig (the store's writes must not queue
 * behind a sweep's list calls) and the store over it.
 */
import type { ClusterOptions } from '../adapters/cluster-options.js';
import { createConfigMapClient } from '../adapters/kube/config-map-client.js';
import { createKubeCore, type KubeCore } from '../adapters/kube/kube-core.js';
import { loadKubeConfig } from '../adapters/kube/load-kubeconfig.js';
import { createReportStateStore, type ReportStateStore } from './report-state-store.js';

export function openReportStateStore(
  clusterOptions: ClusterOptions,
  namespace: string,
  onProblem: (problem: string) => void,
): { kube: KubeCore; store: ReportStateStore } {
  const { kubeConfig } = loadKubeConfig(clusterOptions);
  const kube = createKubeCore(kubeConfig, { requestTimeoutMs: clusterOptions.timeoutMs ?? 10_000 });
  return {
    kube,
    store: createReportStateStore({ configMaps: createConfigMapClient(kube), namespace, onProblem }),
  };
}
