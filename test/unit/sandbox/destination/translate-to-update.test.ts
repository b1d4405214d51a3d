import {
  addressesForPort,
  diffByKey,
  resolveTargetPort,
} from '../../../../src/sandbox/destination/address-set.js';
import {
  parseEndpointSlice,
  parsePod,
  parseService,
  type PodInfo,
  type ServiceInfo,
  type SliceInfo,
} from '../../../../src/sandbox/destination/kube-objects.js';
import {
  DEFAULT_TRANSLATE_OPTIONS,
  ownerOf,
  podMetricLabels,
  toWeightedAddr,
} from '../../../../src/sandbox/destination/translate-to-update.js';

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('did not parse');
  return value;
}

const service: ServiceInfo = must(
  parseService({
    metadata: { name: 'web-svc', namespace: 'emojivoto', resourceVersion: '5' },
    spec: {
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'admin', port: 9990, targetPort: 9990 },
      ],
    },
  }),
);

function pod(name: string, ip: string, meshed: boolean): PodInfo {
  return must(
    parsePod({
      metadata: {
        name,
        namespace: 'emojivoto',
        labels: {
          app: 'web',
          'pod-template-hash': '5f7d8c9b6',
          ...(meshed
            ? { 'linkerd.io/control-plane-ns': 'linkerd', 'linkerd.io/proxy-deployment': 'web' }
            : {}),
        },
        annotations: meshed ? { 'linkerd.io/proxy-version': 'stable-2.14.10' } : {},
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5f7d8c9b6', uid: 'u', controller: true },
        ],
      },
      spec: { serviceAccountName: 'web', nodeName: 'node-1' },
      status: { podIP: ip },
    }),
  );
}

const pods = new Map<string, PodInfo>([
  ['emojivoto/web-a', pod('web-a', '10.244.0.5', true)],
  ['emojivoto/web-b', pod('web-b', '10.244.0.6', false)],
]);

const slice: SliceInfo = must(
  parseEndpointSlice({
    metadata: {
      name: 'web-svc-abcde',
      namespace: 'emojivoto',
      labels: { 'kubernetes.io/service-name': 'web-svc' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-23T18:00:00Z' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [
      {
        addresses: ['10.244.0.5'],
        conditions: { ready: true },
        nodeName: 'node-1',
        zone: 'zone-a',
        targetRef: { kind: 'Pod', name: 'web-a', namespace: 'emojivoto' },
      },
      {
        addresses: ['10.244.0.6'],
        conditions: {},
        targetRef: { kind: 'Pod', name: 'web-b', namespace: 'emojivoto' },
      },
      {
        addresses: ['10.244.0.7'],
        conditions: { ready: false },
        targetRef: { kind: 'Pod', name: 'web-c', namespace: 'emojivoto' },
      },
      {
        addresses: ['10.244.0.8'],
        conditions: { ready: true },
        targetRef: { kind: 'Pod', name: 'web-not-seen-yet', namespace: 'emojivoto' },
      },
    ],
  }),
);

describe('slice + pods -> addresses', () => {
  it('parses the trigger time as the change time', () => {
    expect(slice.changedAt).toBe(Date.parse('2026-11-23T18:00:00Z'));
  });

  it('resolves the target port through the slice port named like the service port', () => {
    expect(resolveTargetPort(service, 80, slice)).toBe(8080);
    expect(resolveTargetPort(service, 9990, slice)).toBe(9990);
    expect(resolveTargetPort(undefined, 1234, slice)).toBe(1234);
  });

  it('keeps ready addresses (absent condition = ready) whose pods are known', () => {
    const found = addressesForPort(service, 80, [slice], (key) => pods.get(key));
    expect([...found.keys()]).toEqual(['10.244.0.5:8080', '10.244.0.6:8080']);
  });

  it('translates a meshed pod as the real controller does', () => {
    const found = addressesForPort(service, 80, [slice], (key) => pods.get(key));
    const meshed = toWeightedAddr(must(found.get('10.244.0.5:8080')), DEFAULT_TRANSLATE_OPTIONS);
    expect(meshed).toEqual({
      addr: { ip: { ipv4: 0x0af40005 }, port: 8080 },
      weight: 10000,
      metric_labels: {
        pod: 'web-a',
        deployment: 'web',
        serviceaccount: 'web',
        control_plane_ns: 'linkerd',
        pod_template_hash: '5f7d8c9b6',
        zone: 'zone-a',
        zone_locality: 'unknown',
      },
      tls_identity: {
        dns_like_identity: { name: 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local' },
        server_name: { name: 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local' },
      },
      protocol_hint: { h2: {} },
      resource_ref: { resource: { group: '', kind: 'Pod', name: 'web-a', namespace: 'emojivoto' } },
    });
  });

  it('gives an unmeshed pod no identity and no hint', () => {
    const found = addressesForPort(service, 80, [slice], (key) => pods.get(key));
    const plain = must(toWeightedAddr(must(found.get('10.244.0.6:8080')), DEFAULT_TRANSLATE_OPTIONS));
    expect(plain.tls_identity).toBeUndefined();
    expect(plain.protocol_hint).toBeUndefined();
    expect(plain.metric_labels).toEqual({
      pod: 'web-b',
      deployment: 'web',
      serviceaccount: 'web',
      pod_template_hash: '5f7d8c9b6',
      zone: '',
      zone_locality: 'unknown',
    });
  });

  it('says local/remote when the node zone is known', () => {
    const found = addressesForPort(service, 80, [slice], (key) => pods.get(key));
    const local = toWeightedAddr(must(found.get('10.244.0.5:8080')), {
      ...DEFAULT_TRANSLATE_OPTIONS,
      nodeZone: 'zone-a',
    });
    const remote = toWeightedAddr(must(found.get('10.244.0.5:8080')), {
      ...DEFAULT_TRANSLATE_OPTIONS,
      nodeZone: 'zone-b',
    });
    expect(local?.metric_labels.zone_locality).toBe('local');
    expect(remote?.metric_labels.zone_locality).toBe('remote');
  });
});

describe('owner labels', () => {
  const base = must(pod('x', '10.0.0.1', false));

  it('derives the deployment from a ReplicaSet named DEPLOYMENT-HASH', () => {
    expect(ownerOf(base)).toEqual({ kind: 'deployment', name: 'web' });
  });

  it('keeps a ReplicaSet without the hash', () => {
    expect(ownerOf({ ...base, labels: {} })).toEqual({ kind: 'replicaset', name: 'web-5f7d8c9b6' });
  });

  it('uses the pod itself without or with several owners', () => {
    expect(ownerOf({ ...base, ownerReferences: [] })).toEqual({ kind: 'pod', name: 'x' });
    expect(
      ownerOf({
        ...base,
        ownerReferences: [
          { kind: 'StatefulSet', name: 'a', controller: true },
          { kind: 'Other', name: 'b', controller: false },
        ],
      }),
    ).toEqual({ kind: 'pod', name: 'x' });
  });

  it('labels jobs k8s_job and other kinds by their lower-case kind', () => {
    const job = {
      ...base,
      labels: {},
      ownerReferences: [{ kind: 'Job', name: 'migrate', controller: true }],
    };
    expect(podMetricLabels(job, DEFAULT_TRANSLATE_OPTIONS)).toMatchObject({ k8s_job: 'migrate' });
    const sts = {
      ...base,
      labels: {},
      ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }],
    };
    expect(podMetricLabels(sts, DEFAULT_TRANSLATE_OPTIONS)).toMatchObject({ statefulset: 'db' });
  });
});

describe('diffByKey', () => {
  it('adds new and changed entries, removes gone ones', () => {
    const before = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    const after = new Map([
      ['b', 3],
      ['c', 4],
    ]);
    expect(diffByKey(before, after, (x, y) => x === y)).toEqual({ added: [3, 4], removed: [1] });
  });
});
