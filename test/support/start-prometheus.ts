/**
 * A real Prometheus (Debian's `prometheus` package; .ci/run installs it) as a plain process on
 * loopback, scraping the given /metrics URLs every second, for the metrics tests.
 * It FAILS (never skips) when the binary is missing. Readiness and "has scraped" are bounded
 * polls of Prometheus's own endpoints, not sleeps. stop() kills it and removes its data.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScrapeTarget {
  /** Prometheus job name, e.g. `linkerd-controller`, `linkerd-proxy`. */
  job: string;
  /** `http://127.0.0.1:PORT/metrics` */
  url: string;
}

export interface RunningPrometheus {
  /** `http://127.0.0.1:PORT` */
  url: string;
  dataDir: string;
  /** The process's output so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** The targets to scrape (a config is written for them), unless `configFile` is given. */
  targets: ScrapeTarget[];
  /** Run with exactly this configuration file instead (its targets: `targets`, for the scrape wait). */
  configFile?: string;
  scrapeIntervalSeconds?: number;
  /** Bound of every wait (ready, first scrape), ms. Default 20 s. */
  timeoutMs?: number;
  /** More flags, e.g. `--query.max-samples=10`. */
  extraArgs?: string[];
}

const BINARY = process.env.PROMETHEUS_BIN ?? 'prometheus';

/** Throws a clear error when the Prometheus binary cannot be run. */
export function requirePrometheusBinary(binary: string = BINARY): string {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `The metrics tests need a real Prometheus, and "${binary}" could not be run (${probe.error?.message ?? `exit ${probe.status}`}). ` +
        "Install Debian's package (apt-get install prometheus; .ci/run does) or set PROMETHEUS_BIN to its path.",
    );
  }
  return binary;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `intervalMs` until it returns a value (not undefined), at most `timeoutMs`.
 * The bounded retry loop the tests use to wait for Prometheus to see a condition.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 20_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await delay(intervalMs);
  }
}

/** One sample of an instant query's vector: its labels and `[time, "value"]`. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** The samples of an instant query with their labels, straight from the HTTP API (independent of meshbot's client). */
export async function queryVector(prometheusUrl: string, promql: string): Promise<VectorSample[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result?: VectorSample[] };
  };
  if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

/** The values of an instant query's samples. */
export async function queryValues(prometheusUrl: string, promql: string): Promise<number[]> {
  return (await queryVector(prometheusUrl, promql)).map((r) => Number(r.value[1]));
}

/** Waits until an instant query returns a first value that satisfies `ok`. */
export async function waitForQuery(
  prometheusUrl: string,
  promql: string,
  ok: (value: number) => boolean,
  timeoutMs = 20_000,
): Promise<number> {
  return pollUntil(
    `Prometheus to answer ${promql} with a matching value`,
    async () => {
      const [v] = await queryValues(prometheusUrl, promql);
      return v !== undefined && ok(v) ? v : undefined;
    },
    { timeoutMs },
  );
}

function configYaml(targets: ScrapeTarget[], interval: number): string {
  const jobs = targets.map((t) => {
    const u = new URL(t.url);
    return [
      `  - job_name: ${JSON.stringify(t.job)}`,
      `    metrics_path: ${JSON.stringify(u.pathname)}`,
      `    scheme: ${u.protocol.replace(':', '')}`,
      `    static_configs:`,
      `      - targets: [${JSON.stringify(u.host)}]`,
    ].join('\n');
  });
  return [
    'global:',
    `  scrape_interval: ${interval}s`,
    `  evaluation_interval: ${interval}s`,
    `  scrape_timeout: ${interval}s`,
    'scrape_configs:',
    ...jobs,
    '',
  ].join('\n');
}

export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = requirePrometheusBinary();
  const timeoutMs = options.timeoutMs ?? 20_000;
  const dataDir = await mkdtemp(join(tmpdir(), 'meshbot-prometheus-'));
  const configFile = options.configFile ?? join(dataDir, 'prometheus.yml');
  if (!options.configFile)
    await writeFile(configFile, configYaml(options.targets, options.scrapeIntervalSeconds ?? 1));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });

  // Never outlive the test process, even when a test forgets stop().
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await pollUntil(
      `Prometheus at ${url} to be ready`,
      async () => {
        if (exitedEarly) throw new Error(`prometheus exited: ${output.trim().slice(-600)}`);
        const res = await fetch(`${url}/-/ready`);
        await res.arrayBuffer();
        return res.ok ? true : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
    // Every target scraped successfully at least once (from the targets API, which needs no
    // query: a Prometheus started with query limits answers it too).
    await pollUntil(
      `Prometheus to scrape ${options.targets.map((t) => t.url).join(', ')}`,
      async () => {
        if (exitedEarly) throw new Error(`prometheus exited: ${output.trim().slice(-600)}`);
        const res = await fetch(`${url}/api/v1/targets?state=active`);
        const body = (await res.json()) as { data?: { activeTargets?: Array<{ health?: string }> } };
        const up = (body.data?.activeTargets ?? []).filter((t) => t.health === 'up');
        return up.length >= options.targets.length ? true : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, dataDir, log: () => output, stop };
}
