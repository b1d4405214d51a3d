import { DEFAULT_KINDS } from '../../../../src/sandbox/kube/kinds.js';
import type { KindSpec, KubeObject } from '../../../../src/sandbox/kube/store-types.js';
import { humanDuration, toTable } from '../../../../src/sandbox/kube/table-printer.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const CREATED = '2026-11-23T11:55:00Z';

function kind(plural: string, group = ''): KindSpec {
  const spec = DEFAULT_KINDS.find((k) => k.plural === plural && k.group === group);
  if (!spec) throw new Error(`no kind ${plural}`);
  return spec;
}

function obj(
  kindName: string,
  name: string,
  rest: Record<string, unknown> = {},
  meta: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: kindName,
    metadata: { name, namespace: 'ns', creationTimestamp: CREATED, ...meta },
    ...rest,
  };
}

describe('table printer', () => {
  it('formats ages as HumanDuration', () => {
    expect(humanDuration(-5000)).toBe('<invalid>');
    expect(humanDuration(45_000)).toBe('45s');
    expect(humanDuration(119_000)).toBe('119s');
    expect(humanDuration(5 * 60_000 + 10_000)).toBe('5m10s');
    expect(humanDuration(30 * 60_000)).toBe('30m');
    expect(humanDuration(5 * 3600_000 + 20 * 60_000)).toBe('5h20m');
    expect(humanDuration(30 * 3600_000)).toBe('30h');
    expect(humanDuration(3 * 86400_000 + 4 * 3600_000)).toBe('3d4h');
    expect(humanDuration(100 * 86400_000)).toBe('100d');
    expect(humanDuration(3 * 365 * 86400_000 + 10 * 86400_000)).toBe('3y10d');
  });

  it('prints pods as kubectl shows them, Terminating when deleted', () => {
    const pod = obj(
      'Pod',
      'web-1',
      {
        spec: { nodeName: 'node-1', containers: [{ name: 'a' }, { name: 'b' }] },
        status: {
          phase: 'Running',
          podIP: '10.0.0.1',
          containerStatuses: [
            { name: 'a', ready: true, restartCount: 2, state: { running: {} } },
            { name: 'b', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } },
          ],
        },
      },
      {},
    );
    const table = toTable(kind('pods'), [pod], { now: NOW });
    expect(table.rows[0]?.cells).toEqual([
      'web-1',
      '1/2',
      'CrashLoopBackOff',
      '3',
      '5m',
      '10.0.0.1',
      'node-1',
      '<none>',
      '<none>',
    ]);
    expect(table.rows[0]?.object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: pod.metadata,
    });
    const deleting = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: CREATED } };
    expect(toTable(kind('pods'), [deleting], { now: NOW }).rows[0]?.cells[2]).toBe('Terminating');
    expect(toTable(kind('pods'), [pod], { include: 'None', now: NOW }).rows[0]?.object).toBeUndefined();
  });

  it('prints at most three endpoints, then how many more', () => {
    const ep = obj('Endpoints', 'svc', {
      subsets: [
        { addresses: ['1', '2', '3', '4', '5'].map((n) => ({ ip: `10.0.0.${n}` })), ports: [{ port: 80 }] },
      ],
    });
    expect(toTable(kind('endpoints'), [ep], { now: NOW }).rows[0]?.cells).toEqual([
      'svc',
      '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...',
      '5m',
    ]);
    expect(toTable(kind('endpoints'), [obj('Endpoints', 'empty')], { now: NOW }).rows[0]?.cells[1]).toBe(
      '<none>',
    );
  });

  it('prints services with node ports and load balancers', () => {
    const lb = obj('Service', 'lb', {
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.1',
        ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
      },
      status: { loadBalancer: {} },
    });
    expect(toTable(kind('services'), [lb], { now: NOW }).rows[0]?.cells.slice(0, 5)).toEqual([
      'lb',
      'LoadBalancer',
      '10.96.0.1',
      '<pending>',
      '80:30080/TCP',
    ]);
  });

  it('falls back to NAME and AGE, and prints events without NAME', () => {
    const cm = toTable(
      kind('leases', 'coordination.k8s.io'),
      [obj('Lease', 'leader', { spec: { holderIdentity: 'meshbot-0' } })],
      {
        now: NOW,
      },
    );
    expect(cm.rows[0]?.cells).toEqual(['leader', 'meshbot-0', '5m']);
    const ev = obj('Event', 'web.1', {
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed',
      involvedObject: { kind: 'Pod', name: 'web-1' },
      lastTimestamp: '2026-11-23T11:59:00Z',
    });
    expect(toTable(kind('events'), [ev], { now: NOW }).rows[0]?.cells).toEqual([
      '60s',
      'Warning',
      'Unhealthy',
      'pod/web-1',
      'Readiness probe failed',
    ]);
  });

  it('prints deployments with their selector in the wide columns', () => {
    const d = toTable(
      kind('deployments', 'apps'),
      [
        obj('Deployment', 'web', {
          spec: {
            replicas: 3,
            selector: {
              matchLabels: { app: 'web' },
              matchExpressions: [
                { key: 'tier', operator: 'In', values: ['b', 'a'] },
                { key: 'canary', operator: 'DoesNotExist' },
              ],
            },
            template: { spec: { containers: [{ name: 'web', image: 'web:v1' }] } },
          },
          status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
        }),
      ],
      { now: NOW },
    );
    expect(d.rows[0]?.cells).toEqual([
      'web',
      '2/3',
      3,
      2,
      '5m',
      'web',
      'web:v1',
      'app=web,!canary,tier in (a,b)',
    ]);
  });

  it('prints daemonsets as kubectl does: desired, current, ready, up-to-date, available, node selector', () => {
    const ds = toTable(
      kind('daemonsets', 'apps'),
      [
        obj('DaemonSet', 'node-agent', {
          spec: {
            selector: { matchLabels: { app: 'node-agent' } },
            template: {
              spec: {
                nodeSelector: { 'kubernetes.io/os': 'linux' },
                containers: [{ name: 'agent', image: 'agent:v1' }],
              },
            },
          },
          status: {
            desiredNumberScheduled: 3,
            currentNumberScheduled: 3,
            numberReady: 2,
            updatedNumberScheduled: 3,
            numberAvailable: 2,
          },
        }),
      ],
      { now: NOW },
    );
    expect(ds.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    expect(ds.rows[0]?.cells).toEqual([
      'node-agent',
      3,
      3,
      2,
      3,
      2,
      'kubernetes.io/os=linux',
      '5m',
      'agent',
      'agent:v1',
      'app=node-agent',
    ]);
  });
});
