import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * `/healthz`: the process answers. `/readyz`: it is connected to Slack and can serve; `notes`
 * (e.g. `unreachable clusters: west`) are added to the body and never fail it: a cluster that
 * does not answer is not cured by restarting or unrouting meshbot, and the others still answer
 * (docs/clusters.md).
 */
export function healthResponse(
  path: string,
  isReady: () => boolean,
  notes: () => string[] = () => [],
): { status: number; body: string } | undefined {
  if (path === '/healthz') return { status: 200, body: 'ok\n' };
  if (path === '/readyz') {
    const extra = notes()
      .map((n) => `${n}\n`)
      .join('');
    return isReady()
      ? { status: 200, body: `ready\n${extra}` }
      : { status: 503, body: `not ready\n${extra}` };
  }
  return undefined;
}

export function writeHealth(res: ServerResponse, r: { status: number; body: string }): void {
  res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(r.body);
}

/** meshbot's own metrics in Prometheus' text format (src/metrics/meshbot-metrics.ts). */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

/** Answers GET /metrics from `source`. */
export function writeMetrics(res: ServerResponse, source: MetricsSource): void {
  source.metrics().then(
    (body) => {
      res.writeHead(200, { 'content-type': source.contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
    (err: unknown) => writeHealth(res, { status: 500, body: `metrics failed: ${String(err)}\n` }),
  );
}

/** The small HTTP server for the probes (and /metrics) in Socket Mode, where Bolt serves no HTTP. */
export async function startHealthServer(
  port: number,
  isReady: () => boolean,
  host?: string,
  metrics?: MetricsSource,
  notes?: () => string[],
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (metrics && path === '/metrics' && req.method === 'GET') {
      writeMetrics(res, metrics);
      return;
    }
    const r =
      req.method === 'GET' || req.method === 'HEAD' ? healthResponse(path, isReady, notes) : undefined;
    writeHealth(res, r ?? { status: 404, body: 'not found\n' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
