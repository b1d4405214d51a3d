/**
 * A Prometheus configuration that scrapes a running sandbox as linkerd-viz's Prometheus scrapes a
 * cluster: job `linkerd-controller` (the destination controller's admin metrics) and job
 * `linkerd-proxy` (the meshed pods' proxies, already labelled `namespace`, `pod`, `deployment`).
 * Usable as is (`prometheus --config.file=...`) or pasted job by job into a prometheus.yml.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
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
  const interval = `${SANDBOX_SCRAPE_INTERVAL_SECONDS}s`;
  const job = (name: string, url: string): string[] => {
    const u = new URL(url);
    return [
      `  - job_name: ${name}`,
      `    scrape_interval: ${interval}`,
      `    scrape_timeout: ${interval}`,
      `    scheme: ${u.protocol.replace(':', '')}`,
      `    metrics_path: ${u.pathname}`,
      '    static_configs:',
      `      - targets: ["${u.host}"]`,
    ];
  };
  return [
    `# Prometheus scraping the meshbot sandbox (scenario ${scenario}), as linkerd-viz's does a cluster.`,
    '# Use as is:  prometheus --config.file=THIS_FILE --storage.tsdb.path=DIR --web.listen-address=127.0.0.1:9090',
    '# or paste the two jobs under scrape_configs: in your own prometheus.yml.',
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    ...job('linkerd-controller', targets.metrics),
    ...job('linkerd-proxy', targets.proxyMetrics),
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
