import { parseScenario } from '../../../../src/sandbox/scenario/load-scenario.js';
import {
  callsByWorkload,
  DEFAULT_TRAFFIC,
  trafficModelOf,
} from '../../../../src/sandbox/traffic/traffic-model.js';

const base = {
  name: 't',
  linkerd: {},
  deployments: [
    { name: 'web', namespace: 'shop', meshed: true },
    { name: 'api', namespace: 'shop', meshed: true, traffic: { rps: 3 } },
    { name: 'legacy', namespace: 'shop', meshed: false },
  ],
  services: [
    { name: 'api-svc', namespace: 'shop', selector: { app: 'api' }, ports: [{ port: 8080 }, { port: 9090 }] },
    { name: 'db', namespace: 'data', selector: { app: 'db' }, ports: [{ port: 5432 }] },
  ],
};

describe('trafficModelOf', () => {
  it('without edges: outside traffic to every meshed workload (its own, else the default), no callers', () => {
    const model = trafficModelOf(parseScenario(base, 'test'));
    expect(model.edges).toEqual([
      { workload: 'shop/web', spec: DEFAULT_TRAFFIC },
      { workload: 'shop/api', spec: { rps: 3, successRate: 1, latencyMs: { p50: 10, p99: 50 } } },
    ]);
    expect(callsByWorkload(model).size).toBe(0);
  });

  it("with edges: exactly the edges (port defaulting to the service's first), plus workloads' own outside traffic", () => {
    const model = trafficModelOf(
      parseScenario(
        {
          ...base,
          traffic: [
            { from: 'web', namespace: 'shop', to: 'api-svc', rps: 5, route: 'GET /items' },
            { from: 'api', namespace: 'shop', to: 'db.data', port: 5432, rps: 7 },
            { from: 'web', namespace: 'shop', to: 'api-svc', rps: 1 },
            { from: 'legacy', namespace: 'shop', to: 'api-svc', port: 9090, rps: 2 },
          ],
          serviceProfiles: [{ service: 'api-svc', namespace: 'shop', routes: [{ name: 'GET /items' }] }],
        },
        'test',
      ),
    );
    expect(model.edges.map((e) => [e.from, e.workload, e.service, e.route, e.spec.rps])).toEqual([
      [undefined, 'shop/api', undefined, undefined, 3],
      ['shop/web', undefined, { namespace: 'shop', name: 'api-svc', port: 8080 }, 'GET /items', 5],
      ['shop/api', undefined, { namespace: 'data', name: 'db', port: 5432 }, undefined, 7],
      ['shop/web', undefined, { namespace: 'shop', name: 'api-svc', port: 8080 }, undefined, 1],
      // An unmeshed caller has no proxy: inbound metrics only, no subscription.
      [undefined, undefined, { namespace: 'shop', name: 'api-svc', port: 9090 }, undefined, 2],
    ]);
    // Each calling workload subscribes once per service port.
    expect(Object.fromEntries(callsByWorkload(model))).toEqual({
      'shop/web': [{ namespace: 'shop', name: 'api-svc', port: 8080 }],
      'shop/api': [{ namespace: 'data', name: 'db', port: 5432 }],
    });
  });
});
