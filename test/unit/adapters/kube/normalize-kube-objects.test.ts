import {
  endpointSliceSchema,
  endpointsSchema,
  podSchema,
  serviceSchema,
} from '../../../../src/adapters/kube/kube-schemas.js';
import {
  endpointsFromSlices,
  endpointsFromV1Endpoints,
  toKubePod,
  toKubeService,
} from '../../../../src/adapters/kube/normalize-kube-objects.js';

describe('normalizing Kubernetes objects', () => {
  it('reads a Service: ports, selector, headless', () => {
    const svc = toKubeService(
      serviceSchema.parse({
        metadata: { name: 'web-svc', namespace: 'emojivoto' },
        spec: {
          clusterIP: 'None',
          selector: { app: 'web' },
          ports: [
            { port: 80, targetPort: 'http' },
            { name: 'grpc', port: 9090 },
          ],
        },
      }),
    );
    expect(svc).toMatchObject({ headless: true, type: 'ClusterIP', selector: { app: 'web' } });
    expect(svc.ports).toEqual([
      { name: '', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'grpc', port: 9090, protocol: 'TCP' },
    ]);
    expect(
      toKubeService(serviceSchema.parse({ metadata: { name: 'x' }, spec: { selector: {} } })).selector,
    ).toBeUndefined();
  });

  it('reads EndpointSlices per port, with conditions, and dedupes overlapping slices', () => {
    const slice = (name: string, ready: boolean | undefined) =>
      endpointSliceSchema.parse({
        metadata: { name },
        addressType: 'IPv4',
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'grpc', port: 9090 },
        ],
        endpoints: [
          {
            addresses: ['10.0.0.1'],
            conditions: ready === undefined ? undefined : { ready, serving: ready, terminating: !ready },
            targetRef: { kind: 'Pod', name: 'web-1' },
            nodeName: 'node-1',
            zone: 'a',
          },
        ],
      });
    const eps = endpointsFromSlices([slice('s1', false), slice('s2', true), slice('fqdn', undefined)]);
    expect(eps).toHaveLength(2);
    expect(eps.find((e) => e.portName === 'http')).toMatchObject({
      ip: '10.0.0.1',
      port: 8080,
      ready: true,
      pod: 'web-1',
      node: 'node-1',
      zone: 'a',
    });
    expect(endpointsFromSlices([slice('only', undefined)])[0]).toMatchObject({
      ready: true,
      serving: true,
      terminating: false,
    });
    const fqdn = endpointSliceSchema.parse({
      metadata: { name: 'f' },
      addressType: 'FQDN',
      endpoints: [{ addresses: ['x.example'] }],
      ports: [{ port: 80 }],
    });
    expect(endpointsFromSlices([fqdn])).toEqual([]);
  });

  it('reads v1 Endpoints: ready and not-ready addresses', () => {
    const eps = endpointsFromV1Endpoints(
      endpointsSchema.parse({
        metadata: { name: 'web-svc' },
        subsets: [
          {
            addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'web-1' } }],
            notReadyAddresses: [{ ip: '10.0.0.2' }],
            ports: [{ port: 8080 }],
          },
        ],
      }),
    );
    expect(eps.map((e) => [e.ip, e.port, e.portName, e.ready, e.pod ?? ''])).toEqual([
      ['10.0.0.1', 8080, '', true, 'web-1'],
      ['10.0.0.2', 8080, '', false, ''],
    ]);
  });

  it('reads a Pod: readiness, IPs, deletion, owner', () => {
    const pod = toKubePod(
      podSchema.parse({
        metadata: {
          name: 'web-1',
          namespace: 'emojivoto',
          deletionTimestamp: new Date('2026-11-23T18:00:00Z'),
          ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7f9c', controller: true }],
        },
        spec: { nodeName: 'n1', containers: [{ ports: [{ name: 'http', containerPort: 8080 }] }] },
        status: {
          phase: 'Running',
          podIP: '10.0.0.1',
          podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }],
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      }),
    );
    expect(pod).toMatchObject({
      ready: true,
      ip: '10.0.0.1',
      ips: ['10.0.0.1', 'fd00::1'],
      deleting: true,
      deletionTimestamp: '2026-11-23T18:00:00.000Z',
      owner: { kind: 'ReplicaSet', name: 'web-7f9c' },
      containerPorts: [{ name: 'http', port: 8080 }],
    });
  });
});
