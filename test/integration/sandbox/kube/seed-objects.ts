/**
 * Objects seeded straight into the store for the API server tests: namespace `emojivoto`
 * with a `web` deployment, two running pods, the `web-svc` service, its endpoints and slice.
 */
import type { KubeObject, ObjectStore } from '../../../../src/sandbox/kube/store-types.js';

export function podObject(
  name: string,
  ip: string,
  opts: { ready?: boolean; node?: string } = {},
): KubeObject {
  const ready = opts.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'emojivoto', labels: { app: 'web-svc', 'pod-template-hash': '5f7d9' } },
    spec: {
      nodeName: opts.node ?? 'node-1',
      containers: [
        { name: 'web-svc', image: 'buoyantio/emojivoto-web:v11', ports: [{ containerPort: 8080 }] },
      ],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'web-svc',
          ready,
          restartCount: 0,
          image: 'buoyantio/emojivoto-web:v11',
          state: { running: { startedAt: '2026-11-23T10:00:00Z' } },
        },
      ],
    },
  };
}

export function seedEmojivoto(store: ObjectStore): void {
  store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'emojivoto' } });
  store.create(podObject('web-5f7d9-abcde', '10.244.0.11'));
  store.create(podObject('web-5f7d9-fghij', '10.244.0.12', { node: 'node-2' }));
  store.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web-svc', namespace: 'emojivoto' },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.20',
      selector: { app: 'web-svc' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    },
  });
  store.create({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web-svc', namespace: 'emojivoto' },
    subsets: [
      {
        addresses: [
          { ip: '10.244.0.11', targetRef: { kind: 'Pod', name: 'web-5f7d9-abcde', namespace: 'emojivoto' } },
          { ip: '10.244.0.12', targetRef: { kind: 'Pod', name: 'web-5f7d9-fghij', namespace: 'emojivoto' } },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ],
  });
  store.create({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'web-svc-x7k2p',
      namespace: 'emojivoto',
      labels: { 'kubernetes.io/service-name': 'web-svc' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [
      {
        addresses: ['10.244.0.11'],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', name: 'web-5f7d9-abcde', namespace: 'emojivoto' },
      },
      {
        addresses: ['10.244.0.12'],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', name: 'web-5f7d9-fghij', namespace: 'emojivoto' },
      },
    ],
  });
  store.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'emojivoto', labels: { app: 'web-svc' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web-svc' } },
      template: {
        metadata: { labels: { app: 'web-svc' } },
        spec: { containers: [{ name: 'web-svc', image: 'buoyantio/emojivoto-web:v11' }] },
      },
    },
    status: { replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 },
  });
}
