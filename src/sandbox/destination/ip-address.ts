/**
 * `io.linkerd.proxy.net.IPAddress` from a textual address: IPv4 as a fixed32 holding the
 * dotted quad big-endian (10.0.0.1 -> 0x0A000001), IPv6 as two fixed64 halves, big-endian.
 * fixed64 values are decimal strings, matching the loader's `longs: String`.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type ProtoIpAddress = { ipv4: number } | { ipv6: { first: string; last: string } };

export function ipv4ToUint32(ip: string): number | undefined {
  if (!isIPv4(ip)) return undefined;
  const parts = ip.split('.').map(Number);
  let n = 0;
  for (const part of parts) n = n * 256 + part;
  return n;
}

export function uint32ToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

function ipv6ToBigInt(ip: string): bigint | undefined {
  if (!isIPv6(ip)) return undefined;
  let text = ip;
  // A trailing embedded IPv4 (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = ipv4ToUint32(v4[1]);
    if (n === undefined) return undefined;
    text = text.slice(0, -v4[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [headText = '', tailText] = text.split('::');
  const head = headText ? headText.split(':') : [];
  const tail = tailText ? tailText.split(':') : [];
  const zeros = tailText === undefined ? 0 : 8 - head.length - tail.length;
  const hextets = [...head, ...Array<string>(zeros).fill('0'), ...tail];
  if (hextets.length !== 8) return undefined;
  return hextets.reduce((acc, h) => (acc << 16n) | BigInt(parseInt(h, 16)), 0n);
}

export function toProtoIp(ip: string): ProtoIpAddress | undefined {
  const v4 = ipv4ToUint32(ip);
  if (v4 !== undefined) return { ipv4: v4 };
  const v6 = ipv6ToBigInt(ip);
  if (v6 === undefined) return undefined;
  const mask = (1n << 64n) - 1n;
  return { ipv6: { first: ((v6 >> 64n) & mask).toString(), last: (v6 & mask).toString() } };
}
