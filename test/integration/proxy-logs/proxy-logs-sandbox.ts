/**
 * The scenario and helpers of the proxy log tests: emojivoto, with `voting` (2 replicas) whose
 * proxies start at debug (`config.linkerd.io/proxy-log-level`), as a workload set by Helm would.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { POD, type Pod } from '../../../src/sandbox/cluster/kube-refs.js';
import type { ObjectStore } from '../../../src/sandbox/kube/store-types.js';

export const NS = 'emojivoto';

export function proxyLogsScenario(): Record<string, unknown> {
  const scenario = YAML.parse(readFileSync('scenarios/emojivoto.yaml', 'utf8')) as Record<string, unknown>;
  const deployments = (scenario['deployments'] as Array<Record<string, unknown>>).map((d) =>
    d['name'] === 'voting'
      ? { ...d, replicas: 2, annotations: { 'config.linkerd.io/proxy-log-level': 'warn,linkerd=debug' } }
      : d['name'] === 'web'
        ? { ...d, replicas: 2 }
        : d,
  );
  deployments.push({
    name: 'plain',
    namespace: NS,
    replicas: 1,
    labels: { app: 'plain' },
    meshed: false,
    image: 'docker.io/library/nginx:1.27',
    containerPorts: [{ name: 'http', port: 80 }],
  });
  return { ...scenario, name: 'emojivoto-proxy-logs', podReadyDelayMs: 0, deployments };
}

/** Running pods of a deployment (by its app label), sorted by name. */
export function runningPods(store: ObjectStore, app: string, ns = NS): string[] {
  return (store.list(POD, { namespace: ns, labelSelector: `app=${app}` }).items as Pod[])
    .filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name!)
    .sort();
}
