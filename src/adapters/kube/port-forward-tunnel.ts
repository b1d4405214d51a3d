import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { MeshbotError } from '../../errors.js';
import { forbiddenError, parseForbiddenMessage, parseStatus } from './translate-kube-error.js';

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
  /** The hint when nothing listens on the port in the pod (default: the destination's gRPC port). */
  notListeningHint?: string;
}

/** Close-code-free handle of the WebSocket client-node returns. */
interface ClosableSocket {
  close(): void;
  on(event: 'close', fn: () => void): unknown;
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
 * The WebSocket side of client-node's PortForward: speaks `v4.channel.k8s.io`, authenticates
 * as the kubeconfig says, and reads the Status body of a refused upgrade (403 names the
 * missing permission), which client-node's own handler drops.
 */
function channelSocketHandler(kc: KubeConfig): {
  connect(
    path: string,
    textHandler: ((text: string) => boolean) | null,
    binaryHandler: ((stream: number, buff: Buffer) => boolean) | null,
  ): Promise<WebSocket>;
} {
  return {
    async connect(path, _textHandler, binaryHandler) {
      const server = kc.getCurrentCluster()?.server;
      if (!server) throw new MeshbotError('config', 'the kubeconfig has no current cluster');
      const url = `${server.replace(/^http/, 'ws').replace(/\/$/, '')}${path}`;
      const opts: WebSocket.ClientOptions = {};
      await kc.applyToHTTPSOptions(opts);
      return new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url, ['v4.channel.k8s.io'], opts);
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
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
        ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
          const buf = Buffer.isBuffer(data)
            ? data
            : Array.isArray(data)
              ? Buffer.concat(data)
              : Buffer.from(data);
          if (buf.length < 1 || !binaryHandler) return;
          if (!binaryHandler(buf.readUInt8(0), buf.subarray(1))) ws.close();
        });
      });
    },
  };
}

/**
 * A local TCP listener on 127.0.0.1 whose every connection is carried to `pod:port` through the
 * Kubernetes API's `pods/portforward` WebSocket (client-node's PortForward), as
 * `kubectl port-forward` and `linkerd diagnostics endpoints` do. One WebSocket per connection;
 * closing the tunnel closes the listener, every socket and every WebSocket.
 */
export async function openPortForwardTunnel(
  kc: KubeConfig,
  target: PortForwardTarget,
): Promise<PortForwardTunnel> {
  const server: Server = createServer();
  const sockets = new Set<Socket>();
  const webSockets = new Set<ClosableSocket>();
  const apiServer = kc.getCurrentCluster()?.server ?? '(no server)';
  let currentPod = typeof target.pod === 'string' ? target.pod : '(pod not picked yet)';
  const where = (): string => `${target.namespace}/${currentPod}:${target.port}`;
  const pickPod = (): Promise<string> =>
    typeof target.pod === 'string' ? Promise.resolve(target.pod) : target.pod();
  let last: MeshbotError | undefined;

  const forwarder = new PortForward(kc, true, channelSocketHandler(kc));

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
    let ws: ClosableSocket | undefined;
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
            target.notListeningHint ??
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
        return forwarder.portForward(target.namespace, pod, [target.port], socket, errors, socket);
      })
      .then(
        (opened) => {
          clearTimeout(timer);
          if (opened === null) return;
          const handle = (typeof opened === 'function'
            ? opened()
            : opened) as unknown as ClosableSocket | null;
          if (!handle) return finish();
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
