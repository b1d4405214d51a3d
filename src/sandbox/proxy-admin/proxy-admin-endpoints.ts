/**
 * The admin server (port 4191) of every meshed pod's proxy, reachable the way it is on a real
 * cluster: through a port-forward (`pods/portforward`) to the pod. Each pod gets its own small
 * HTTP server, started on the first port-forward to it and closed when the pod goes away,
 * listening on a Unix socket in a private directory (bound synchronously, so the API server's
 * port-forward can dial it at once). It serves what linkerd2-proxy's admin server does
 * (linkerd/app/admin/src/server.rs):
 * - `GET /ready` 200 `ready\n`, `GET /live` 200 `live\n`;
 * - `GET /metrics`: the pod's own series of the sandbox's proxy metrics;
 * - `GET /proxy-log-level`: the filter in force, 200 text; `PUT /proxy-log-level` with the new
 *   filter as body: 204, or 400 with the parse error as text; other methods 405 with
 *   `allow: GET, PUT`. (The real server answers 403 to clients that are not on localhost; a
 *   port-forward's connection is local to the pod, as here.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LogFilterError } from '../../domain/proxy-log-filter.js';
import type { SimulatedProxies, SimulatedProxy } from './simulated-proxies.js';

export const PROXY_ADMIN_PORT = 4191;
/** The largest PUT body the sandbox reads. */
const MAX_BODY = 64 * 1024;

export interface ProxyAdminEndpoints {
  /** Where a port-forward to `pod:port` goes: the pod's admin socket, or undefined. */
  resolve(namespace: string, pod: string, port: number): { path: string } | undefined;
  close(): Promise<void>;
}

/** Lines of the Prometheus text of every pod that belong to one pod (and the HELP/TYPE lines). */
export function podSeries(text: string, namespace: string, pod: string): string {
  const ns = `namespace="${namespace}"`;
  const p = `pod="${pod}"`;
  return text
    .split('\n')
    .filter((l) => l.startsWith('#') || (l.includes(p) && l.includes(ns)))
    .join('\n');
}

export function startProxyAdminEndpoints(options: {
  proxies: SimulatedProxies;
  /** The sandbox's proxy metrics (`http://127.0.0.1:PORT/metrics`), when it runs. */
  metricsUrl?: () => string | undefined;
}): ProxyAdminEndpoints {
  const dir = mkdtempSync(path.join(tmpdir(), 'mb-admin-'));
  const servers = new Map<string, { server: Server; path: string }>();
  let counter = 0;
  let closed = false;

  const metrics = async (proxy: SimulatedProxy, res: ServerResponse): Promise<void> => {
    const url = options.metricsUrl?.();
    if (!url) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end('');
      return;
    }
    const all = await fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.text());
    res
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      .end(podSeries(all, proxy.namespace, proxy.pod));
  };

  const logLevel = (proxy: SimulatedProxy, req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === 'GET') {
      res.writeHead(200).end(proxy.log.filter());
      return;
    }
    if (req.method !== 'PUT') {
      res.writeHead(405, { allow: 'GET, PUT' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      try {
        proxy.log.setFilter(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(204).end();
      } catch (err) {
        if (!(err instanceof LogFilterError)) throw err;
        res.writeHead(400).end(err.message);
      }
    });
  };

  const serverFor = (proxy: SimulatedProxy): string => {
    const existing = servers.get(proxy.uid);
    if (existing) return existing.path;
    const socketPath = path.join(dir, `${++counter}.sock`);
    const server = createServer((req, res) => {
      const route = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (route === '/ready') res.writeHead(200, { 'content-type': 'text/plain' }).end('ready\n');
      else if (route === '/live') res.writeHead(200, { 'content-type': 'text/plain' }).end('live\n');
      else if (route === '/metrics') {
        metrics(proxy, res).catch((err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
        });
      } else if (route === '/proxy-log-level') logLevel(proxy, req, res);
      else res.writeHead(404).end();
    });
    server.listen(socketPath);
    servers.set(proxy.uid, { server, path: socketPath });
    return socketPath;
  };

  const closeOne = (uid: string): Promise<void> => {
    const s = servers.get(uid);
    if (!s) return Promise.resolve();
    servers.delete(uid);
    s.server.closeAllConnections();
    return new Promise((resolve) => s.server.close(() => resolve()));
  };
  options.proxies.onRemoved((uid) => void closeOne(uid));

  return {
    resolve(namespace, pod, port) {
      if (closed || port !== PROXY_ADMIN_PORT) return undefined;
      const proxy = options.proxies.get(namespace, pod);
      return proxy ? { path: serverFor(proxy) } : undefined;
    },
    async close() {
      closed = true;
      await Promise.all([...servers.keys()].map(closeOne));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
