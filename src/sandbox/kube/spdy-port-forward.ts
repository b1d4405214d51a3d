/**
 * Port-forward over SPDY/3.1, the protocol `kubectl port-forward` speaks (`portforward.k8s.io`),
 * either after an HTTP `Upgrade: SPDY/3.1` or tunnelled in WebSocket binary messages
 * (subprotocol `SPDY/3.1+portforward.k8s.io`, kubectl >= 1.31).
 *
 * For each local connection kubectl opens two streams (SYN_STREAM) with the headers
 * `streamtype` (`error` or `data`), `port` and `requestid`; the server replies (SYN_REPLY) to
 * each, copies the data stream to and from a TCP connection to the port's target, writes
 * failures as text on the error stream, and half-closes (FIN) both streams when done, as the
 * kubelet does. PINGs are echoed. Flow control (WINDOW_UPDATE) is ignored, as spdystream does.
 *
 * Header blocks are zlib streams with SPDY's dictionary, one per direction and connection.
 * Incoming blocks are inflated by re-inflating the connection's whole (small) header stream;
 * outgoing blocks are written as stored (uncompressed) deflate blocks, which any inflater
 * reads without needing the dictionary.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { describeTarget, dialTarget, type PortForwardTarget } from './port-forward-channel.js';

export const SPDY_PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** The WebSocket subprotocol kubectl uses to tunnel SPDY. */
export const SPDY_WEBSOCKET_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** The SPDY/3 header compression dictionary (draft 3, section 2.6.10.1). */
export const SPDY_DICTIONARY: Buffer = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
    'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
    'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location',
    'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host',
    'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified',
    'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via',
    'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url',
    'public', 'set-cookie', 'keep-alive', 'origin',
  ]; // prettier-ignore
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const word of words) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(word.length, 0);
    parts.push(len, Buffer.from(word, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

const TYPE_SYN_STREAM = 1;
const TYPE_SYN_REPLY = 2;
const TYPE_RST_STREAM = 3;
const TYPE_PING = 6;
const TYPE_GOAWAY = 7;
const FLAG_FIN = 0x01;
const MAX_DATA = 64 * 1024;

export type SpdyHeaders = Map<string, string[]>;

/** Decodes the header blocks of one connection direction. */
export class SpdyHeaderDecoder {
  private compressed: Buffer[] = [];
  private consumed = 0;

  decode(block: Buffer): SpdyHeaders {
    this.compressed.push(block);
    const all = zlib.inflateSync(Buffer.concat(this.compressed), {
      dictionary: SPDY_DICTIONARY,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    const fresh = all.subarray(this.consumed);
    this.consumed = all.length;
    return parseHeaderBlock(fresh);
  }
}

export function parseHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = new Map();
  let offset = 0;
  const readString = (): string => {
    if (offset + 4 > block.length) throw new Error('truncated SPDY header block');
    const len = block.readUInt32BE(offset);
    offset += 4;
    if (offset + len > block.length) throw new Error('truncated SPDY header block');
    const value = block.subarray(offset, offset + len).toString('utf8');
    offset += len;
    return value;
  };
  if (block.length < 4) throw new Error('truncated SPDY header block');
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = readString().toLowerCase();
    headers.set(name, readString().split('\0'));
  }
  return headers;
}

/** Encodes the header blocks of one connection direction, as stored deflate blocks. */
export class SpdyHeaderEncoder {
  private started = false;

  encode(headers: Record<string, string>): Buffer {
    const parts: Buffer[] = [];
    const count = Buffer.alloc(4);
    const entries = Object.entries(headers);
    count.writeUInt32BE(entries.length, 0);
    parts.push(count);
    for (const [name, value] of entries) {
      for (const text of [name.toLowerCase(), value]) {
        const bytes = Buffer.from(text, 'utf8');
        const len = Buffer.alloc(4);
        len.writeUInt32BE(bytes.length, 0);
        parts.push(len, bytes);
      }
    }
    const raw = Buffer.concat(parts);
    const stored = Buffer.alloc(5);
    stored[0] = 0x00; // BFINAL=0, BTYPE=00 (stored)
    stored.writeUInt16LE(raw.length, 1);
    stored.writeUInt16LE(~raw.length & 0xffff, 3);
    const prefix = this.started ? Buffer.alloc(0) : Buffer.from([0x78, 0x01]);
    this.started = true;
    // An empty stored block after the data, as a zlib sync flush ends with: without it an
    // inflater (Go's flate) reads on for the next block header and fails at the frame's end.
    const syncFlush = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
    return Buffer.concat([prefix, stored, raw, syncFlush]);
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x8000 | 3, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt32BE(payload.length, 4);
  header[4] = flags;
  return Buffer.concat([header, payload]);
}

function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header.writeUInt32BE(data.length, 4);
  header[4] = flags;
  return Buffer.concat([header, data]);
}

export interface SpdyPortForwardSession {
  namespace: string;
  pod: string;
  uid: string;
  resolve: (port: number) => PortForwardTarget;
  track?: (socket: net.Socket) => void;
}

interface StreamState {
  id: number;
  type: 'data' | 'error';
  port: number;
  /** Client bytes that arrived before the TCP connection existed. */
  pending: Buffer[];
  clientFin: boolean;
  serverFin: boolean;
  socket?: net.Socket;
}

/** Serves SPDY port-forward on an already upgraded connection (a socket, or a WebSocket stream). */
export function runSpdyPortForward(conn: Duplex, session: SpdyPortForwardSession): void {
  const decoder = new SpdyHeaderDecoder();
  const encoder = new SpdyHeaderEncoder();
  const streams = new Map<number, StreamState>();
  const pairs = new Map<string, { data?: StreamState; error?: StreamState }>();
  let buffered: Buffer = Buffer.alloc(0);
  let closed = false;

  const write = (frame: Buffer): void => {
    if (!closed && conn.writable) conn.write(frame);
  };
  const fin = (stream: StreamState): void => {
    if (stream.serverFin) return;
    stream.serverFin = true;
    write(dataFrame(stream.id, FLAG_FIN, Buffer.alloc(0)));
  };
  const sendError = (stream: StreamState, message: string): void => {
    if (stream.serverFin) return;
    write(dataFrame(stream.id, 0, Buffer.from(message, 'utf8')));
    fin(stream);
  };
  const shutdown = (): void => {
    if (closed) return;
    closed = true;
    for (const stream of streams.values()) stream.socket?.destroy();
    streams.clear();
    conn.destroy();
  };

  function forward(data: StreamState, error: StreamState): void {
    const port = data.port;
    const prefix = `error forwarding port ${port} to pod ${session.namespace}/${session.pod}, uid ${session.uid}`;
    const target = Number.isInteger(port) && port > 0 ? session.resolve(port) : undefined;
    if (!target) {
      sendError(error, `${prefix}: nothing listens on port ${port} in this sandbox pod`);
      fin(data);
      return;
    }
    const socket = dialTarget(target);
    session.track?.(socket);
    data.socket = socket;
    for (const chunk of data.pending) socket.write(chunk);
    data.pending = [];
    if (data.clientFin) socket.end();
    socket.on('data', (chunk: Buffer) => {
      for (let i = 0; i < chunk.length; i += MAX_DATA) {
        write(dataFrame(data.id, 0, chunk.subarray(i, i + MAX_DATA)));
      }
    });
    socket.on('error', (err) =>
      sendError(error, `${prefix}: dial ${describeTarget(target)}: ${err.message}`),
    );
    socket.on('close', () => {
      fin(data);
      fin(error);
    });
  }

  function onSynStream(id: number, headers: SpdyHeaders, flags: number): void {
    const first = (name: string): string => headers.get(name)?.[0] ?? '';
    const type = first('streamtype') === 'error' ? 'error' : 'data';
    const stream: StreamState = {
      id,
      type,
      port: Number(first('port')),
      pending: [],
      clientFin: (flags & FLAG_FIN) !== 0,
      serverFin: false,
    };
    streams.set(id, stream);
    const replyPayload = Buffer.alloc(4);
    replyPayload.writeUInt32BE(id & 0x7fffffff, 0);
    write(controlFrame(TYPE_SYN_REPLY, 0, Buffer.concat([replyPayload, encoder.encode({})])));

    const key = first('requestid') || `port-${first('port')}`;
    const pair = pairs.get(key) ?? {};
    pair[type] = stream;
    pairs.set(key, pair);
    if (pair.data && pair.error) {
      pairs.delete(key);
      forward(pair.data, pair.error);
    }
  }

  function onData(id: number, flags: number, data: Buffer): void {
    const stream = streams.get(id);
    if (!stream || stream.type !== 'data') return;
    if (data.length > 0) {
      if (stream.socket) stream.socket.write(data);
      else stream.pending.push(Buffer.from(data));
    }
    if ((flags & FLAG_FIN) !== 0) {
      stream.clientFin = true;
      stream.socket?.end();
    }
  }

  function onFrame(frame: Buffer): void {
    const flags = frame[4] ?? 0;
    const payload = frame.subarray(8);
    if ((frame[0] ?? 0) & 0x80) {
      const type = frame.readUInt16BE(2);
      if (type === TYPE_SYN_STREAM) {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        onSynStream(id, decoder.decode(payload.subarray(10)), flags);
      } else if (type === TYPE_RST_STREAM) {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        streams.get(id)?.socket?.destroy();
        streams.delete(id);
      } else if (type === TYPE_PING) {
        write(controlFrame(TYPE_PING, 0, Buffer.from(payload)));
      } else if (type === TYPE_GOAWAY) {
        shutdown();
      }
      // SETTINGS, HEADERS, WINDOW_UPDATE: nothing to do.
      return;
    }
    onData(frame.readUInt32BE(0) & 0x7fffffff, flags, payload);
  }

  conn.on('data', (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    try {
      while (buffered.length >= 8) {
        const length = buffered.readUIntBE(5, 3);
        if (buffered.length < 8 + length) break;
        const frame = buffered.subarray(0, 8 + length);
        buffered = buffered.subarray(8 + length);
        onFrame(frame);
      }
    } catch {
      // A malformed frame or header block: end the session as a protocol error.
      const goaway = Buffer.alloc(8);
      goaway.writeUInt32BE(1, 4);
      write(controlFrame(TYPE_GOAWAY, 0, goaway));
      shutdown();
    }
  });
  conn.on('close', shutdown);
  conn.on('error', shutdown);
}
