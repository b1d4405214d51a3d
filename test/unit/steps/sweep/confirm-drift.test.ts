import type { KubePod, KubeService } from '../../../../src/adapters/kube/kube-adapter.js';
import type { Finding } from '../../../../src/domain/step-result.js';
import { fingerprintOf } from '../../../../src/drift/fingerprint.js';
import {
  confirmDrift,
  driftFindings,
  groupPortFindings,
  versionsChanged,
} from '../../../../src/steps/sweep/confirm-drift.js';
import { meshedServices } from '../../../../src/steps/sweep/meshed-services.js';

const stale = (address: string): Finding => ({
  severity: 'fail',
  code: 'stale-in-destination',
  subject: address,
  message: `${address} is stale`,
  hint: 'restart',
});

describe('confirmDrift', () => {
  it('keeps what both looks saw while Kubernetes stood still', () => {
    const a = stale('10.0.0.1:80');
    const b = stale('10.0.0.2:80');
    expect(confirmDrift([a, b], [b], false)).toEqual([b]);
  });
  it('confirms nothing when Kubernetes changed in between (a rollout in flight)', () => {
    const a = stale('10.0.0.1:80');
    expect(confirmDrift([a], [a], true)).toEqual([]);
  });
  it('does not confirm a difference seen only at the second look', () => {
    expect(confirmDrift([], [stale('10.0.0.1:80')], false)).toEqual([]);
  });
});

describe('versionsChanged', () => {
  it('compares slice versions', () => {
    expect(versionsChanged(['a@1', 'b@2'], ['a@1', 'b@2'])).toBe(false);
    expect(versionsChanged(['a@1'], ['a@2'])).toBe(true);
    expect(versionsChanged(['a@1'], ['a@1', 'b@1'])).toBe(true);
  });
});

describe('driftFindings', () => {
  it('leaves out the workload state both sides agree on', () => {
    const notReady: Finding = { severity: 'warn', code: 'not-ready-endpoint', message: 'x' };
    expect(driftFindings([notReady, stale('1.1.1.1:1')]).map((f) => f.code)).toEqual([
      'stale-in-destination',
    ]);
  });
});

describe('groupPortFindings', () => {
  it('makes one fingerprinted finding per kind and port, listing the addresses', () => {
    const [f, ...rest] = groupPortFindings('prod', 'web.shop', 80, [
      stale('10.0.0.2:80'),
      stale('10.0.0.1:80'),
    ]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      kind: 'stale-in-destination',
      subject: 'web.shop:80',
      cluster: 'prod',
      addresses: ['10.0.0.1:80', '10.0.0.2:80'],
      fingerprint: fingerprintOf('prod', 'stale-in-destination', 'web.shop:80'),
      message: '10.0.0.2:80 is stale (and 1 more address)',
      hint: 'restart',
    });
  });
  it('gives other clusters other fingerprints', () => {
    expect(fingerprintOf('a', 'k', 's')).not.toBe(fingerprintOf('b', 'k', 's'));
    expect(fingerprintOf('a', 'k', 's')).toMatch(/^[0-9a-f]{16}$/);
  });
});

const svc = (name: string, namespace: string, extra: Partial<KubeService> = {}): KubeService => ({
  name,
  namespace,
  type: 'ClusterIP',
  headless: false,
  selector: { app: name },
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  labels: {},
  ...extra,
});
const pod = (name: string, namespace: string, labels: Record<string, string>): KubePod => ({
  name,
  namespace,
  phase: 'Running',
  ready: true,
  ips: [],
  deleting: false,
  labels,
  containerPorts: [],
});

describe('meshedServices', () => {
  it('takes services with a meshed pod, or in an injected namespace, and leaves out what cannot be compared', () => {
    const services = [
      svc('web', 'a'),
      svc('plain', 'a'),
      svc('empty', 'b'),
      svc('headless', 'b', { headless: true }),
      svc('ext', 'b', { type: 'ExternalName' }),
      svc('manual', 'a', { selector: {} }),
    ];
    const pods = [
      pod('web-1', 'a', { app: 'web', 'linkerd.io/control-plane-ns': 'linkerd' }),
      pod('plain-1', 'a', { app: 'plain' }),
      pod('manual-1', 'a', { 'linkerd.io/control-plane-ns': 'linkerd' }),
    ];
    const names = meshedServices({
      services,
      pods,
      injectedNamespaces: new Set(['b']),
      endpointsOf: (_ns, s) =>
        s === 'manual'
          ? [
              {
                ip: '1.1.1.1',
                port: 80,
                portName: 'http',
                protocol: 'TCP',
                ready: true,
                serving: true,
                terminating: false,
                pod: 'manual-1',
                from: 'x',
              },
            ]
          : [],
    }).map((s) => s.name);
    expect(names).toEqual(['web', 'empty', 'manual']);
  });
});
