/**
 * The routes step's verdict logic over fakes of its adapter interfaces (no client library is
 * mocked): which model the proxies follow when a service has several, and which route kinds the
 * cluster does not serve. The sandbox tests (test/integration/routes) run it for real.
 */
import type { KubeService } from '../../../../src/adapters/kube/kube-adapter.js';
import type {
  KubeGrpcRoute,
  KubeHttpRoute,
  RouteObjectReader,
  RouteRead,
} from '../../../../src/adapters/kube/route-objects.js';
import type { PrometheusClient } from '../../../../src/adapters/prometheus/prometheus-client.js';
import type { Sample } from '../../../../src/adapters/prometheus/prometheus-responses.js';
import { runRoutesStep } from '../../../../src/steps/routes/run-routes-step.js';

const target = { kind: 'service', service: 'emoji-svc', namespace: 'emojivoto' } as const;
const parent = [{ group: 'core', kind: 'Service', name: 'emoji-svc', namespace: 'emojivoto', port: 8080 }];
const service: KubeService = {
  name: 'emoji-svc',
  namespace: 'emojivoto',
  type: 'ClusterIP',
  headless: false,
  ports: [],
  labels: {},
};

const read = <T>(resource: string, value: T, served = true): RouteRead<T> => ({ resource, served, value });

function reader(
  o: {
    httpRoutes?: KubeHttpRoute[];
    grpcRoutes?: KubeGrpcRoute[];
    notServed?: string[];
  } = {},
): RouteObjectReader {
  const served = (r: string) => !(o.notServed ?? []).includes(r);
  return {
    getServiceProfile: async () =>
      read('serviceprofiles.linkerd.io', undefined, served('serviceprofiles.linkerd.io')),
    listHttpRoutes: async (_ns, group) =>
      read(
        `httproutes.${group}`,
        (o.httpRoutes ?? []).filter((r) => r.group === group),
        served(`httproutes.${group}`),
      ),
    listGrpcRoutes: async () =>
      read(
        'grpcroutes.gateway.networking.k8s.io',
        o.grpcRoutes ?? [],
        served('grpcroutes.gateway.networking.k8s.io'),
      ),
  };
}

/** A Prometheus that answers each query by the family it asks for. */
function prometheus(byFamily: Record<string, Sample[]>): PrometheusClient {
  return {
    url: 'http://prometheus.test:9090',
    query: async (promql) => ({
      samples: Object.entries(byFamily).find(([family]) => promql.includes(family))?.[1] ?? [],
      series: [],
      warnings: [],
    }),
    queryRange: async () => {
      throw new Error('not used');
    },
    close: async () => undefined,
  };
}

const grpcRoute: KubeGrpcRoute = {
  group: 'gateway.networking.k8s.io',
  name: 'list',
  namespace: 'emojivoto',
  parentRefs: parent,
  matches: ['Exact emoji.v1.EmojiService/ListAll'],
};
const httpRoute: KubeHttpRoute = {
  group: 'policy.linkerd.io',
  name: 'find',
  namespace: 'emojivoto',
  parentRefs: parent,
  matches: ['PathPrefix /'],
};
const sample = (metric: Record<string, string>, value: number): Sample => ({ metric, value, timestamp: 0 });

describe('runRoutesStep', () => {
  it('judges a GRPCRoute by grpc_status and says its HTTPRoutes are not used where it exists', async () => {
    const labels = {
      route_kind: 'GRPCRoute',
      route_group: 'gateway.networking.k8s.io',
      route_namespace: 'emojivoto',
      route_name: 'list',
      parent_port: '8080',
      error: '',
    };
    const r = await runRoutesStep(
      { target, windowSeconds: 60 },
      {
        cluster: 'west',
        kube: { getService: async () => service },
        routes: reader({ httpRoutes: [httpRoute], grpcRoutes: [grpcRoute] }),
        prometheus: prometheus({
          outbound_grpc_route_request_statuses_total: [
            sample({ ...labels, grpc_status: 'OK' }, 60),
            sample({ ...labels, grpc_status: 'DEADLINE_EXCEEDED' }, 40),
          ],
        }),
      },
    );
    expect(r.data.cluster).toBe('west');
    expect(r.data.models).toEqual(['http-route', 'grpc-route']);
    expect(r.findings[0]!.message).toBe(
      'emoji-svc.emojivoto uses both route models: 1 HTTPRoute (find.policy.linkerd.io) and 1 GRPCRoute (list.gateway.networking.k8s.io)',
    );
    expect(r.findings[0]!.hint).toMatch(
      /^Where a GRPCRoute has the service as parent, Linkerd's policy controller serves the port as gRPC and its HTTPRoutes are not used/,
    );
    const list = r.data.rows.find((x) => x.model === 'grpc-route' && x.route === 'list')!;
    expect(list).toMatchObject({ requests: 100, failures: 40, successRate: 0.6, verdict: 'fail' });
    expect(r.status).toBe('fail');
    expect(r.evidence.map((t) => t.title)).toEqual([
      'HTTPRoute routes (outbound, over 1m)',
      'GRPCRoute routes (outbound, over 1m)',
      'Route definitions',
    ]);
  });

  it('names the route kinds the cluster does not serve, even when Prometheus is missing', async () => {
    const r = await runRoutesStep(
      { target, windowSeconds: 60 },
      {
        kube: { getService: async () => service },
        routes: reader({
          notServed: ['httproutes.gateway.networking.k8s.io', 'grpcroutes.gateway.networking.k8s.io'],
        }),
      },
    );
    expect(r.status).toBe('error');
    expect(r.data.notServed).toEqual([
      'httproutes.gateway.networking.k8s.io',
      'grpcroutes.gateway.networking.k8s.io',
    ]);
    expect(r.findings.map((f) => f.code)).toEqual([
      'prometheus-not-configured',
      'no-routes-defined',
      'route-kinds-not-served',
    ]);
    expect(r.findings[2]).toMatchObject({
      severity: 'info',
      message:
        'This cluster does not serve HTTPRoute (httproutes.gateway.networking.k8s.io), GRPCRoute (grpcroutes.gateway.networking.k8s.io): their CRDs are not installed, so the service can have no routes of those kinds',
      hint: "To define such routes, install the Gateway API's CRDs (its standard install, or linkerd-crds with installGatewayAPI=true).",
    });
  });
});
