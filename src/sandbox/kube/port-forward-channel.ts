/**
 * Port-forward over WebSocket with the kubelet's channel protocol (`v4.channel.k8s.io`), as
 * @kubernetes/client-node's PortForward speaks it:
 * - every binary message starts with a channel byte; port i uses channel 2i for data and
 *   2i+1 for errors;
 * - the server first sends on each channel the port number, 2 bytes little-endian;
 * - bytes the client writes on channel 2i go to a TCP connection to the port's target, and
 *   bytes coming back are sent on channel 2i; a failure is a text message on channel 2i+1.
 * The socket closes once every port's connection has ended.
 */
import net from 'node:net';
import type { RawData, WebSocket } from 'ws';

/** Subprotocols served, most preferred first (all binary with a channel byte). */
export const PORT_FORWARD_PROTOCOLS = [
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
] as const;

/** The first subprotocol the client offers that the server speaks. */
export function choosePortForwardProtocol(offered: Iterable<string>): string | undefined {
  const set = new Set([...offered].map((p) => p.trim()));
  return PORT_FORWARD_PROTOCOLS.find((p) => set.has(p));
}

/** Ports from `?ports=8086&ports=9996` or `?ports=8086,9996` (also the kubelet's `port`). */
export function parsePorts(query: URLSearchParams): number[] | string {
  const values = [...query.getAll('ports'), ...query.getAll('port')];
  if (values.length === 0) return 'query parameter "ports" is required';
  const ports: number[] = [];
  for (const value of values) {
    for (const p of value.split(',')) {
      const n = Number(p.trim());
      if (!/^\d+$/.test(p.trim()) || n < 1 || n > 65535) return `unable to parse "${p}" as a port`;
      ports.push(n);
    }
  }
  return ports;
}

/** A TCP address, or a Unix socket (the sandbox's per-pod servers, e.g. the proxies' admin port). */
export type PortForwardTarget = { host: string; port: number } | { path: string } | undefined;

/** Dials a target. */
export function dialTarget(target: NonNullable<PortForwardTarget>): net.Socket {
  return 'path' in target ? net.connect({ path: target.path }) : net.connect(target.port, target.host);
}

/** A target as the kubelet's dial error names it. */
export function describeTarget(target: NonNullable<PortForwardTarget>): string {
  return 'path' in target ? 'unix socket' : `tcp ${target.host}:${target.port}`;
}

export interface PortForwardSession {
  namespace: string;
  pod: string;
  uid: string;
  ports: number[];
  resolve: (port: number) => PortForwardTarget;
  /** Called with each TCP connection opened, so the server can destroy it on close. */
  track?: (socket: net.Socket) => void;
}

function frame(channel: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), payload]);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export function runPortForward(ws: WebSocket, session: PortForwardSession): void {
  const conns: Array<net.Socket | undefined> = [];
  let open = session.ports.length;

  const send = (data: Buffer): void => {
    if (ws.readyState === ws.OPEN) ws.send(data);
  };
  const portDone = (): void => {
    open--;
    if (open <= 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };

  session.ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port, 0);
    send(frame(2 * i, prefix));
    send(frame(2 * i + 1, prefix));

    const fail = (detail: string): void => {
      send(
        frame(
          2 * i + 1,
          Buffer.from(
            `an error occurred forwarding ${port} -> ${port}: error forwarding port ${port} to pod ` +
              `${session.namespace}/${session.pod}, uid ${session.uid}: ${detail}`,
          ),
        ),
      );
    };

    const target = session.resolve(port);
    if (!target) {
      fail(`nothing listens on port ${port} in this sandbox pod`);
      conns.push(undefined);
      portDone();
      return;
    }
    const sock = dialTarget(target);
    session.track?.(sock);
    conns.push(sock);
    let ended = false;
    sock.on('data', (chunk: Buffer) => send(frame(2 * i, chunk)));
    sock.on('error', (err) => fail(`dial ${describeTarget(target)}: ${err.message}`));
    sock.on('close', () => {
      if (ended) return;
      ended = true;
      portDone();
    });
  });

  ws.on('message', (data: RawData) => {
    const buf = toBuffer(data);
    const channel = buf[0];
    if (channel === undefined || channel % 2 !== 0) return;
    const sock = conns[channel / 2];
    if (sock && !sock.destroyed) sock.write(buf.subarray(1));
  });
  ws.on('close', () => {
    for (const sock of conns) sock?.destroy();
  });
  ws.on('error', () => {
    for (const sock of conns) sock?.destroy();
  });
}
