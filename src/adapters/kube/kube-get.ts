/**
 * A GET of the Kubernetes API answered as parsed JSON: what KubeAdapter's reads are made of.
 * It needs no client library: the connection settings (TLS material, the Authorization header,
 * client-node's proxy agent) come from the caller, either read from a plain kubeconfig
 * (plain-kubeconfig.ts) or as client-node applies them (exec plugins, auth providers,
 * proxies: open-adapters.ts). A non-2xx answer is a KubeStatusError with the answer's Status.
 */
import {
  request as httpRequest,
  type Agent,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KubeStatusError } from './translate-kube-error.js';

/** What a request to the API server needs besides its URL. */
export interface KubeConnectionOptions {
  ca?: Buffer | string | Array<Buffer | string>;
  cert?: Buffer | string | Array<Buffer | string>;
  key?: Buffer | string | Array<Buffer | string>;
  rejectUnauthorized?: boolean;
  servername?: string;
  headers?: OutgoingHttpHeaders;
  /** `user:password` (basic authentication). */
  auth?: string;
  agent?: Agent;
}

export type KubeGet = (path: string, query?: Record<string, string | number | undefined>) => Promise<unknown>;

/** Reads the whole answer; a non-2xx one as KubeStatusError (body: the Status object, or the text). */
function readAnswer(res: IncomingMessage, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = res.statusCode ?? 0;
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        if (status >= 200 && status < 300) {
          reject(new Error(`the answer to GET ${path} is not JSON`));
          return;
        }
      }
      if (status >= 200 && status < 300) resolve(body);
      else reject(new KubeStatusError(status, body));
    });
  });
}

/**
 * GETs under `server` (the kubeconfig's URL, without a trailing slash), each aborted after
 * `timeoutMs` (an AbortError, which translateKubeError names a timeout). One connection per
 * request, as client-node opens them.
 */
export function createKubeGet(
  server: string,
  connection: () => KubeConnectionOptions | Promise<KubeConnectionOptions>,
  timeoutMs: number,
): KubeGet {
  return async (path, query = {}) => {
    const url = new URL(`${server}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const options = await connection();
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<unknown>((resolve, reject) => {
      const req = send(
        url,
        {
          ...options,
          method: 'GET',
          headers: { Accept: 'application/json', ...options.headers },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => readAnswer(res, path).then(resolve, reject),
      );
      req.on('error', reject);
      req.end();
    });
  };
}
