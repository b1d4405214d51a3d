/**
 * `routes --cluster` over a sandbox cluster set with one Prometheus per cluster, as linkerd-viz
 * runs them: each Prometheus runs the scrape config `meshbot sandbox --clusters` writes for its
 * cluster alone (writeClusterScrapeConfigs), meshbot's `clusters:` point each cluster at its
 * own, and the same route reads differently in each: leaderboard-record fails 40% in east and
 * not at all in west. (With the one shared Prometheus of before, west read east's failures too.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runRoutesCommand } from '../../../src/cli/commands/routes.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import { startClusters, type RunningClusters } from '../../../src/sandbox/clusters/start-clusters.js';
import { writeClusterScrapeConfigs } from '../../../src/sandbox/prometheus-scrape-config.js';
import { loadScenario } from '../../../src/sandbox/scenario/load-scenario.js';
import type { RoutesData } from '../../../src/steps/routes/routes-types.js';
import { startPrometheus, waitForQuery, type RunningPrometheus } from '../../support/start-prometheus.js';

describe('routes over two clusters, one Prometheus each', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshbot-routes-clusters-'));
  const config = join(dir, 'meshbot.yaml');
  let clusters: RunningClusters;
  const prometheus: Record<string, RunningPrometheus> = {};

  beforeAll(async () => {
    // west: emojivoto-routes with leaderboard-record healthy and fast.
    const west = loadScenario('emojivoto-routes');
    west.traffic = west.traffic.map((e) =>
      e.route === 'leaderboard-record' ? { ...e, successRate: 1, latencyMs: { p50: 5, p99: 30 } } : e,
    );
    clusters = await startClusters({
      clusters: [
        { name: 'east', scenario: 'emojivoto-routes' },
        { name: 'west', scenario: west },
      ],
      podReadyDelayMs: 0,
    });
    const files = await writeClusterScrapeConfigs(
      dir,
      clusters.names.map((name) => ({ cluster: name, ...clusters.cluster(name) })),
      'routes-clusters test',
    );
    await Promise.all(
      clusters.names.map(async (name) => {
        const c = clusters.cluster(name);
        prometheus[name] = await startPrometheus({
          targets: [
            { job: 'linkerd-controller', url: c.metrics },
            { job: 'linkerd-proxy', url: c.proxyMetrics },
          ],
          configFile: files[name]!,
        });
      }),
    );
    writeFileSync(
      config,
      stringify({
        clusters: clusters.names.map((name) => ({
          name,
          kubeconfig: clusters.cluster(name).kubeconfig,
          destination: clusters.cluster(name).destination,
          prometheusUrl: prometheus[name]!.url,
        })),
      }),
    );
    await Promise.all(
      Object.values(prometheus).map((p) =>
        waitForQuery(
          p.url,
          'sum(increase(outbound_grpc_route_request_statuses_total{route_name="leaderboard-record"}[1m]))',
          (v) => v >= 15,
          40_000,
        ),
      ),
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all(Object.values(prometheus).map((p) => p.stop()));
    await clusters?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function routes(cluster: string): Promise<{ code: number; result: StepResult<RoutesData> }> {
    let stdout = '';
    let stderr = '';
    const code = await runRoutesCommand(
      'svc/leaderboard-svc.emojivoto',
      { config, cluster, output: 'json', window: '1m' },
      {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: (t: string) => (stderr += t) },
        env: {},
      },
    );
    if (!stdout) throw new Error(`routes --cluster ${cluster} printed nothing; stderr: ${stderr}`);
    return { code, result: JSON.parse(stdout) as StepResult<RoutesData> };
  }

  it("reads each cluster's routes from that cluster's Prometheus alone", async () => {
    const [east, west] = await Promise.all([routes('east'), routes('west')]);
    expect(east.result.data.cluster).toBe('east');
    expect(east.result.data.prometheusUrl).toBe(prometheus['east']!.url);
    expect(west.result.data.cluster).toBe('west');
    expect(west.result.data.prometheusUrl).toBe(prometheus['west']!.url);

    const record = (r: StepResult<RoutesData>) => r.data.rows.find((x) => x.route === 'leaderboard-record')!;
    expect(record(east.result).successRate).toBeLessThan(0.75);
    expect(record(east.result).verdict).toBe('fail');
    expect(east.code).toBe(1);
    // West's own traffic only: every RPC OK.
    expect(record(west.result).successRate).toBe(1);
    expect(record(west.result).requests).toBeGreaterThanOrEqual(15);
    expect(record(west.result).verdict).toBeUndefined();
    expect(west.code).toBe(0);
  });
});
