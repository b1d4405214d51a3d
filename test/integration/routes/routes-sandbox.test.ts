/**
 * `routes` against the sandbox and a real Prometheus scraping its proxies: a ServiceProfile
 * service, an HTTPRoute service, a service with both, a GRPCRoute service (failures by
 * grpc-status), the failing route's verdict, [DEFAULT]
 * rows, configured thresholds, the CLI (JSON, text, exit codes, bad input), Prometheus
 * unreachable, and Slack (the thread, and refusals).
 */
import { createServer } from 'node:net';
import { singleClusterPool } from '../../../src/adapters/adapter-pool.js';
import { runRoutesCommand, type RoutesFlagValues } from '../../../src/cli/commands/routes.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import { parseCommand } from '../../../src/grammar/parse-command.js';
import { crdObject } from '../../../src/sandbox/scenario/linkerd-control-plane.js';
import { startBotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import { createClusterExecutor } from '../../../src/slack/command-executor.js';
import { runCommand } from '../../../src/steps/run-command.js';
import type { RouteRow, RoutesData } from '../../../src/steps/routes/routes-types.js';
import { waitForQuery } from '../../support/start-prometheus.js';
import { startMetricsRig, type MetricsRig } from '../metrics/metrics-rig.js';

/** scenarios/emojivoto-routes.yaml: the routes of web-svc, emoji-svc, voting-svc and leaderboard-svc. */
const ROUTES_NS = 'emojivoto';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof addr === 'object' && addr ? addr.port : 1;
}

function row(result: StepResult<RoutesData>, model: RouteRow['model'], route: string): RouteRow {
  const found = result.data.rows.find((r) => r.model === model && r.route === route);
  if (!found) throw new Error(`no ${model} row ${route} in ${JSON.stringify(result.data.rows)}`);
  return found;
}

describe('routes against the sandbox and a real Prometheus', () => {
  let rig: MetricsRig;

  beforeAll(async () => {
    rig = await startMetricsRig('emojivoto-routes');
    const url = rig.prometheus.url;
    // Every route with traffic has at least 15 requests in Prometheus's last minute, and two
    // scrapes of its histogram (irate).
    const enough = (v: number): boolean => v >= 15;
    await Promise.all([
      ...['GET /api/list', 'POST /api/vote', 'record-vote'].map((rt) =>
        waitForQuery(
          url,
          `sum(increase(route_response_total{direction="inbound",rt_route="${rt}"}[1m]))`,
          enough,
          40_000,
        ),
      ),
      ...['web-svc', 'voting-svc'].map((svc) =>
        waitForQuery(
          url,
          `sum(increase(route_response_total{direction="inbound",rt_route="",dst=~"${svc}.*"}[1m]))`,
          enough,
          40_000,
        ),
      ),
      ...['emoji-list', 'emoji-find', 'http', 'voting-route'].map((name) =>
        waitForQuery(
          url,
          `sum(increase(outbound_http_route_request_statuses_total{route_name="${name}"}[1m]))`,
          enough,
          40_000,
        ),
      ),
      ...['leaderboard-top', 'leaderboard-record'].map((name) =>
        waitForQuery(
          url,
          `sum(increase(outbound_grpc_route_request_statuses_total{route_name="${name}"}[1m]))`,
          enough,
          40_000,
        ),
      ),
    ]);
  }, 90_000);

  afterAll(async () => {
    await rig?.stop();
  });

  const run = async (text: string, readingSettings?: Parameters<typeof runCommand>[2]) =>
    (await runCommand(parseCommand(text), rig.adapters, readingSettings)) as StepResult<RoutesData>;

  it('shows the ServiceProfile routes of a service, the failing one judged, [DEFAULT] and a route without traffic', async () => {
    const r = await run('routes svc/web-svc.emojivoto --window 1m');
    expect(r.data.models).toEqual(['service-profile']);
    expect(r.data.cluster).toBe('default');
    expect(r.findings[0]).toMatchObject({ severity: 'info', code: 'route-model' });
    expect(r.findings[0]!.message).toMatch(
      /ServiceProfile web-svc\.emojivoto\.svc\.cluster\.local \(3 routes\)/,
    );
    expect(r.data.rows.map((x) => x.route)).toEqual([
      'GET /api/list',
      'GET /api/stats',
      'POST /api/vote',
      '[DEFAULT]',
    ]);

    const list = row(r, 'service-profile', 'GET /api/list');
    expect(list.successRate).toBe(1);
    expect(list.rps).toBeGreaterThan(0);
    expect(list.latencyMs.p50).toBeGreaterThan(0);
    expect(list.verdict).toBeUndefined();

    const vote = row(r, 'service-profile', 'POST /api/vote');
    expect(vote.successRate).toBeGreaterThan(0.55);
    expect(vote.successRate).toBeLessThan(0.85);
    expect(vote.latencyMs.p99).toBeGreaterThan(1000);
    expect(vote.verdict).toBe('fail');
    expect(r.findings.filter((f) => f.subject === 'POST /api/vote').map((f) => f.code)).toEqual([
      'route-success-rate-low',
      'route-latency-high',
    ]);

    expect(row(r, 'service-profile', 'GET /api/stats')).toMatchObject({
      requests: 0,
      successRate: null,
      defined: true,
    });
    const dflt = row(r, 'service-profile', '[DEFAULT]');
    expect(dflt.requests).toBeGreaterThanOrEqual(15);
    expect(dflt.service).toBe('web-svc');

    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(
      /^web-svc\.emojivoto over 1m: 3 routes \(ServiceProfile\); 1 crossing thresholds: POST \/api\/vote \d+\.\d\d%$/,
    );
    const table = r.evidence.find((t) => t.title.startsWith('ServiceProfile'))!;
    expect(table.columns).toEqual([
      'ROUTE',
      'SERVICE',
      'SUCCESS',
      'RPS',
      'LATENCY_P50',
      'LATENCY_P95',
      'LATENCY_P99',
      'VERDICT',
    ]);
    expect(table.rows.find((x) => x[0] === 'GET /api/stats')).toEqual([
      'GET /api/stats',
      'web-svc',
      '-',
      '-',
      '-',
      '-',
      '-',
      '',
    ]);
    expect(r.next.map((n) => n.command?.name)).toEqual(['events', 'metrics']);
    expect(r.data.queries.every((q) => q.error === undefined)).toBe(true);
  });

  it('shows the HTTPRoutes of both API groups whose parent is the service', async () => {
    const r = await run('routes svc/emoji-svc.emojivoto --window 1m');
    expect(r.data.models).toEqual(['http-route']);
    expect(r.data.httpRoutes).toEqual([
      { group: 'gateway.networking.k8s.io', name: 'emoji-list', namespace: ROUTES_NS },
      { group: 'policy.linkerd.io', name: 'emoji-find', namespace: ROUTES_NS },
    ]);
    expect(r.data.rows.map((x) => [x.route, x.kind, x.service])).toEqual([
      ['emoji-find', 'HTTPRoute.policy.linkerd.io', 'emoji-svc:8080'],
      ['emoji-list', 'HTTPRoute.gateway.networking.k8s.io', 'emoji-svc:8080'],
      ['[DEFAULT]', undefined, 'emoji-svc:8080'],
    ]);
    const find = row(r, 'http-route', 'emoji-find');
    expect(find.successRate).toBeGreaterThan(0.35);
    expect(find.successRate).toBeLessThan(0.65);
    expect(find.verdict).toBe('fail');
    expect(row(r, 'http-route', 'emoji-list')).toMatchObject({ successRate: 1 });
    expect(row(r, 'http-route', 'emoji-list').verdict).toBeUndefined();
    expect(row(r, 'http-route', '[DEFAULT]').requests).toBeGreaterThanOrEqual(15);
    expect(r.status).toBe('fail');
    expect(r.findings.find((f) => f.code === 'route-success-rate-low')?.message).toMatch(
      /^HTTPRoute route "emoji-find" succeeds/,
    );
    expect(r.evidence.map((t) => t.title)).toEqual([
      'HTTPRoute routes (outbound, over 1m)',
      'Route definitions',
    ]);
  });

  it('shows both models when a service has a ServiceProfile and an HTTPRoute, and says which wins', async () => {
    const r = await run('routes svc/voting-svc.emojivoto --window 1m');
    expect(r.data.models).toEqual(['service-profile', 'http-route']);
    expect(r.findings[0]!.message).toMatch(/uses both route models/);
    expect(r.findings[0]!.hint).toMatch(/ServiceProfile exists/);
    expect(r.data.rows.map((x) => `${x.model} ${x.route}`)).toEqual([
      'service-profile record-vote',
      'service-profile [DEFAULT]',
      'http-route voting-route',
      'http-route [DEFAULT]',
    ]);
    expect(row(r, 'service-profile', 'record-vote').requests).toBeGreaterThanOrEqual(15);
    expect(row(r, 'http-route', 'voting-route').requests).toBeGreaterThanOrEqual(15);
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/2 routes \(ServiceProfile \+ HTTPRoute\), all within thresholds$/);
  });

  it('shows the GRPCRoutes of a gRPC service, failures by grpc-status, and no [DEFAULT] row', async () => {
    const r = await run('routes svc/leaderboard-svc.emojivoto --window 1m');
    expect(r.data.models).toEqual(['grpc-route']);
    expect(r.data.grpcRoutes).toEqual([
      { group: 'gateway.networking.k8s.io', name: 'leaderboard-record', namespace: ROUTES_NS },
      { group: 'gateway.networking.k8s.io', name: 'leaderboard-top', namespace: ROUTES_NS },
    ]);
    expect(r.findings[0]).toMatchObject({ severity: 'info', code: 'route-model' });
    expect(r.findings[0]!.message).toMatch(
      /uses GRPCRoute \(gateway\.networking\.k8s\.io\/v1\): 2 GRPCRoutes/,
    );
    expect(r.data.rows.map((x) => [x.model, x.route, x.kind, x.service, x.matches])).toEqual([
      [
        'grpc-route',
        'leaderboard-record',
        'GRPCRoute.gateway.networking.k8s.io',
        'leaderboard-svc:8080',
        'Exact emojivoto.v1.LeaderboardService/Record',
      ],
      [
        'grpc-route',
        'leaderboard-top',
        'GRPCRoute.gateway.networking.k8s.io',
        'leaderboard-svc:8080',
        'Exact emojivoto.v1.LeaderboardService/Top',
      ],
    ]);
    const record = row(r, 'grpc-route', 'leaderboard-record');
    // 40% of its RPCs end UNKNOWN (on HTTP 200): counted by grpc_status, not HTTP status.
    expect(record.successRate).toBeGreaterThan(0.45);
    expect(record.successRate).toBeLessThan(0.75);
    expect(record.rps).toBeGreaterThan(0);
    // p50 1.5 s in the proxy's coarse buckets (0.05, 0.5, 1, 10 s): in the 1-10 s bucket.
    expect(record.latencyMs.p50).toBeGreaterThan(1000);
    expect(record.latencyMs.p99).toBeGreaterThan(1000);
    expect(record.verdict).toBe('fail');
    const top = row(r, 'grpc-route', 'leaderboard-top');
    expect(top).toMatchObject({ successRate: 1, defined: true });
    expect(top.requests).toBeGreaterThanOrEqual(15);
    expect(top.verdict).toBeUndefined();
    expect(r.findings.filter((f) => f.subject === 'leaderboard-record').map((f) => f.code)).toEqual([
      'route-success-rate-low',
      'route-latency-high',
    ]);
    expect(r.findings.find((f) => f.code === 'route-success-rate-low')!.message).toMatch(
      /^GRPCRoute route "leaderboard-record" succeeds \d+\.\d\d% of \d+ requests, below 95\.00%$/,
    );
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(
      /^leaderboard-svc\.emojivoto over 1m: 2 routes \(GRPCRoute\); 1 crossing thresholds: leaderboard-record \d+\.\d\d%$/,
    );
    expect(r.evidence.map((t) => t.title)).toEqual([
      'GRPCRoute routes (outbound, over 1m)',
      'Route definitions',
    ]);
    expect(r.data.queries.map((q) => q.name)).toEqual(
      expect.arrayContaining(['grpcRouteStatuses', 'grpcRouteLatency p99']),
    );
    expect(r.data.queries.every((q) => q.error === undefined)).toBe(true);
  });

  it('judges by the configured thresholds', async () => {
    const r = await run('routes svc/web-svc.emojivoto --window 1m', {
      readingSettings: { routes: { minSuccessRate: 0.5, maxP99Ms: 60_000 } },
    });
    expect(r.status).toBe('pass');
    expect(r.data.thresholds).toEqual({ minSuccessRate: 0.5, maxP99Ms: 60_000, minRequests: 10 });
  });

  it('says when a service has no routes at all', async () => {
    // vote-bot has no service; emojivoto's services all have routes here: ask about a service
    // without any by creating one.
    rig.sandbox.store.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bare-svc', namespace: ROUTES_NS },
      spec: { selector: { app: 'nothing' }, ports: [{ port: 80 }] },
    });
    const r = await run('routes svc/bare-svc.emojivoto');
    expect(r.data.models).toEqual([]);
    expect(r.data.rows).toEqual([]);
    expect(r.findings.map((f) => f.code)).toEqual(['no-routes-defined']);
    expect(r.status).toBe('pass');
    const missing = await run('routes svc/nothing-svc.emojivoto');
    expect(missing.status).toBe('fail');
    expect(missing.findings[0]!.code).toBe('service-not-found');
  });

  it('says which route model the cluster does not serve when a CRD is not installed (regression)', async () => {
    const CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' } as const;
    rig.sandbox.store.delete(CRD, undefined, 'httproutes.policy.linkerd.io');
    try {
      const r = await run('routes svc/emoji-svc.emojivoto --window 1m');
      expect(r.data.notServed).toEqual(['httproutes.policy.linkerd.io']);
      // Only the Gateway API's HTTPRoute is read now.
      expect(r.data.httpRoutes.map((x) => x.name)).toEqual(['emoji-list']);
      expect(r.findings[1]).toEqual({
        severity: 'info',
        code: 'route-kinds-not-served',
        message:
          'This cluster does not serve HTTPRoute (httproutes.policy.linkerd.io): its CRD is not installed, so the service can have no routes of that kind',
        hint: "To define such routes, install Linkerd's CRDs (linkerd install --crds | kubectl apply -f -, or the linkerd-crds chart).",
      });
      // Its proxies' series are still there: the route shows, as not defined by an object.
      expect(row(r, 'http-route', 'emoji-find').defined).toBe(false);

      const text = await cli('svc/emoji-svc.emojivoto', { prometheus: rig.prometheus.url, window: '1m' });
      expect(text.stdout).toContain('This cluster does not serve HTTPRoute (httproutes.policy.linkerd.io)');
    } finally {
      rig.sandbox.store.create(crdObject('httproutes.policy.linkerd.io', 'linkerd', 'stable-2.14.10'));
    }
    const back = await run('routes svc/emoji-svc.emojivoto --window 1m');
    expect(back.data.notServed).toEqual([]);
    expect(back.data.httpRoutes.map((x) => x.name)).toEqual(['emoji-list', 'emoji-find']);
  });

  async function cli(
    target: string,
    flags: RoutesFlagValues,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runRoutesCommand(
      target,
      { kubeconfig: rig.sandbox.kubeconfig, destination: rig.sandbox.destination, ...flags },
      {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: (t: string) => (stderr += t) },
        env: {},
      },
    );
    return { code, stdout, stderr };
  }

  it('runs from the CLI: JSON and text, exit 1 for a failing route', async () => {
    const json = await cli('svc/emoji-svc.emojivoto', {
      prometheus: rig.prometheus.url,
      output: 'json',
      window: '1m',
    });
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as StepResult<RoutesData>;
    expect(parsed.step).toBe('routes');
    expect(parsed.data.rows.some((x) => x.route === 'emoji-find' && x.verdict === 'fail')).toBe(true);

    const text = await cli('svc/web-svc.emojivoto', { prometheus: rig.prometheus.url, window: '1m' });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/ROUTE\s+SERVICE\s+SUCCESS\s+RPS\s+LATENCY_P50\s+LATENCY_P95\s+LATENCY_P99/);
    expect(text.stdout).toMatch(/\[DEFAULT\]\s+web-svc\s+\d+\.\d\d%\s+\d+\.\drps\s+\d+ms/);
    expect(text.stdout).toMatch(/GET \/api\/stats\s+web-svc\s+-\s+-\s+-\s+-\s+-/);

    const pass = await cli('voting-svc.emojivoto', { prometheus: rig.prometheus.url, output: 'json' });
    expect(pass.code).toBe(0);
  });

  it('runs for a GRPCRoute service from the CLI: JSON and the GRPCRoute table', async () => {
    const json = await cli('svc/leaderboard-svc.emojivoto', {
      prometheus: rig.prometheus.url,
      output: 'json',
      window: '1m',
    });
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as StepResult<RoutesData>;
    expect(parsed.data.models).toEqual(['grpc-route']);
    expect(parsed.data.rows.find((x) => x.route === 'leaderboard-record')).toMatchObject({
      model: 'grpc-route',
      kind: 'GRPCRoute.gateway.networking.k8s.io',
      verdict: 'fail',
    });

    const text = await cli('svc/leaderboard-svc.emojivoto', { prometheus: rig.prometheus.url, window: '1m' });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/GRPCRoute routes \(outbound, over 1m\)/);
    expect(text.stdout).toMatch(
      /leaderboard-top\s+GRPCRoute\.gateway\.networking\.k8s\.io\s+leaderboard-svc:8080\s+100\.00%\s+\d+\.\drps/,
    );
    expect(text.stdout).toMatch(
      /leaderboard-record\s+GRPCRoute\.gateway\.networking\.k8s\.io\s+leaderboard-svc:8080\s+\d+\.\d\d%.*fail/,
    );
  });

  it('exits 3 with a finding when Prometheus cannot be reached', async () => {
    const port = await closedPort();
    const r = await cli('svc/web-svc.emojivoto', { prometheus: `http://127.0.0.1:${port}`, output: 'json' });
    expect(r.code).toBe(3);
    const parsed = JSON.parse(r.stdout) as StepResult<RoutesData>;
    expect(parsed.status).toBe('error');
    expect(parsed.findings[0]).toMatchObject({ severity: 'error', code: 'prometheus-unreachable' });
    expect(parsed.findings[0]!.message).toMatch(/could not be reached \(ECONNREFUSED\)/);
    expect(parsed.findings[0]!.hint).toMatch(/--prometheus URL/);
    // What Kubernetes said is still there: the route model.
    expect(parsed.data.models).toEqual(['service-profile']);
    expect(parsed.findings[1]!.code).toBe('route-model');
  });

  it('refuses bad input on the CLI with exit 2 and what would work', async () => {
    const window = await cli('svc/web-svc.emojivoto', { window: '2s' });
    expect(window.code).toBe(2);
    expect(window.stderr).toBe('Error: window 2s is out of range\nHint: It must be between 10s and 24h.\n');
    const target = await cli('deploy/web.emojivoto', {});
    expect(target.code).toBe(2);
    expect(target.stderr).toMatch(
      /^Error: routes belong to a service, not to "deploy"\nHint: Give the service as svc\/web-svc\.emojivoto\./,
    );
  });

  it('answers /mesh routes in a Slack thread, and refuses a channel or namespace it may not read', async () => {
    const pool = singleClusterPool({
      kubeconfig: rig.sandbox.kubeconfig,
      destination: rig.sandbox.destination,
      prometheusUrl: rig.prometheus.url,
    });
    const executor = createClusterExecutor({ pool, runCommand });
    const env = await startBotWithDouble({
      mode: 'socket',
      execute: executor.execute,
      config: { authorization: { channels: [{ id: 'C0OPS', namespaces: ['emojivoto'] }] } },
    });
    try {
      const sent = await env.double.sendSlashCommand({
        text: 'routes svc/web-svc.emojivoto --window 1m',
        channelId: 'C0OPS',
        userId: 'U0ALICE',
      });
      const thread = await env.double.waitForThread(sent.triggerId, 30_000);
      expect(thread.parent.metadata?.event_payload.status).toBe('fail');
      const replies = JSON.stringify(thread.replies);
      expect(replies).toContain('POST /api/vote');
      expect(replies).toContain('[DEFAULT]');

      const grpc = await env.double.sendSlashCommand({
        text: 'routes svc/leaderboard-svc.emojivoto --window 1m',
        channelId: 'C0OPS',
        userId: 'U0ALICE',
      });
      const grpcThread = await env.double.waitForThread(grpc.triggerId, 30_000);
      expect(grpcThread.parent.metadata?.event_payload.status).toBe('fail');
      const grpcReplies = JSON.stringify(grpcThread.replies);
      expect(grpcReplies).toContain('GRPCRoute routes');
      expect(grpcReplies).toContain('leaderboard-record');

      const elsewhere = await env.double.sendSlashCommand({
        text: 'routes svc/web-svc.emojivoto',
        channelId: 'C0RANDOM',
        channelName: 'random',
        userId: 'U0MALLORY',
      });
      expect((await env.double.waitForEphemeral(elsewhere.triggerId))[0]!.text).toMatch(
        /does not answer in this channel/,
      );
      const other = await env.double.sendSlashCommand({
        text: 'routes svc/api.payments',
        channelId: 'C0OPS',
        userId: 'U0MALLORY',
      });
      expect((await env.double.waitForEphemeral(other.triggerId))[0]!.text).toMatch(
        /namespace "payments" may not be inspected from this channel/,
      );
      expect(env.double.messages('C0RANDOM')).toHaveLength(0);
    } finally {
      await env.stop();
      await pool.close();
    }
  });
});
