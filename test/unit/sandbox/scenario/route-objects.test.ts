import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import { applyScenario } from '../../../../src/sandbox/scenario/apply-scenario.js';
import { parseScenario, ScenarioError } from '../../../../src/sandbox/scenario/load-scenario.js';

const web = { name: 'web', namespace: 'emojivoto', meshed: true };
const svc = (name: string) => ({
  name,
  namespace: 'emojivoto',
  selector: { app: name },
  ports: [{ port: 80 }],
});

function problemsOf(input: unknown): string[] {
  try {
    parseScenario(input, 'test');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems;
  }
  throw new Error('expected the scenario to be refused');
}

describe('route objects in scenarios', () => {
  it('creates a ServiceProfile named for the service and HTTPRoutes with the Service as parent', () => {
    const scenario = parseScenario(
      {
        name: 'routes',
        deployments: [web],
        services: [svc('web-svc'), svc('api-svc')],
        serviceProfiles: [
          {
            service: 'web-svc',
            namespace: 'emojivoto',
            routes: [{ name: 'GET /a', method: 'GET', pathRegex: '/a' }],
          },
        ],
        httpRoutes: [
          { name: 'api', namespace: 'emojivoto', parent: 'api-svc', port: 80, matches: [{ path: '/v1' }] },
          { name: 'api-l5d', namespace: 'emojivoto', group: 'policy.linkerd.io', parent: 'api-svc' },
        ],
        traffic: [
          { from: 'web', namespace: 'emojivoto', to: 'web-svc', route: 'GET /a', rps: 1 },
          { from: 'web', namespace: 'emojivoto', to: 'api-svc', route: 'api-l5d', rps: 1 },
        ],
      },
      'test',
    );
    const store = createObjectStore();
    applyScenario(store, scenario);
    const sp = store.get(
      { apiVersion: 'linkerd.io/v1alpha2', kind: 'ServiceProfile' },
      'emojivoto',
      'web-svc.emojivoto.svc.cluster.local',
    );
    expect(sp?.spec).toEqual({ routes: [{ name: 'GET /a', condition: { method: 'GET', pathRegex: '/a' } }] });
    const gw = store.get(
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
      'emojivoto',
      'api',
    );
    expect(gw?.spec).toEqual({
      parentRefs: [{ group: 'core', kind: 'Service', name: 'api-svc', namespace: 'emojivoto', port: 80 }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/v1' } }],
          backendRefs: [{ name: 'api-svc', port: 80 }],
        },
      ],
    });
    expect(
      store.get({ apiVersion: 'policy.linkerd.io/v1beta3', kind: 'HTTPRoute' }, 'emojivoto', 'api-l5d'),
    ).toBeDefined();
  });

  it('refuses routes of services the scenario does not have, and edge routes no object defines', () => {
    expect(
      problemsOf({
        name: 'routes',
        deployments: [web],
        services: [svc('web-svc')],
        serviceProfiles: [
          { service: 'ghost-svc', namespace: 'emojivoto' },
          { service: 'web-svc', namespace: 'emojivoto', routes: [{ name: 'GET /a' }] },
          { service: 'web-svc', namespace: 'emojivoto' },
        ],
        httpRoutes: [{ name: 'x', namespace: 'emojivoto', parent: 'nope', matches: [{ method: 'FETCH' }] }],
        traffic: [{ from: 'web', namespace: 'emojivoto', to: 'web-svc', route: 'GET /b', rps: 1 }],
      }),
    ).toEqual([
      'httpRoutes[0].matches[0].method: expected an HTTP method: GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH, got "FETCH"',
    ]);
    expect(
      problemsOf({
        name: 'routes',
        deployments: [web],
        services: [svc('web-svc')],
        serviceProfiles: [
          { service: 'ghost-svc', namespace: 'emojivoto' },
          { service: 'web-svc', namespace: 'emojivoto', routes: [{ name: 'GET /a' }] },
          { service: 'web-svc', namespace: 'emojivoto' },
        ],
        httpRoutes: [{ name: 'x', namespace: 'emojivoto', parent: 'nope' }],
        traffic: [{ from: 'web', namespace: 'emojivoto', to: 'web-svc', route: 'GET /b', rps: 1 }],
      }),
    ).toEqual([
      'serviceProfiles[0].service: expected a service of this scenario in namespace "emojivoto", got "ghost-svc"',
      'serviceProfiles[2].service: expected one ServiceProfile per service, got a second for "web-svc"',
      'httpRoutes[0].parent: expected a service of this scenario in namespace "emojivoto", got "nope"',
      'traffic[0].route: expected a route of service web-svc.emojivoto (a serviceProfiles route or an httpRoutes entry with it as parent), got "GET /b"',
    ]);
  });
});
