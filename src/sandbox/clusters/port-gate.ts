/**
 * A TCP gate: listens on a port of 127.0.0.1 and pipes every connection to a server behind it,
 * until it is shut. Shut, it stops listening (new connections are refused, ECONNREFUSED) and
 * destroys the connections it carried (open watches and gRPC streams end); opened again, it
 * listens on the same port. The sandbox puts one in front of each of a cluster's servers so a
 * cluster can be made unreachable from outside and brought back, while the cluster itself (its
 * store, controllers, and the destination controller's own view) keeps running.
 *
 * Shut `silent` instead, it keeps listening and accepts connections that are never answered
 * (what it is sent is read and dropped): a cluster that does not answer, as behind a firewall
 * that drops, so clients wait on their own timeouts instead of being refused at once.
 */
import net from 'node:net';

/** How a shut gate treats a new connection: refused (ECONNREFUSED), or accepted and never answered. */
export type ShutMode = 'refuse' | 'silent';
export const SHUT_MODES: readonly ShutMode[] = ['refuse', 'silent'];

export interface PortGate {
  /** The port the gate listens on (fixed for its life). */
  port: number;
  isOpen(): boolean;
  /**
   * Destroys every carried connection; `refuse` (default) stops listening and resolves once the
   * port is released, `silent` keeps listening and holds new connections unanswered.
   */
  shut(mode?: ShutMode): Promise<void>;
  /** Listens again on the same port. */
  open(): Promise<void>;
  close(): Promise<void>;
}

export interface PortGateOptions {
  /** The port of the server behind the gate, on 127.0.0.1. */
  target: number;
  /** The port to listen on; 0 or absent = a free one (kept across shut/open). */
  port?: number;
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function openPortGate(opts: PortGateOptions): Promise<PortGate> {
  const carried = new Set<net.Socket>();
  const held = new Set<net.Socket>();
  let state: 'open' | ShutMode = 'open';
  const server = net.createServer((client) => {
    if (state !== 'open') {
      held.add(client);
      client.on('data', () => undefined).on('error', () => undefined);
      client.on('close', () => held.delete(client));
      return;
    }
    const upstream = net.connect(opts.target, '127.0.0.1');
    carried.add(client);
    carried.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      carried.delete(client);
      carried.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await listen(server, opts.port ?? 0);
  const port = (server.address() as net.AddressInfo).port;
  let closed = false;

  const drop = (sockets: Set<net.Socket>): void => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const shut = async (mode: ShutMode = 'refuse'): Promise<void> => {
    if (state === mode) return;
    const listening = state !== 'refuse';
    state = mode;
    drop(carried);
    if (mode === 'silent') {
      if (!listening) await listen(server, port);
      return;
    }
    drop(held);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    isOpen: () => state === 'open',
    shut,
    async open() {
      if (state === 'open' || closed) return;
      if (state === 'refuse') await listen(server, port);
      drop(held);
      state = 'open';
    },
    async close() {
      closed = true;
      await shut('refuse');
    },
  };
}
