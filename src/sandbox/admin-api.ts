/**
 * The sandbox's admin HTTP API on 127.0.0.1: set and clear destination-controller faults at
 * run time. JSON in, JSON out; documented in docs/sandbox.md.
 *
 *   GET    /healthz                  {"status":"ok"}
 *   GET    /faults                   {"faults":[Fault...]}
 *   POST   /faults                   body: a Fault -> {"fault":Fault,"faults":[...]}
 *   DELETE /faults                   clears every fault -> {"faults":[]}
 *   DELETE /faults/SERVICE.NAMESPACE clears that service's faults -> {"faults":[...]}
 *   POST   /kubeconfigs/NS/NAME      a kubeconfig (YAML) acting as that ServiceAccount; 404 when
 *                                    it does not exist
 *   GET    /reachability             {"reachable":true|false}   (a cluster of `--clusters` only)
 *   POST   /down                     the cluster's servers refuse connections -> {"reachable":false}
 *   POST   /down?mode=silent         they accept connections and never answer (a cluster that hangs)
 *   POST   /up                       they listen again on the same ports -> {"reachable":true}
 *
 * A bad request is answered 400 with {"error", "field"?, "problems", "validTypes"}.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SHUT_MODES, type ShutMode } from './clusters/port-gate.js';
import type { Fault } from './fault-types.js';
import { StatusError } from './kube/status-error.js';
import { describeIssue, formatPath } from './scenario/describe-issues.js';
import { FAULT_TYPES, faultSchema } from './scenario/fault-schema.js';

export interface FaultControl {
  setFault(fault: Fault): void;
  clearFaults(service?: string): void;
  faults(): Fault[];
}

export interface AdminApiOptions {
  faults: FaultControl;
  /** Kubeconfig YAML acting as an existing ServiceAccount; throws a StatusError 404 when missing. */
  kubeconfigFor?: (namespace: string, name: string) => Promise<string>;
  /** 0 or absent = ephemeral. */
  port?: number;
  /** Takes the cluster's servers down and up (a gated sandbox, src/sandbox/clusters/gate-set.ts). */
  reachability?: ReachabilityControl;
}

export interface ReachabilityControl {
  reachable(): boolean;
  down(mode?: ShutMode): Promise<void>;
  up(): Promise<void>;
}

export interface RunningAdminApi {
  /** `http://127.0.0.1:PORT` */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const SERVICE_KEY = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body['error']));
  }
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpProblem(413, { error: `request body larger than ${MAX_BODY} bytes` }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Validates a fault from a request body; a problem is a 400 naming the field and the valid types. */
export function parseFaultRequest(text: string): Fault {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    throw new HttpProblem(400, {
      error: `request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      example: { type: 'freeze', service: 'web-svc.emojivoto' },
      validTypes: FAULT_TYPES,
    });
  }
  const result = faultSchema.safeParse(input);
  if (!result.success) {
    const first = result.error.issues[0];
    const problems = result.error.issues.map((i) => describeIssue(i, input, faultSchema));
    throw new HttpProblem(400, {
      error: problems[0] ?? 'invalid fault',
      ...(first ? { field: formatPath(first.path) } : {}),
      problems,
      validTypes: FAULT_TYPES,
    });
  }
  return result.data;
}

export async function startAdminApi(opts: AdminApiOptions): Promise<RunningAdminApi> {
  const { faults } = opts;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (path === '/healthz') {
      if (method !== 'GET')
        return send(res, 405, { error: `${method} not allowed on /healthz` }, { Allow: 'GET' });
      return send(res, 200, { status: 'ok' });
    }
    if (path === '/faults') {
      if (method === 'GET') return send(res, 200, { faults: faults.faults() });
      if (method === 'POST') {
        const fault = parseFaultRequest(await readBody(req));
        faults.setFault(fault);
        return send(res, 200, { fault, faults: faults.faults() });
      }
      if (method === 'DELETE') {
        faults.clearFaults();
        return send(res, 200, { faults: faults.faults() });
      }
      return send(res, 405, { error: `${method} not allowed on /faults` }, { Allow: 'GET, POST, DELETE' });
    }
    if (path.startsWith('/faults/')) {
      const service = decodeURIComponent(path.slice('/faults/'.length));
      if (method !== 'DELETE') {
        return send(
          res,
          405,
          { error: `${method} not allowed on /faults/SERVICE.NAMESPACE` },
          { Allow: 'DELETE' },
        );
      }
      if (!SERVICE_KEY.test(service)) {
        return send(res, 400, {
          error: `expected a service as NAME.NAMESPACE (e.g. web-svc.emojivoto), got ${JSON.stringify(service)}`,
          field: 'service',
        });
      }
      faults.clearFaults(service);
      return send(res, 200, { faults: faults.faults() });
    }
    const reachability = opts.reachability;
    if (reachability && (path === '/reachability' || path === '/down' || path === '/up')) {
      const allowed = path === '/reachability' ? 'GET' : 'POST';
      if (method !== allowed)
        return send(res, 405, { error: `${method} not allowed on ${path}` }, { Allow: allowed });
      if (path === '/down') {
        const mode = url.searchParams.get('mode') ?? 'refuse';
        if (!(SHUT_MODES as readonly string[]).includes(mode)) {
          return send(res, 400, {
            error: `mode must be one of ${SHUT_MODES.join(', ')}, got ${JSON.stringify(mode)}`,
            field: 'mode',
          });
        }
        await reachability.down(mode as ShutMode);
      }
      if (path === '/up') await reachability.up();
      return send(res, 200, { reachable: reachability.reachable() });
    }
    const kubeconfigPath = /^\/kubeconfigs\/([^/]+)\/([^/]+)$/.exec(path);
    if (kubeconfigPath?.[1] && kubeconfigPath[2] && opts.kubeconfigFor) {
      if (method !== 'POST') {
        return send(res, 405, { error: `${method} not allowed on /kubeconfigs/NS/NAME` }, { Allow: 'POST' });
      }
      const [namespace, name] = [
        decodeURIComponent(kubeconfigPath[1]),
        decodeURIComponent(kubeconfigPath[2]),
      ];
      let yaml: string;
      try {
        yaml = await opts.kubeconfigFor(namespace, name);
      } catch (err) {
        if (err instanceof StatusError && err.body.code === 404) {
          return send(res, 404, {
            error: `serviceaccount ${namespace}/${name} does not exist`,
            hint: `create it first, e.g. kubectl -n ${namespace} create serviceaccount ${name}, or apply manifests/base`,
          });
        }
        throw err;
      }
      res.writeHead(200, {
        'Content-Type': 'application/yaml',
        'Content-Length': Buffer.byteLength(yaml),
        'Cache-Control': 'no-store',
      });
      res.end(yaml);
      return;
    }
    return send(res, 404, {
      error: `no such endpoint: ${method} ${url.pathname}`,
      endpoints: [
        'GET /healthz',
        'GET /faults',
        'POST /faults',
        'DELETE /faults',
        'DELETE /faults/SERVICE.NAMESPACE',
        ...(opts.kubeconfigFor ? ['POST /kubeconfigs/NAMESPACE/NAME'] : []),
        ...(opts.reachability ? ['GET /reachability', 'POST /down', 'POST /up'] : []),
      ],
    });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpProblem) return send(res, err.status, err.body);
      send(res, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
