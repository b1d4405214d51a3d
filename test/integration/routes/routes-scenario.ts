/**
 * emojivoto with routes, for the routes tests: web-svc has a ServiceProfile (GET /api/list
 * healthy, POST /api/vote failing 30% and slow, GET /api/stats without traffic), emoji-svc two
 * HTTPRoutes (emoji-list of the Gateway API, emoji-find of policy.linkerd.io, failing half its
 * requests), voting-svc both models. Each service also gets requests that match no route
 * (emojivoto's own edges): the [DEFAULT] rows.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';

export const ROUTES_NS = 'emojivoto';

export function routesScenario(): Record<string, unknown> {
  const scenario = YAML.parse(readFileSync('scenarios/emojivoto.yaml', 'utf8')) as Record<string, unknown>;
  const edge = (to: string, route: string, rps: number, successRate: number, p50: number, p99: number) => ({
    from: to === 'web-svc' ? 'vote-bot' : 'web',
    namespace: ROUTES_NS,
    to,
    route,
    rps,
    successRate,
    latencyMs: { p50, p99 },
  });
  return {
    ...scenario,
    name: 'emojivoto-routes',
    serviceProfiles: [
      {
        service: 'web-svc',
        namespace: ROUTES_NS,
        routes: [
          { name: 'GET /api/list', method: 'GET', pathRegex: '/api/list' },
          { name: 'POST /api/vote', method: 'POST', pathRegex: '/api/vote' },
          { name: 'GET /api/stats', method: 'GET', pathRegex: '/api/stats' },
        ],
      },
      { service: 'voting-svc', namespace: ROUTES_NS, routes: [{ name: 'record-vote', method: 'POST' }] },
    ],
    httpRoutes: [
      {
        name: 'emoji-list',
        namespace: ROUTES_NS,
        parent: 'emoji-svc',
        port: 8080,
        matches: [{ method: 'GET', path: '/emoji.v1.EmojiService/ListAll', pathType: 'Exact' }],
      },
      {
        name: 'emoji-find',
        namespace: ROUTES_NS,
        group: 'policy.linkerd.io',
        parent: 'emoji-svc',
        port: 8080,
        matches: [{ path: '/emoji.v1.EmojiService/FindByShortcode' }],
      },
      { name: 'voting-route', namespace: ROUTES_NS, parent: 'voting-svc', port: 8080 },
    ],
    traffic: [
      ...(scenario['traffic'] as unknown[]),
      edge('web-svc', 'GET /api/list', 5, 1, 10, 40),
      edge('web-svc', 'POST /api/vote', 5, 0.7, 1500, 3000),
      edge('emoji-svc', 'emoji-list', 4, 1, 3, 20),
      edge('emoji-svc', 'emoji-find', 4, 0.5, 5, 30),
      edge('voting-svc', 'record-vote', 3, 1, 4, 30),
      edge('voting-svc', 'voting-route', 3, 1, 4, 30),
    ],
  };
}
