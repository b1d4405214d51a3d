/**
 * The Linkerd proxy's admin server (port 4191) of one pod, reached as `linkerd diagnostics
 * proxy-metrics` reaches it: a port-forward through the Kubernetes API (`pods/portforward`,
 * verb create) to the pod, then plain HTTP/1.1. The proxy answers `/proxy-log-level` only to
 * clients on localhost, which a port-forward's connection is (linkerd/app/admin/src/server.rs):
 * - `GET /proxy-log-level`: 200 with the filter in force;
 * - `PUT /proxy-log-level` with the filter as body: 204, or 400 with the parse error;
 * - 404 when the proxy runs without a log handle (its log turned off at start).
 * One tunnel per call, closed after it; calls are bounded per adapter set.
 */
import { request } from 'node:http';
import { MeshbotError } from '../../errors.js';
import { createConcurrencyLimit } from '../concurrency-limit.js';
import { openPortForwardTunnel, type KubeEndpoint } from '../kube/port-forward-tunnel.js';

export const PROXY_ADMIN_PORT = 4191;
/** The largest answer read from an admin server (a log filter is a line). */
const MAX_ANSWER = 64 * 1024;

export interface ProxyAdminClient {
  /** The pod's proxy log filter (GET /proxy-log-level). */
  getLogLevel(namespace: string, pod: string): Promise<string>;
  /** Sets the pod's proxy log filter (PUT /proxy-log-level); a refused filter is a `usage` error. */
  setLogLevel(namespace: string, pod: string, filter: string): Promise<void>;
}

interface Answer {
  status: number;
  body: string;
}

function httpCall(
  address: string,
  method: 'GET' | 'PUT',
  path: string,
  body: string | undefined,
  timeoutMs: number,
): Promise<Answer> {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        method,
        path,
        headers: {
          ...(body !== undefined
            ? { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }
            : {}),
          connection: 'close',
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_ANSWER) chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function createProxyAdminClient(
  apiServer: KubeEndpoint,
  options: { timeoutMs: number; maxConcurrent?: number },
): ProxyAdminClient {
  const limit = createConcurrencyLimit(options.maxConcurrent ?? 4);

  const call = (namespace: string, pod: string, method: 'GET' | 'PUT', body?: string): Promise<Answer> =>
    limit.run(async () => {
      const tunnel = await openPortForwardTunnel(apiServer, {
        namespace,
        pod,
        port: PROXY_ADMIN_PORT,
        connectTimeoutMs: options.timeoutMs,
        notListeningHint: `Is ${namespace}/${pod} meshed (a linkerd-proxy container with its admin port ${PROXY_ADMIN_PORT})?`,
      });
      try {
        return await httpCall(tunnel.address, method, '/proxy-log-level', body, options.timeoutMs);
      } catch (err) {
        // The tunnel's own failure (403 on pods/portforward, pod gone) says more than "socket hang up".
        throw (
          tunnel.lastError() ??
          new MeshbotError(
            'unreachable',
            `the admin server of ${namespace}/${pod} (port ${PROXY_ADMIN_PORT}) did not answer: ${err instanceof Error ? err.message : String(err)}`,
            'Is the pod meshed and its linkerd-proxy container running?',
            { cause: err },
          )
        );
      } finally {
        await tunnel.close();
      }
    });

  const refused = (namespace: string, pod: string, a: Answer): MeshbotError => {
    const where = `the proxy of ${namespace}/${pod}`;
    const text = a.body.trim().slice(0, 300);
    switch (a.status) {
      case 403:
        return new MeshbotError(
          'forbidden',
          `${where} refused /proxy-log-level (403): ${text || 'only localhost may use it'}`,
          'The admin server answers /proxy-log-level only to localhost; meshbot reaches it through a port-forward.',
        );
      case 404:
        return new MeshbotError(
          'not-found',
          `${where} has no /proxy-log-level (404): its log was turned off at start`,
          'A proxy started with LINKERD2_PROXY_LOG=off cannot change its level; set config.linkerd.io/proxy-log-level and restart it.',
        );
      default:
        return new MeshbotError(
          'unreachable',
          `${where} answered /proxy-log-level with HTTP ${a.status}${text ? `: ${text}` : ''}`,
        );
    }
  };

  return {
    async getLogLevel(namespace, pod) {
      const a = await call(namespace, pod, 'GET');
      if (a.status !== 200) throw refused(namespace, pod, a);
      return a.body.trim();
    },
    async setLogLevel(namespace, pod, filter) {
      const a = await call(namespace, pod, 'PUT', filter);
      if (a.status === 204 || a.status === 200) return;
      if (a.status === 400) {
        throw new MeshbotError(
          'usage',
          `the proxy of ${namespace}/${pod} refused the log filter "${filter}": ${a.body.trim().slice(0, 300)}`,
          'A filter is a level (off, error, warn, info, debug, trace) or directives such as warn,linkerd=debug.',
        );
      }
      throw refused(namespace, pod, a);
    },
  };
}
