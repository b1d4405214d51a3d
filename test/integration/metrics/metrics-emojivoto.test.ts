/**
 * `metrics` against the sandbox's emojivoto and a real Prometheus: a healthy service after a
 * scale, the chart, no data, Prometheus down, and query errors (a second Prometheus that refuses
 * queries loading more than a few samples).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrometheusClient } from '../../../src/adapters/prometheus/prometheus-client.js';
import { PrometheusQueryError } from '../../../src/adapters/prometheus/prometheus-errors.js';
import { runMetricsStep } from '../../../src/steps/metrics/run-metrics-step.js';
import { singleClusterPool } from '../../../src/adapters/adapter-pool.js';
import { startBotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import { createClusterExecutor } from '../../../src/slack/command-executor.js';
import { runCommand } from '../../../src/steps/run-command.js';
import { scale, waitForReadyEndpoints } from '../endpoints/endpoints-sandbox.js';
import { waitForQuery } from '../../support/start-prometheus.js';
import { NS, runMetricsCli, startMetricsRig, WEB, type MetricsRig } from './metrics-rig.js';
import { ownResources } from '../../support/owned-resources.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof addr === 'object' && addr ? addr.port : 1;
}

describe('metrics against emojivoto and a real Prometheus', () => {
  let rig: MetricsRig;
  let dir: string;
  const owned = ownResources();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshbot-metrics-'));
    rig = await owned.own(
      startMetricsRig('emojivoto', { otherPrometheusArgs: [['--query.max-samples=5']] }),
      (r) => r.stop(),
    );
    // A change the controller follows: web scales 1 -> 2; Prometheus sees the new pod's proxy
    // and the controller's counter move.
    scale(rig.sandbox.store, 'web', 2);
    await waitForReadyEndpoints(rig.sandbox.store, 'web-svc', 2);
    const url = rig.prometheus.url;
    await Promise.all([
      waitForQuery(url, `sum(endpoints_updates${WEB})`, (v) => v >= 1),
      waitForQuery(
        url,
        `count(process_start_time_seconds{namespace="${NS}",deployment="web"})`,
        (v) => v >= 2,
      ),
      waitForQuery(url, `sum(rate(request_total{namespace="${NS}",deployment="web"}[1m]))`, (v) => v > 0),
    ]);
  }, 60_000);

  afterAll(async () => {
    await owned.stopAll();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes a healthy service: the pod change was followed by endpoint updates', async () => {
    const r = await runMetricsStep(
      { target: { service: 'web-svc', namespace: NS }, windowSeconds: 60, settleSeconds: 0 },
      rig.adapters,
    );
    expect(r.findings).toEqual([]);
    expect(r.status).toBe('pass');
    const d = r.data;
    expect(d.destination.scraped).toBe(true);
    expect(d.destination.updatesIncrease).toBeGreaterThanOrEqual(0.5);
    expect(d.destination.updatesLastMovedAt).not.toBeNull();
    expect(d.destination.subscribers).toBeGreaterThanOrEqual(1);
    expect(d.destination.exists).toBe(true);
    expect(d.destination.pods).toBe(2);
    expect(d.workloads?.deployments).toEqual(['web']);
    expect(d.podChanges?.changes.filter((c) => c.change === 'started').length).toBeGreaterThanOrEqual(1);
    expect(d.golden.rps).toBeGreaterThan(0);
    expect(d.golden.successRate).toBeGreaterThan(0.9);
    expect(d.golden.latencyMs.p50).toBeGreaterThan(0);
    expect(d.queries.every((q) => q.error === undefined)).toBe(true);
    expect(r.summary).toMatch(/^web-svc\.emojivoto over 1m: \d+ endpoint updates/);
  });

  it('writes the chart PNG on the CLI and prints its path (exit 0)', async () => {
    const chartOut = join(dir, 'web.png');
    const run = await runMetricsCli('web-svc.emojivoto', {
      kubeconfig: rig.sandbox.kubeconfig,
      destination: rig.sandbox.destination,
      prometheus: rig.prometheus.url,
      window: '1m',
      chartOut,
    });
    expect(run.stderr).toBe(`Chart: ${chartOut}\n`);
    expect(run.code).toBe(0);
    const png = await readFile(chartOut);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.byteLength).toBeGreaterThan(10_000);
    const att = run.result?.attachments?.[0] as unknown as Record<string, unknown>;
    expect(att).toEqual({
      filename: 'meshbot-metrics-web-svc.emojivoto.png',
      contentType: 'image/png',
      title: 'web-svc.emojivoto over 1m',
      bytes: png.byteLength,
      path: chartOut,
    });
  });

  it('says "no data" for services the controller has no series for, and never crashes', async () => {
    // web calls emoji-svc on its grpc port (8080); nothing resolves its prom port.
    const idle = await runMetricsStep(
      { target: { service: 'emoji-svc', namespace: NS, port: 8801 }, windowSeconds: 60 },
      rig.adapters,
    );
    expect(idle.status).toBe('warn');
    expect(idle.findings.map((f) => f.code)).toEqual(['no-destination-series']);
    expect(idle.data.destination.updatesIncrease).toBeNull();
    expect(idle.data.golden.rps).toBeGreaterThan(0); // its pods still serve traffic

    const missing = await runMetricsCli('nope.emojivoto', {
      kubeconfig: rig.sandbox.kubeconfig,
      destination: rig.sandbox.destination,
      prometheus: rig.prometheus.url,
      window: '5m',
    });
    expect(missing.code).toBe(1);
    expect(missing.result?.findings.map((f) => f.code)).toEqual([
      'service-not-found',
      'no-destination-series',
    ]);
  });

  it('reports Prometheus down as a clear finding and exits 3', async () => {
    const port = await closedPort();
    const run = await runMetricsCli('web-svc.emojivoto', {
      kubeconfig: rig.sandbox.kubeconfig,
      destination: rig.sandbox.destination,
      prometheus: `http://127.0.0.1:${port}`,
    });
    expect(run.code).toBe(3);
    expect(run.result?.status).toBe('error');
    const f = run.result?.findings[0];
    expect(f?.code).toBe('prometheus-unreachable');
    expect(f?.message).toBe(`Prometheus at http://127.0.0.1:${port} could not be reached (ECONNREFUSED)`);
    expect(f?.hint).toContain('--prometheus-port-forward');
  });

  it('reports query errors from Prometheus as findings and exits 3', async () => {
    const strict = rig.others[0]!;
    const run = await runMetricsCli('web-svc.emojivoto', {
      kubeconfig: rig.sandbox.kubeconfig,
      destination: rig.sandbox.destination,
      prometheus: strict.url,
      window: '1m',
    });
    expect(run.code).toBe(3);
    const f = run.result?.findings.find((x) => x.code === 'prometheus-query-error');
    expect(f?.severity).toBe('error');
    expect(f?.message).toMatch(
      /Prometheus queries failed; the first: Prometheus refused the query \(execution\): .*too many samples/,
    );

    // A query Prometheus cannot parse, straight through the client.
    const client = createPrometheusClient({ url: rig.prometheus.url });
    const err = await client.query('sum(endpoints_updates').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusQueryError);
    expect((err as PrometheusQueryError).errorType).toBe('bad_data');
  });

  it('uploads the chart into the Slack thread of /mesh metrics', async () => {
    const pool = singleClusterPool({
      kubeconfig: rig.sandbox.kubeconfig,
      destination: rig.sandbox.destination,
      prometheusUrl: rig.prometheus.url,
    });
    const executor = createClusterExecutor({ pool, runCommand });
    const env = await startBotWithDouble({ mode: 'socket', execute: executor.execute });
    try {
      const sent = await env.double.sendSlashCommand({ text: 'metrics web-svc.emojivoto --window 1m' });
      const thread = await env.double.waitForThread(sent.triggerId, 30_000);
      expect(thread.parent.metadata?.event_payload.status).toBe('pass');
      const file = thread.replies.flatMap((m) => m.files ?? []).find((f) => f.name.endsWith('.png'));
      expect(file?.name).toBe('meshbot-metrics-web-svc.emojivoto.png');
      expect(file?.title).toBe('web-svc.emojivoto over 1m');
      // The double keeps an upload's body as text: the PNG's ASCII markers survive, and its size is recorded.
      expect(file?.content).toMatch(/PNG\r\n[\s\S]*IHDR/);
      const upload = env.double.callsOf('upload').find((c) => c.params.file_id === file?.id);
      expect(upload?.params.bytes).toBeGreaterThan(10_000);
    } finally {
      await env.stop();
      await pool.close();
    }
  });
});
