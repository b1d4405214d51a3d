import { judgeSuccess } from '../../../../src/steps/tap/join-tap-events.js';
import { groupRoutes, judgeRoutes } from '../../../../src/steps/tap/summarize-tap.js';
import type { TappedRequest } from '../../../../src/steps/tap/tap-types.js';

function req(path: string, latencyMs: number, status: Partial<TappedRequest> = {}): TappedRequest {
  const r: TappedRequest = {
    atMs: 0,
    direction: 'outbound',
    method: 'GET',
    scheme: 'http',
    authority: 'a',
    path,
    source: 'deploy/web',
    destination: 'deploy/api',
    httpStatus: 200,
    latencyMs,
    complete: true,
    ...status,
  };
  r.success = judgeSuccess(r);
  return r;
}

describe('the tap summary', () => {
  it('judges success as linkerd viz top: 5xx, resets and some gRPC codes fail', () => {
    expect(judgeSuccess({ httpStatus: 503 })).toBe(false);
    expect(judgeSuccess({ httpStatus: 404 })).toBe(true);
    expect(judgeSuccess({ httpStatus: 200, grpcStatus: 14 })).toBe(false);
    expect(judgeSuccess({ httpStatus: 200, grpcStatus: 5 })).toBe(true);
    expect(judgeSuccess({ httpStatus: 200, resetCode: 2 })).toBe(false);
  });

  it('groups by method, path and destination with percentiles and statuses, worst first', () => {
    const requests = [
      ...Array.from({ length: 20 }, (_, i) => req('/ok', i + 1)),
      ...Array.from({ length: 10 }, (_, i) => req('/bad', 100, i < 2 ? { httpStatus: 500 } : {})),
      { ...req('/ok', 1), complete: false },
    ];
    const routes = groupRoutes(requests);
    expect(routes.map((r) => r.path)).toEqual(['/bad', '/ok']);
    expect(routes[0]).toMatchObject({
      count: 10,
      failures: 2,
      successRate: 0.8,
      statuses: { '200': 8, '500': 2 },
    });
    expect(routes[1]).toMatchObject({ count: 20, p50Ms: 10, p95Ms: 19, maxMs: 20 });
    const findings = judgeRoutes(routes);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'fail', code: 'route-failing' });
    expect(findings[0]!.message).toContain(
      'GET /bad to deploy/api: 20.0% of requests fail (2 of 10; 500 x2)',
    );
  });

  it('does not judge a route with too few requests', () => {
    expect(judgeRoutes(groupRoutes([req('/x', 1, { httpStatus: 500 })]))).toEqual([]);
  });
});
