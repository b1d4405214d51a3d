import type { Sample } from '../../../../src/adapters/prometheus/prometheus-responses.js';
import { judgeRoutes } from '../../../../src/steps/routes/judge-routes.js';
import { routeQueries } from '../../../../src/steps/routes/route-queries.js';
import { grpcRouteRows, httpRouteRows, profileRows } from '../../../../src/steps/routes/route-rows.js';
import { DEFAULT_ROUTE_THRESHOLDS } from '../../../../src/steps/routes/routes-types.js';

const sample = (metric: Record<string, string>, value: number): Sample => ({ metric, value, timestamp: 0 });
const noLatency = { 0.5: [], 0.95: [], 0.99: [] };
/** The labels of Linkerd's HTTPRoute `find`, with more. */
const find = (more: Record<string, string> = {}): Record<string, string> => ({
  route_kind: 'HTTPRoute',
  route_group: 'policy.linkerd.io',
  route_namespace: 'emojivoto',
  route_name: 'find',
  ...more,
});

describe('route queries', () => {
  it('are the queries linkerd-viz writes, for the service', () => {
    const q = routeQueries({ service: 'web-svc', namespace: 'emojivoto' }, 600, 'cluster.local');
    expect(q.profileResponses).toBe(
      'sum(increase(route_response_total{direction="inbound", dst=~"(web-svc\\\\.emojivoto\\\\.svc\\\\.cluster\\\\.local)(:\\\\d+)?", namespace="emojivoto"}[600s])) by (rt_route, dst, classification)',
    );
    expect(q.profileLatency[0.99]).toMatch(
      /^histogram_quantile\(0\.99, sum\(irate\(route_response_latency_ms_bucket\{.*\}\[600s\]\)\) by \(le, dst, rt_route\)\)$/,
    );
    expect(q.httpRouteStatuses).toBe(
      'sum(increase(outbound_http_route_request_statuses_total{parent_group="core", parent_kind="Service", parent_name="web-svc", parent_namespace="emojivoto"}[600s])) by (route_group, route_kind, route_namespace, route_name, parent_port, http_status, error)',
    );
  });

  it("ask for the proxy's GRPCRoute families by grpc_status, as viz stat-outbound does", () => {
    const q = routeQueries({ service: 'emoji-svc', namespace: 'emojivoto' }, 60, 'cluster.local');
    expect(q.grpcRouteStatuses).toBe(
      'sum(increase(outbound_grpc_route_request_statuses_total{parent_group="core", parent_kind="Service", parent_name="emoji-svc", parent_namespace="emojivoto"}[60s])) by (route_group, route_kind, route_namespace, route_name, parent_port, grpc_status, error)',
    );
    expect(q.grpcRouteLatency[0.5]).toBe(
      'histogram_quantile(0.5, sum(irate(outbound_grpc_route_request_duration_seconds_bucket{parent_group="core", parent_kind="Service", parent_name="emoji-svc", parent_namespace="emojivoto"}[60s])) by (le, route_group, route_kind, route_namespace, route_name))',
    );
  });
});

describe('route rows', () => {
  it('ServiceProfile: every defined route, [DEFAULT] for samples without rt_route, routes seen only in metrics', () => {
    const rows = profileRows(
      'web-svc',
      {
        name: 'web-svc.emojivoto.svc.cluster.local',
        namespace: 'emojivoto',
        routes: [{ name: 'GET /a', method: 'GET' }, { name: 'GET /b' }],
      },
      [
        sample({ rt_route: 'GET /a', classification: 'success' }, 90),
        sample({ rt_route: 'GET /a', classification: 'failure' }, 10),
        sample({ classification: 'success' }, 30),
        sample({ rt_route: 'old', classification: 'success' }, 6),
      ],
      {
        0.5: [sample({ rt_route: 'GET /a' }, 12)],
        0.95: [],
        0.99: [sample({ rt_route: 'GET /a' }, Number.NaN)],
      },
      60,
    );
    expect(rows.map((r) => [r.route, r.requests, r.successRate, r.defined])).toEqual([
      ['GET /a', 100, 0.9, true],
      ['GET /b', 0, null, true],
      ['old', 6, 1, false],
      ['[DEFAULT]', 30, 1, true],
    ]);
    expect(rows[0]!.rps).toBeCloseTo(100 / 60);
    expect(rows[0]!.latencyMs).toEqual({ p50: 12, p95: null, p99: null });
    expect(rows[0]!.matches).toBe('GET');
  });

  it('HTTPRoute: 5xx or an error is a failure, the default route is [DEFAULT], seconds become ms', () => {
    const rows = httpRouteRows(
      'emoji-svc',
      [
        {
          group: 'policy.linkerd.io',
          name: 'find',
          namespace: 'emojivoto',
          parentRefs: [],
          matches: ['PathPrefix /find'],
        },
      ],
      [
        sample(find({ parent_port: '8080', http_status: '200', error: '' }), 8),
        sample(find({ parent_port: '8080', http_status: '503', error: '' }), 1),
        sample(find({ parent_port: '8080', http_status: '', error: 'REQUEST_TIMEOUT' }), 1),
        sample(
          {
            route_kind: 'default',
            route_name: 'http',
            route_group: '',
            route_namespace: '',
            parent_port: '8080',
            http_status: '404',
            error: '',
          },
          5,
        ),
      ],
      {
        ...noLatency,
        0.99: [sample(find(), 0.75)],
      },
      10,
    );
    expect(rows.map((r) => [r.route, r.kind, r.service, r.requests, r.failures])).toEqual([
      ['find', 'HTTPRoute.policy.linkerd.io', 'emoji-svc:8080', 10, 2],
      ['[DEFAULT]', undefined, 'emoji-svc:8080', 5, 0],
    ]);
    expect(rows[0]!.latencyMs.p99).toBe(750);
  });

  it('GRPCRoute: a grpc_status other than OK or an error is a failure, whatever the HTTP status; no [DEFAULT] of its own', () => {
    const list = (more: Record<string, string>): Record<string, string> => ({
      route_kind: 'GRPCRoute',
      route_group: 'gateway.networking.k8s.io',
      route_namespace: 'emojivoto',
      route_name: 'list',
      parent_port: '8080',
      error: '',
      ...more,
    });
    const rows = grpcRouteRows(
      'emoji-svc',
      [
        {
          group: 'gateway.networking.k8s.io',
          name: 'list',
          namespace: 'emojivoto',
          parentRefs: [
            { group: 'core', kind: 'Service', name: 'emoji-svc', namespace: 'emojivoto', port: 8080 },
          ],
          matches: ['Exact emoji.v1.EmojiService/ListAll'],
        },
        {
          group: 'gateway.networking.k8s.io',
          name: 'idle',
          namespace: 'emojivoto',
          parentRefs: [],
          matches: [],
        },
      ],
      [
        sample(list({ grpc_status: 'OK' }), 70),
        // Failed RPCs travel as HTTP 200: only grpc_status tells.
        sample(list({ grpc_status: 'UNAVAILABLE', http_status: '200' }), 20),
        sample(list({ grpc_status: 'NOT_FOUND' }), 5),
        sample(list({ grpc_status: 'UNKNOWN', error: 'RESPONSE_HEADERS_TIMEOUT' }), 5),
        // An HTTP-style 5xx label is not how gRPC routes fail, and an OK with it is still OK.
        sample(list({ grpc_status: 'OK', http_status: '503' }), 0),
      ],
      { ...noLatency, 0.95: [sample(list({}), 0.04)] },
      20,
    );
    expect(
      rows.map((r) => [r.route, r.kind, r.service, r.requests, r.failures, r.successRate, r.model]),
    ).toEqual([
      ['idle', 'GRPCRoute.gateway.networking.k8s.io', 'emoji-svc', 0, 0, null, 'grpc-route'],
      ['list', 'GRPCRoute.gateway.networking.k8s.io', 'emoji-svc:8080', 100, 30, 0.7, 'grpc-route'],
    ]);
    expect(rows[1]!.rps).toBe(5);
    expect(rows[1]!.latencyMs.p95).toBe(40);
    expect(rows[1]!.matches).toBe('Exact emoji.v1.EmojiService/ListAll');
    const findings = judgeRoutes(rows, DEFAULT_ROUTE_THRESHOLDS);
    expect(findings.map((f) => [f.code, f.subject])).toEqual([['route-success-rate-low', 'list']]);
    expect(findings[0]!.message).toBe('GRPCRoute route "list" succeeds 70.00% of 100 requests, below 95.00%');
  });

  it('judges routes with enough requests only', () => {
    const rows = profileRows(
      'web-svc',
      { name: 'sp', namespace: 'ns', routes: [{ name: 'few' }, { name: 'bad' }] },
      [
        sample({ rt_route: 'few', classification: 'failure' }, 3),
        sample({ rt_route: 'bad', classification: 'failure' }, 20),
        sample({ rt_route: 'bad', classification: 'success' }, 80),
      ],
      { ...noLatency, 0.99: [sample({ rt_route: 'bad' }, 1500)] },
      60,
    );
    const findings = judgeRoutes(rows, DEFAULT_ROUTE_THRESHOLDS);
    expect(findings.map((f) => [f.code, f.subject, f.severity])).toEqual([
      ['route-success-rate-low', 'bad', 'fail'],
      ['route-latency-high', 'bad', 'warn'],
    ]);
    expect(findings[0]!.message).toBe(
      'ServiceProfile route "bad" succeeds 80.00% of 100 requests, below 95.00%',
    );
    expect(rows.find((r) => r.route === 'few')!.verdict).toBeUndefined();
    expect(rows.find((r) => r.route === 'bad')!.verdict).toBe('fail');
  });
});
