import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import { applyScenario } from '../../../../src/sandbox/scenario/apply-scenario.js';
import {
  builtinScenarioNames,
  loadScenario,
  parseScenario,
  parseScenarioYaml,
  ScenarioError,
} from '../../../../src/sandbox/scenario/load-scenario.js';
import { exitCodeForError, describeError } from '../../../../src/errors.js';

function problemsOf(input: unknown): string[] {
  try {
    parseScenario(input, 'test');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems;
  }
  throw new Error('expected the scenario to be refused');
}

const web = { name: 'web', namespace: 'emojivoto' };

describe('scenario schema errors', () => {
  it('names the field path, what is expected and what was given', () => {
    const problems = problemsOf({
      name: 'x',
      deployments: [
        web,
        { name: 'a', namespace: 'emojivoto' },
        { name: 'b', namespace: 'emojivoto', replicas: 'three' },
      ],
    });
    expect(problems).toEqual(['deployments[2].replicas: expected a whole number >= 0, got "three"']);
  });

  it('reports negative and fractional numbers, bad names and bad enums', () => {
    const problems = problemsOf({
      name: 'x',
      deployments: [
        { ...web, replicas: -1 },
        { ...web, name: 'Web_1', readyDelayMs: 1.5 },
      ],
      services: [{ name: 'svc', namespace: 'emojivoto', type: 'Ingress', ports: [{ port: 70000 }] }],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'deployments[0].replicas: expected a whole number >= 0, got -1',
        expect.stringMatching(
          /^deployments\[1\]\.name: expected a name \(lowercase letters, digits and '-'.*got "Web_1"$/,
        ),
        'deployments[1].readyDelayMs: expected a whole number >= 0, got 1.5',
        'services[0].type: expected ClusterIP, NodePort, LoadBalancer or ExternalName, got "Ingress"',
        'services[0].ports[0].port: expected a whole number from 1 to 65535, got 70000',
      ]),
    );
  });

  it('reports missing fields and unknown fields with a suggestion', () => {
    const problems = problemsOf({ name: 'x', deployments: [{ name: 'web', replica: 2 }] });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^deployments\[0\]\.namespace: expected a namespace name .*got nothing$/),
        'deployments[0]: unknown field "replica" (did you mean "replicas"?)',
      ]),
    );
    expect(problemsOf({ nam: 'x' })).toEqual(
      expect.arrayContaining([
        'name: expected a scenario name, got nothing',
        '(top level): unknown field "nam" (did you mean "name"?)',
      ]),
    );
  });

  it('lists the valid fault types for an unknown one', () => {
    expect(problemsOf({ name: 'x', faults: [{ type: 'freez', service: 'web.emojivoto' }] })).toEqual([
      'faults[0].type: expected a fault type, one of: freeze, lag, drop-removes, unavailable, slow-first, reset, got "freez"',
    ]);
    expect(problemsOf({ name: 'x', faults: [{ type: 'lag', service: 'web' }] })).toEqual(
      expect.arrayContaining([
        'faults[0].ms: expected a whole number of milliseconds (0 to 3600000), got nothing',
        'faults[0].service: expected a service as NAME.NAMESPACE (e.g. web-svc.emojivoto), got "web"',
      ]),
    );
  });

  it('checks across fields: duplicates, HPA targets, ExternalName, neverReady with crashLoop', () => {
    const problems = problemsOf({
      name: 'x',
      deployments: [web, web, { name: 'db', namespace: 'emojivoto', neverReady: true, crashLoop: true }],
      services: [{ name: 'ext', namespace: 'emojivoto', type: 'ExternalName' }],
      hpas: [
        { name: 'h', namespace: 'emojivoto', target: { kind: 'Deployment', name: 'nope' }, maxReplicas: 3 },
      ],
    });
    expect(problems).toEqual([
      'deployments[1].name: expected a unique name, got "web" (already used by deployments[0] in namespace "emojivoto")',
      'hpas[0].target: expected a Deployment of this scenario in namespace "emojivoto", got "nope"',
      'services[0].externalName: expected a DNS name for an ExternalName service, got nothing',
      'deployments[2].crashLoop: expected false when neverReady is true (a pod either never turns ready or crash-loops), got true',
    ]);
  });

  it('checks traffic edges: fields, the calling workload, the service and its port', () => {
    const problems = problemsOf({
      name: 'x',
      deployments: [web],
      services: [
        { name: 'web-svc', namespace: 'emojivoto', selector: { app: 'web' }, ports: [{ port: 80 }] },
      ],
      traffic: [
        { from: 'web', namespace: 'emojivoto', to: 'web-svc', rps: -1 },
        { from: 'web', namespace: 'emojivoto', to: 'Web_Svc', rps: 1, successRate: 2 },
        { from: 'ghost', namespace: 'emojivoto', to: 'nope.other', rps: 1 },
        {
          from: 'web',
          namespace: 'emojivoto',
          to: 'web-svc',
          port: 8080,
          rps: 1,
          latencyMs: { p50: 9, p99: 1 },
        },
        { from: 'web', namespace: 'emojivoto', to: 'web-svc', rps: 1, rate: 3 },
      ],
    });
    expect(problems).toEqual([
      'traffic[0].rps: expected rps >= 0, got -1',
      'traffic[1].to: expected a service: NAME or NAME.NAMESPACE, got "Web_Svc"',
      'traffic[1].successRate: expected successRate from 0 to 1, got 2',
      'traffic[3].latencyMs: expected latencyMs.p99 >= latencyMs.p50, got a map',
      'traffic[4]: unknown field "rate" (did you mean "route"?)',
    ]);
    const cross = problemsOf({
      name: 'x',
      deployments: [web],
      services: [
        { name: 'web-svc', namespace: 'emojivoto', selector: { app: 'web' }, ports: [{ port: 80 }] },
      ],
      traffic: [
        { from: 'ghost', namespace: 'emojivoto', to: 'nope.other', rps: 1 },
        { from: 'web', namespace: 'emojivoto', to: 'web-svc', port: 8080, rps: 1 },
      ],
      mesh: { churn: [{ workload: 'ghost', namespace: 'emojivoto', podsPerMinute: 6 }] },
    });
    expect(cross).toEqual([
      'mesh.churn[0].workload: expected a deployment or statefulset of this scenario in namespace "emojivoto", got "ghost"',
      'traffic[0].from: expected a deployment or statefulset of this scenario in namespace "emojivoto", got "ghost"',
      'traffic[0].to: expected a service of this scenario, got "nope.other" (no service nope in namespace "other")',
      'traffic[1].port: expected a port of service web-svc.emojivoto (80), got 8080',
    ]);
  });

  it('is a config error (exit code 2) whose message lists the problems, without a stack', () => {
    let caught: unknown;
    try {
      parseScenarioYaml(
        'name: x\ndeployments:\n  - name: web\n    namespace: emojivoto\n    replicas: three\n',
        'scenario file s.yaml',
      );
    } catch (err) {
      caught = err;
    }
    expect(exitCodeForError(caught)).toBe(2);
    expect(describeError(caught).message).toBe(
      'scenario file s.yaml is not a valid scenario:\n  deployments[0].replicas: expected a whole number >= 0, got "three"',
    );
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseScenarioYaml('name: x\ndeployments: [\n', 'f.yaml')).toThrow(
      /f\.yaml is not valid YAML:[\s\S]*line/,
    );
  });

  it('applies defaults', () => {
    const s = parseScenario({ name: 'x', deployments: [web], linkerd: {} });
    expect(s.deployments[0]).toEqual(
      expect.objectContaining({
        replicas: 1,
        meshed: false,
        neverReady: false,
        crashLoop: false,
        containerPorts: [],
      }),
    );
    expect(s.linkerd).toEqual(
      expect.objectContaining({
        namespace: 'linkerd',
        version: 'stable-2.14.10',
        clusterDomain: 'cluster.local',
      }),
    );
  });
});

describe('built-in scenarios', () => {
  it('lists and loads emojivoto and emojivoto-stale', () => {
    expect(builtinScenarioNames()).toEqual(expect.arrayContaining(['emojivoto', 'emojivoto-stale']));
    const s = loadScenario('emojivoto');
    expect(s.deployments.map((d) => d.name)).toEqual(['web', 'emoji', 'voting', 'vote-bot']);
    expect(s.deployments.every((d) => d.meshed)).toBe(true);
    expect(s.services.find((x) => x.name === 'web-svc')!.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http' },
    ]);
    expect(loadScenario('emojivoto-stale').faults).toEqual([
      { type: 'freeze', service: 'web-svc.emojivoto' },
    ]);
  });

  it('names the built-ins for an unknown name, and a missing file', () => {
    expect(() => loadScenario('nope')).toThrow(/unknown scenario "nope".*built-in scenarios: .*emojivoto/);
    expect(() => loadScenario('./missing.yaml')).toThrow(/scenario file \.\/missing\.yaml does not exist/);
  });

  it('applies to a store: control plane objects, CRDs, webhook, workloads, services', () => {
    const store = createObjectStore();
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    applyScenario(store, loadScenario('emojivoto'));
    const names = (apiVersion: string, kind: string, namespace?: string) =>
      store
        .list({ apiVersion, kind }, namespace ? { namespace } : {})
        .items.map((o) => o.metadata.name)
        .sort();
    expect(names('apps/v1', 'Deployment', 'linkerd')).toEqual([
      'linkerd-destination',
      'linkerd-identity',
      'linkerd-proxy-injector',
    ]);
    expect(names('apps/v1', 'Deployment', 'emojivoto')).toEqual(['emoji', 'vote-bot', 'voting', 'web']);
    expect(names('v1', 'Service', 'emojivoto')).toEqual(['emoji-svc', 'voting-svc', 'web-svc']);
    expect(names('v1', 'ConfigMap', 'linkerd')).toEqual(['linkerd-config', 'linkerd-identity-trust-roots']);
    expect(names('apiextensions.k8s.io/v1', 'CustomResourceDefinition')).toContain(
      'serviceprofiles.linkerd.io',
    );
    expect(names('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration')).toEqual([
      'linkerd-proxy-injector-webhook-config',
    ]);
    const dst = store.get({ apiVersion: 'apps/v1', kind: 'Deployment' }, 'linkerd', 'linkerd-destination')!;
    const labels = (dst['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template
      .metadata.labels;
    expect(labels).toEqual(
      expect.objectContaining({
        'linkerd.io/control-plane-component': 'destination',
        'linkerd.io/control-plane-ns': 'linkerd',
      }),
    );
    store.close();
  });

  it('names the scenario entry an object the store refuses came from', () => {
    const store = createObjectStore();
    const s = parseScenario({
      name: 'x',
      objects: [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }],
    });
    expect(() => applyScenario(store, s)).toThrow(/objects\[0\] \(Widget w\): /);
    store.close();
  });

  it('creates RBAC objects and ServiceAccounts listed in objects (what the API server enforces)', () => {
    const store = createObjectStore();
    const s = parseScenario({
      name: 'x',
      namespaces: ['meshbot'],
      objects: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'meshbot', namespace: 'meshbot' } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'pod-reader' },
          rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'meshbot-pod-reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'meshbot', namespace: 'meshbot' }],
        },
      ],
    });
    applyScenario(store, s);
    expect(
      store.get(
        { group: 'rbac.authorization.k8s.io', plural: 'clusterrolebindings' },
        undefined,
        'meshbot-pod-reader',
      ),
    ).toBeDefined();
    expect(store.get({ group: '', plural: 'serviceaccounts' }, 'meshbot', 'meshbot')).toBeDefined();
    store.close();
  });
});

const meshedWeb = { ...web, meshed: true };
const routedSvc = (name: string) => ({
  name,
  namespace: 'emojivoto',
  selector: { app: name },
  ports: [{ port: 80 }],
});

describe('route objects in scenarios', () => {
  it('creates a ServiceProfile named for the service and HTTPRoutes with the Service as parent', () => {
    const scenario = parseScenario(
      {
        name: 'routes',
        linkerd: {},
        deployments: [meshedWeb],
        services: [routedSvc('web-svc'), routedSvc('api-svc')],
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

  it('creates GRPCRoutes (gateway.networking.k8s.io/v1) with the Service as parent and method matches', () => {
    const scenario = parseScenario(
      {
        name: 'grpc-routes',
        linkerd: { crds: ['grpcroutes.gateway.networking.k8s.io'] },
        deployments: [meshedWeb],
        services: [routedSvc('api-svc')],
        grpcRoutes: [
          {
            name: 'list',
            namespace: 'emojivoto',
            parent: 'api-svc',
            port: 80,
            matches: [{ service: 'emoji.v1.EmojiService', method: 'ListAll' }],
          },
        ],
        traffic: [{ from: 'web', namespace: 'emojivoto', to: 'api-svc', route: 'list', rps: 1 }],
      },
      'test',
    );
    const store = createObjectStore();
    applyScenario(store, scenario);
    const route = store.get(
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute' },
      'emojivoto',
      'list',
    );
    expect(route?.spec).toEqual({
      parentRefs: [{ group: 'core', kind: 'Service', name: 'api-svc', namespace: 'emojivoto', port: 80 }],
      rules: [
        {
          matches: [{ method: { type: 'Exact', service: 'emoji.v1.EmojiService', method: 'ListAll' } }],
          backendRefs: [{ name: 'api-svc', port: 80 }],
        },
      ],
    });
  });

  it('refuses routes of services the scenario does not have, and edge routes no object defines', () => {
    const bad = {
      name: 'routes',
      linkerd: {},
      deployments: [meshedWeb],
      services: [routedSvc('web-svc')],
      serviceProfiles: [
        { service: 'ghost-svc', namespace: 'emojivoto' },
        { service: 'web-svc', namespace: 'emojivoto', routes: [{ name: 'GET /a' }] },
        { service: 'web-svc', namespace: 'emojivoto' },
      ],
      httpRoutes: [{ name: 'x', namespace: 'emojivoto', parent: 'nope' }],
      grpcRoutes: [{ name: 'y', namespace: 'emojivoto', parent: 'gone' }],
      traffic: [{ from: 'web', namespace: 'emojivoto', to: 'web-svc', route: 'GET /b', rps: 1 }],
    };
    expect(problemsOf(bad)).toEqual([
      'serviceProfiles[0].service: expected a service of this scenario in namespace "emojivoto", got "ghost-svc"',
      'serviceProfiles[2].service: expected one ServiceProfile per service, got a second for "web-svc"',
      'httpRoutes[0].parent: expected a service of this scenario in namespace "emojivoto", got "nope"',
      'grpcRoutes[0].parent: expected a service of this scenario in namespace "emojivoto", got "gone"',
      'traffic[0].route: expected a route of service web-svc.emojivoto (a serviceProfiles route, or an httpRoutes or grpcRoutes entry with it as parent), got "GET /b"',
      // The default CRDs (linkerd-crds of 2.14) have no GRPCRoute.
      'grpcRoutes[0]: expected the CRD grpcroutes.gateway.networking.k8s.io in linkerd.crds (the API server serves GRPCRoutes only while their CRD is installed)',
    ]);
    // The schema speaks first: a bad field is named before any cross-field check.
    expect(
      problemsOf({
        ...bad,
        httpRoutes: [{ name: 'x', namespace: 'emojivoto', parent: 'nope', matches: [{ method: 'FETCH' }] }],
      }),
    ).toEqual([
      'httpRoutes[0].matches[0].method: expected an HTTP method: GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH, got "FETCH"',
    ]);
  });

  it('refuses route objects whose CRD the scenario does not install, and takes one from objects', () => {
    const routes = {
      deployments: [meshedWeb],
      services: [routedSvc('web-svc')],
      serviceProfiles: [{ service: 'web-svc', namespace: 'emojivoto' }],
      httpRoutes: [{ name: 'x', namespace: 'emojivoto', group: 'policy.linkerd.io', parent: 'web-svc' }],
    };
    expect(problemsOf({ name: 'no-linkerd', ...routes })).toEqual([
      'serviceProfiles[0]: expected the CRD serviceprofiles.linkerd.io in linkerd.crds (the API server serves ServiceProfiles only while their CRD is installed); this scenario has no linkerd: section, so no CRDs',
      'httpRoutes[0]: expected the CRD httproutes.policy.linkerd.io in linkerd.crds (the API server serves HTTPRoutes only while their CRD is installed); this scenario has no linkerd: section, so no CRDs',
    ]);
    expect(
      problemsOf({ name: 'few-crds', linkerd: { crds: ['serviceprofiles.linkerd.io'] }, ...routes }),
    ).toEqual([
      'httpRoutes[0]: expected the CRD httproutes.policy.linkerd.io in linkerd.crds (the API server serves HTTPRoutes only while their CRD is installed)',
    ]);
    const crd = (name: string) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
    });
    expect(() =>
      parseScenario(
        {
          name: 'own-crds',
          ...routes,
          objects: [crd('serviceprofiles.linkerd.io'), crd('httproutes.policy.linkerd.io')],
        },
        'test',
      ),
    ).not.toThrow();
  });
});
