import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { MeshbotError } from '../../errors.js';
import type { KubeConnectionOptions } from './kube-get.js';
import { forbiddenError, parseForbiddenMessage, parseStatus } from './translate-kube-error.js';

/** How to reach the API server: its URL and the connection settings of the kubeconfig (kube-get.ts). */
export interface KubeEndpoint {
  server: string;
  connection: () => KubeConnectionOptions | Promise<KubeConnectionOptions>;
}

export interface PortForwardTunnel {
  /** `127.0.0.1:PORT`, the local end. */
  address: string;
  /** The pod the latest connection went to. */
  pod(): string;
  /** The last failure of a forwarded connection, translated. */
  lastError(): MeshbotError | undefined;
  close(): Promise<void>;
}

export interface PortForwardTarget {
  namespace: string;
  /** The pod, or a function that picks one for each new connection (a replaced pod is followed). */
  pod: string | (() => Promise<string>);
  port: number;
  /** Limit of the WebSocket handshake, ms. */
  connectTimeoutMs: number;
}

/** The API server answered the WebSocket upgrade with an HTTP error (and, usually, a Status body). */
class UpgradeRefused extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(`the API server answered the port-forward upgrade with HTTP ${statusCode}`);
  }
}

/**
 * One WebSocket of `pods/portforward` (protocol `v4.channel.k8s.io`, as kubectl and
 * client-node's PortForward speak it), authenticated as the kubeconfig says, carrying `socket`
 * to the pod's port: every message is a channel byte then data (channel 0 the data, 1 the
 * errors, each opening with the port as two bytes); what the socket sends goes out on channel
 * 0. A refused upgrade is read whole (its Status names a missing permission).
 */
async function connectChannels(
  endpoint: KubeEndpoint,
  path: string,
  socket: Socket,
  errors: Writable,
): Promise<WebSocket> {
  const url = `${endpoint.server.replace(/^http/, 'ws').replace(/\/$/, '')}${path}`;
  const { headers, ...tls } = await endpoint.connection();
  const opts: WebSocket.ClientOptions = {
    ...tls,
    headers: Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)])),
  };
  const ws = new WebSocket(url, ['v4.channel.k8s.io'], opts);
  // Listening before the upgrade completes: the first messages (the port prefixes) can arrive
  // with the upgrade's answer, in the same tick as 'open'.
  const portPrefixPending = [true, true];
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (buf.length < 1) return;
    const channel = buf.readUInt8(0);
    // Only one port is forwarded: channels 0 and 1; anything else ends the connection.
    if (channel > 1) {
      ws.close();
      return;
    }
    let payload = buf.subarray(1);
    if (portPrefixPending[channel]) {
      payload = payload.subarray(2);
      portPrefixPending[channel] = false;
    }
    if (channel === 1) errors.write(payload);
    else socket.write(payload);
  });
  await new Promise<void>((resolve, reject) => {
    ws.on('unexpected-response', (req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      // Read the whole Status before closing: destroying the request at once lost the body,
      // so a 403 always read as `create` whatever the server said.
      res.on('end', () => {
        reject(new UpgradeRefused(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        req.destroy();
      });
      res.on('error', () => {
        reject(new UpgradeRefused(res.statusCode ?? 0, ''));
        req.destroy();
      });
    });
    ws.once('open', () => resolve());
    // Kept after the upgrade too: a later failure closes the socket (its 'close' ends the tunnel).
    ws.on('error', reject);
  });
  socket.on('data', (chunk: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), chunk])));
  socket.on('end', () => ws.close());
  return ws;
}

/**
 * A local TCP listener on 127.0.0.1 whose every connection is carried to `pod:port` through the
 * Kubernetes API's `pods/portforward` WebSocket (no client-node: the kubeconfig's connection
 * settings come with `endpoint`), as `kubectl port-forward` and `linkerd diagnostics endpoints`
 * do. One WebSocket per connection;
 * closing the tunnel closes the listener, every socket and every WebSocket.
 */
export async function openPortForwardTunnel(
  endpoint: KubeEndpoint,
  target: PortForwardTarget,
): Promise<PortForwardTunnel> {
  const server: Server = createServer();
  const sockets = new Set<Socket>();
  const webSockets = new Set<WebSocket>();
  const apiServer = endpoint.server;
  let currentPod = typeof target.pod === 'string' ? target.pod : '(pod not picked yet)';
  const where = (): string => `${target.namespace}/${currentPod}:${target.port}`;
  const pickPod = (): Promise<string> =>
    typeof target.pod === 'string' ? Promise.resolve(target.pod) : target.pod();
  let last: MeshbotError | undefined;

  const translate = (err: unknown): MeshbotError => {
    if (err instanceof MeshbotError) return err;
    const code = err instanceof UpgradeRefused ? err.statusCode : undefined;
    if (code === 403) {
      const status = parseStatus(err instanceof UpgradeRefused ? err.body : '');
      const parsed = status?.message ? parseForbiddenMessage(status.message) : undefined;
      return forbiddenError(
        parsed ?? { verb: 'create', resource: 'pods/portforward', group: '', namespace: target.namespace },
        err,
      );
    }
    if (code === 401) {
      return new MeshbotError(
        'unauthenticated',
        `Kubernetes at ${apiServer} did not accept meshbot's credentials for the port-forward (401)`,
        'Check the kubeconfig user or token.',
      );
    }
    if (code === 404) {
      return new MeshbotError(
        'unreachable',
        `the port-forward to ${where()} failed: the pod no longer exists (404)`,
        'Retry: meshbot picks a running destination pod each time.',
      );
    }
    const message =
      err instanceof Error
        ? err.message
        : typeof err === 'object' && err !== null && 'message' in err
          ? String((err as { message: unknown }).message)
          : String(err);
    return new MeshbotError(
      'unreachable',
      `the port-forward to ${where()} through ${apiServer} failed${code ? ` (HTTP ${code})` : ''}: ${message}`,
      `Check that ${apiServer} is reachable and serves pods/portforward, or pass --destination HOST:PORT.`,
      { cause: err },
    );
  };

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    let ws: WebSocket | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      ws?.close();
    };
    socket.on('close', () => {
      sockets.delete(socket);
      finish();
    });
    socket.on('error', finish);
    const errors = new Writable({
      write(chunk: Buffer, _enc, cb) {
        const text = chunk.toString('utf8').trim();
        if (text) {
          last = new MeshbotError(
            'unreachable',
            `the port-forward to ${where()} failed: ${text}`,
            'Is the destination container listening on its gRPC port (8086)? Check the pod with kubectl describe.',
          );
          finish();
        }
        cb();
      },
    });
    const timer = setTimeout(() => {
      last = new MeshbotError(
        'timeout',
        `the port-forward to ${where()} through ${apiServer} did not open within ${target.connectTimeoutMs} ms`,
        'The API server is slow; retry with a longer --timeout, or pass --destination HOST:PORT.',
      );
      finish();
    }, target.connectTimeoutMs);
    pickPod()
      .then((pod) => {
        currentPod = pod;
        if (done) return null;
        const path = `/api/v1/namespaces/${target.namespace}/pods/${pod}/portforward?ports=${target.port}`;
        return connectChannels(endpoint, path, socket, errors);
      })
      .then(
        (handle) => {
          clearTimeout(timer);
          if (handle === null) return;
          ws = handle;
          webSockets.add(handle);
          handle.on('close', () => {
            webSockets.delete(handle);
            finish();
          });
          if (done) handle.close();
        },
        (err: unknown) => {
          clearTimeout(timer);
          last = translate(err);
          finish();
        },
      );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    address: `127.0.0.1:${port}`,
    pod: () => currentPod,
    lastError: () => last,
    close: async () => {
      for (const s of sockets) s.destroy();
      for (const w of webSockets) w.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
