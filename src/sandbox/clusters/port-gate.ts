/**
 * A TCP gate: listens on a port of 127.0.0.1 and pipes every connection to a server behind it,
 * until it is shut. Shut, it stops listening (new connections are refused, ECONNREFUSED) and
 * destroys the connections it carried (open watches and gRPC streams end); opened again, it
 * listens on the same port. The sandbox puts one in front of each of a cluster's servers so a
 * cluster can be made unreachable from outside and brought back, while the cluster itself (its
 * store, controllers, and the destination controller's own view) keeps running.
 */
import net from 'node:net';

export interface PortGate {
  /** The port the gate listens on (fixed for its life). */
  port: number;
  isOpen(): boolean;
  /** Stops listening and destroys every carried connection; resolves once the port is released. */
  shut(): Promise<void>;
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
  const server = net.createServer((client) => {
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
  let open = true;
  let closed = false;

  const shut = async (): Promise<void> => {
    if (!open) return;
    open = false;
    const released = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of carried) socket.destroy();
    carried.clear();
    await released;
  };
  return {
    port,
    isOpen: () => open,
    shut,
    async open() {
      if (open || closed) return;
      await listen(server, port);
      open = true;
    },
    async close() {
      closed = true;
      await shut();
    },
  };
}
