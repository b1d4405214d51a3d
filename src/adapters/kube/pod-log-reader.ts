/**
 * A container's log through the Kubernetes API (`pods/log`, verb get), as `kubectl logs -c`
 * reads it: bounded by `tailLines` and `limitBytes` so a chatty container never floods meshbot.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeCore } from './kube-core.js';

export interface PodLogQuery {
  container: string;
  sinceSeconds?: number;
  tailLines: number;
  limitBytes: number;
  timestamps?: boolean;
}

export interface PodLogReader {
  /** The log's text; MeshbotError on failure (403 names `get pods/log`). */
  readPodLog(namespace: string, pod: string, query: PodLogQuery): Promise<string>;
}

export function createPodLogReader(kube: KubeCore): PodLogReader {
  const core = kube.kubeConfig.makeApiClient(CoreV1Api);
  return {
    readPodLog: (namespace, name, q) =>
      kube.call({ verb: 'get', resource: 'pods/log', group: '', namespace, name }, (o) =>
        core.readNamespacedPodLog(
          {
            name,
            namespace,
            container: q.container,
            tailLines: q.tailLines,
            limitBytes: q.limitBytes,
            ...(q.sinceSeconds !== undefined ? { sinceSeconds: q.sinceSeconds } : {}),
            ...(q.timestamps ? { timestamps: true } : {}),
          },
          o,
        ),
      ),
  };
}
