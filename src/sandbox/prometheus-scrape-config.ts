/**
 * A Prometheus configuration that scrapes a running sandbox as linkerd-viz's Prometheus scrapes a
 * cluster: job `linkerd-controller` (the destination controller's admin metrics) and job
 * `linkerd-proxy` (the meshed pods' proxies, already labelled `namespace`, `pod`, `deployment`).
 * Usable as is (`prometheus --config.file=...`) or pasted job by job into a prometheus.yml.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ScrapeTargets {
  /** The destination controller's `http://127.0.0.1:PORT/metrics`. */
  metrics: string;
  /** The proxies' `http://127.0.0.1:PORT/metrics`. */
  proxyMetrics: string;
}

/** The sandbox's series change every second: scrape that often (each job says so too, for pasting). */
export const SANDBOX_SCRAPE_INTERVAL_SECONDS = 1;

export function prometheusScrapeConfig(targets: ScrapeTargets, scenario: string): string {
  return scrapeConfigText([targets], `the meshbot sandbox (scenario ${scenario})`);
}

/** One cluster's targets, labelled `cluster` in every series Prometheus stores from them. */
export interface ClusterScrapeTargets extends ScrapeTargets {
  cluster: string;
}

/**
 * The configuration for a sandbox of several clusters: the same two jobs, one static config per
 * cluster with the target label `cluster` (so `sum by (cluster) (...)` tells them apart; the
 * destination's own `cluster="local"` label, as linkerd2 sets it, is kept as `exported_cluster`).
 */
export function prometheusClustersScrapeConfig(clusters: ClusterScrapeTargets[], scenario: string): string {
  return scrapeConfigText(
    clusters,
    `the meshbot sandbox's clusters ${clusters.map((c) => c.cluster).join(', ')} (${scenario})`,
  );
}

function scrapeConfigText(targets: Array<ScrapeTargets & { cluster?: string }>, what: string): string {
  const interval = `${SANDBOX_SCRAPE_INTERVAL_SECONDS}s`;
  const job = (name: string, urls: Array<{ url: string; cluster?: string | undefined }>): string[] => {
    const u = new URL(urls[0]?.url ?? 'http://127.0.0.1/metrics');
    return [
      `  - job_name: ${name}`,
      `    scrape_interval: ${interval}`,
      `    scrape_timeout: ${interval}`,
      `    scheme: ${u.protocol.replace(':', '')}`,
      `    metrics_path: ${u.pathname}`,
      '    static_configs:',
      ...urls.flatMap((t) => [
        `      - targets: ["${new URL(t.url).host}"]`,
        ...(t.cluster !== undefined ? [`        labels: { cluster: "${t.cluster}" }`] : []),
      ]),
    ];
  };
  return [
    `# Prometheus scraping ${what}, as linkerd-viz's does a cluster.`,
    '# Use as is:  prometheus --config.file=THIS_FILE --storage.tsdb.path=DIR --web.listen-address=127.0.0.1:9090',
    '# or paste the two jobs under scrape_configs: in your own prometheus.yml.',
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    ...job(
      'linkerd-controller',
      targets.map((t) => ({ url: t.metrics, cluster: t.cluster })),
    ),
    ...job(
      'linkerd-proxy',
      targets.map((t) => ({ url: t.proxyMetrics, cluster: t.cluster })),
    ),
    '',
  ].join('\n');
}

/**
 * Writes the configuration to `file`, or to `prometheus.yml` in a new temporary directory;
 * returns the path and the directory to remove afterwards (undefined when the caller chose the file).
 */
export async function writePrometheusScrapeConfig(
  text: string,
  file?: string,
): Promise<{ path: string; tempDir?: string }> {
  if (file) {
    await writeFile(file, text);
    return { path: file };
  }
  const tempDir = await mkdtemp(path.join(tmpdir(), 'meshbot-prometheus-config-'));
  const out = path.join(tempDir, 'prometheus.yml');
  await writeFile(out, text);
  return { path: out, tempDir };
}

/**
 * One configuration per cluster of a sandbox's cluster set, as linkerd-viz runs one Prometheus
 * per cluster: each scrapes its own cluster only, without a `cluster` label (a cluster's
 * Prometheus holds that cluster's series alone). Point each cluster of meshbot's `clusters:` at
 * the Prometheus running its file, and `routes --cluster west` reads west alone. Written as
 * `prometheus-NAME.yml` in `dir`; returns each path by cluster name.
 */
export async function writeClusterScrapeConfigs(
  dir: string,
  clusters: ClusterScrapeTargets[],
  scenario: string,
): Promise<Record<string, string>> {
  const written: Record<string, string> = {};
  try {
    for (const c of clusters) {
      const file = path.join(dir, `prometheus-${c.cluster}.yml`);
      const own: ScrapeTargets = { metrics: c.metrics, proxyMetrics: c.proxyMetrics };
      await writeFile(
        file,
        scrapeConfigText([own], `the meshbot sandbox's cluster ${c.cluster} alone (${scenario})`),
      );
      written[c.cluster] = file;
    }
  } catch (err) {
    await Promise.all(Object.values(written).map((f) => rm(f, { force: true })));
    throw err;
  }
  return written;
}
