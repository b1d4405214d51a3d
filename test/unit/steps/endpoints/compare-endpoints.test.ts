import type { KubePod } from '../../../../src/adapters/kube/kube-adapter.js';
import {
  attributeAddress,
  diffPort,
  findingsForAnswer,
  findingsForPort,
} from '../../../../src/steps/endpoints/compare-endpoints.js';
import type {
  DestinationEndpointRow,
  KubernetesEndpointRow,
  PortComparison,
} from '../../../../src/steps/endpoints/endpoints-data.js';

const k = (ip: string, pod: string, state: Partial<KubernetesEndpointRow> = {}): KubernetesEndpointRow => ({
  address: `${ip}:8080`,
  ip,
  port: 8080,
  pod,
  ready: true,
  serving: true,
  terminating: false,
  ...state,
});
const d = (ip: string, pod?: string): DestinationEndpointRow => ({
  address: `${ip}:8080`,
  ip,
  port: 8080,
  labels: pod ? { pod } : {},
  ...(pod ? { pod } : {}),
});
const pod = (name: string, ip: string, extra: Partial<KubePod> = {}): KubePod => ({
  name,
  namespace: 'emojivoto',
  phase: 'Running',
  ready: true,
  ip,
  ips: [ip],
  deleting: false,
  labels: {},
  containerPorts: [],
  ...extra,
});

function port(kubernetes: KubernetesEndpointRow[], destination: DestinationEndpointRow[]): PortComparison {
  return {
    port: 80,
    name: 'http',
    targetPort: 8080,
    protocol: 'TCP',
    authority: 'web-svc.emojivoto.svc.cluster.local:80',
    kubernetes,
    destination: { answer: 'answered', endpoints: destination, updates: [] },
    diff: diffPort(kubernetes, destination),
  };
}

describe('diffPort', () => {
  it('finds identical sets', () => {
    const diff = diffPort([k('10.0.0.1', 'a'), k('10.0.0.2', 'b')], [d('10.0.0.2'), d('10.0.0.1')]);
    expect(diff).toEqual({
      matching: ['10.0.0.1:8080', '10.0.0.2:8080'],
      staleInDestination: [],
      missingFromDestination: [],
      notReady: [],
    });
  });
  it('finds stale, missing and not-ready addresses', () => {
    const diff = diffPort(
      [k('10.0.0.1', 'a'), k('10.0.0.3', 'c'), k('10.0.0.4', 'd', { ready: false })],
      [d('10.0.0.1'), d('10.0.0.2'), d('10.0.0.4')],
    );
    expect(diff.matching).toEqual(['10.0.0.1:8080']);
    expect(diff.staleInDestination).toEqual(['10.0.0.2:8080', '10.0.0.4:8080']);
    expect(diff.missingFromDestination).toEqual(['10.0.0.3:8080']);
    expect(diff.notReady).toEqual(['10.0.0.4:8080']);
  });
  it('compares nothing when the destination could not be asked', () => {
    expect(diffPort([k('10.0.0.1', 'a')], undefined).missingFromDestination).toEqual([]);
  });
});

describe('attributeAddress', () => {
  const selector = new Set(['web-1', 'web-2']);
  it('names a deleted pod when nobody owns the IP', () => {
    expect(attributeAddress('10.0.0.9', [pod('web-1', '10.0.0.1')], selector)).toEqual({ kind: 'no-pod' });
  });
  it('ignores finished pods', () => {
    expect(
      attributeAddress('10.0.0.9', [pod('job', '10.0.0.9', { phase: 'Succeeded' })], selector).kind,
    ).toBe('no-pod');
  });
  it('knows a terminating pod, a pod of the service and a reused IP', () => {
    expect(attributeAddress('10.0.0.1', [pod('web-1', '10.0.0.1', { deleting: true })], selector).kind).toBe(
      'terminating-pod',
    );
    expect(attributeAddress('10.0.0.2', [pod('web-2', '10.0.0.2')], selector).kind).toBe('service-pod');
    expect(attributeAddress('10.0.0.3', [pod('db-0', '10.0.0.3')], selector).kind).toBe('other-pod');
  });
});

describe('findingsForPort', () => {
  const base = { service: 'web-svc.emojivoto', selectorPods: new Set(['web-1', 'web-2']) };

  it('has nothing to say about identical sets', () => {
    expect(
      findingsForPort({ ...base, port: port([k('10.0.0.1', 'web-1')], [d('10.0.0.1')]), pods: [] }),
    ).toEqual([]);
  });

  it('names a stale IP and attributes it to a deleted pod', () => {
    const f = findingsForPort({
      ...base,
      port: port([k('10.0.0.1', 'web-1')], [d('10.0.0.1'), d('10.0.0.7', 'web-gone')]),
      pods: [pod('web-1', '10.0.0.1')],
    });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'fail', code: 'stale-in-destination', subject: '10.0.0.7:8080' });
    expect(f[0]?.message).toMatch(/belongs to no running pod: most likely a deleted pod/);
    expect(f[0]?.message).toMatch(/web-gone/);
  });

  it('treats a terminating owner as transient (warn)', () => {
    const f = findingsForPort({
      ...base,
      port: port([], [d('10.0.0.2', 'web-2')]),
      pods: [pod('web-2', '10.0.0.2', { deleting: true })],
    });
    expect(f[0]).toMatchObject({ severity: 'warn', code: 'terminating-in-destination' });
  });

  it('warns about an address listed as terminating but still served', () => {
    const f = findingsForPort({
      ...base,
      port: port([k('10.0.0.2', 'web-2', { ready: false, terminating: true })], [d('10.0.0.2', 'web-2')]),
      pods: [],
    });
    expect(f.map((x) => x.code)).toEqual(['terminating-in-destination']);
  });

  it('fails on an IP reused by another workload', () => {
    const f = findingsForPort({ ...base, port: port([], [d('10.0.0.3')]), pods: [pod('db-0', '10.0.0.3')] });
    expect(f[0]).toMatchObject({ severity: 'fail', code: 'stale-in-destination' });
    expect(f[0]?.message).toMatch(/db-0, outside the service/);
  });

  it('fails on a ready endpoint missing from the destination', () => {
    const f = findingsForPort({
      ...base,
      port: port([k('10.0.0.1', 'web-1'), k('10.0.0.5', 'web-5')], [d('10.0.0.1')]),
      pods: [],
    });
    expect(f).toEqual([
      expect.objectContaining({
        severity: 'fail',
        code: 'missing-from-destination',
        subject: '10.0.0.5:8080',
      }),
    ]);
    expect(f[0]?.message).toMatch(/web-5/);
  });

  it('warns about not-ready endpoints and notes terminating ones', () => {
    const f = findingsForPort({
      ...base,
      port: port(
        [
          k('10.0.0.1', 'web-1', { ready: false }),
          k('10.0.0.2', 'web-2', { ready: false, terminating: true }),
        ],
        [],
      ),
      pods: [],
    });
    expect(f.map((x) => [x.code, x.severity])).toEqual([
      ['not-ready-endpoint', 'warn'],
      ['terminating-endpoint', 'info'],
    ]);
  });
});

describe('findingsForAnswer', () => {
  const p = port([], []);
  it('fails when the destination does not know an existing service', () => {
    const f = findingsForAnswer(
      'web-svc.emojivoto',
      { ...p, destination: { answer: 'unknown-service', endpoints: [], updates: [] } },
      0,
    );
    expect(f[0]).toMatchObject({ severity: 'fail', code: 'unknown-to-destination' });
  });
  it('warns about a service without endpoints on both sides', () => {
    const f = findingsForAnswer(
      'web-svc.emojivoto',
      { ...p, destination: { answer: 'no-endpoints', endpoints: [], updates: [] } },
      0,
    );
    expect(f[0]).toMatchObject({ severity: 'warn', code: 'no-ready-endpoints' });
  });
  it('reports a destination that could not be asked as an error, with its hint', () => {
    const f = findingsForAnswer(
      'web-svc.emojivoto',
      {
        ...p,
        destination: {
          answer: 'unavailable',
          endpoints: [],
          updates: [],
          error: { kind: 'unreachable', message: 'down', hint: 'start it' },
        },
      },
      1,
    );
    expect(f[0]).toMatchObject({ severity: 'error', code: 'destination-unavailable', hint: 'start it' });
  });
});
