import { ipv6FromHalves, ipv6ToHalves } from '../../adapters/destination/decode-ip.js';

/**
 * Hands out IPv4 or IPv6 addresses from a CIDR, as the pod and service IP allocators do: never an
 * address some object still holds; addresses are handed out in order and reused only
 * after the range wraps around, so runs are deterministic.
 */
export interface IpAllocator {
  /** The next free address; throws when the range is exhausted. */
  allocate(): string;
  /** Marks an address as held (an object that already carries it). Returns false if taken. */
  reserve(ip: string): boolean;
  release(ip: string): void;
  inUse(): number;
  contains(ip: string): boolean;
}

export function parseIpv4(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${ip}`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new Error(`not an IPv4 address: ${ip}`);
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * @param cidr e.g. `10.1.0.0/16`
 * @param firstOffset offset of the first address handed out (skips network and gateway-like addresses)
 */
export function createIpAllocator(cidr: string, firstOffset = 1): IpAllocator {
  if (cidr.includes(':')) return createIpv6Allocator(cidr, firstOffset);
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!base || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`bad CIDR: ${cidr}`);
  const size = 2 ** (32 - bits);
  const network = parseIpv4(base) - (parseIpv4(base) % size);
  const first = firstOffset;
  const last = size - 2; // skip broadcast
  const held = new Set<number>();
  let cursor = first;

  const offsetOf = (ip: string): number => parseIpv4(ip) - network;

  return {
    allocate() {
      const span = last - first + 1;
      for (let i = 0; i < span; i++) {
        const off = first + ((cursor - first + i) % span);
        if (!held.has(off)) {
          held.add(off);
          cursor = off + 1 > last ? first : off + 1;
          return formatIpv4(network + off);
        }
      }
      throw new Error(`no free address left in ${cidr}`);
    },
    reserve(ip) {
      const off = offsetOf(ip);
      if (off < 0 || off >= size || held.has(off)) return false;
      held.add(off);
      return true;
    },
    release(ip) {
      held.delete(offsetOf(ip));
    },
    inUse: () => held.size,
    contains(ip) {
      try {
        const off = offsetOf(ip);
        return off >= 0 && off < size;
      } catch {
        return false;
      }
    },
  };
}

/** IPv6 addresses as one 128-bit number, and back (RFC 5952 text). */
function ipv6ToBig(ip: string): bigint {
  const { first, last } = ipv6ToHalves(ip);
  return (BigInt(first) << 64n) | BigInt(last);
}

function bigToIpv6(n: bigint): string {
  const mask = (1n << 64n) - 1n;
  return ipv6FromHalves((n >> 64n) & mask, n & mask);
}

/** Largest range handed out of an IPv6 prefix (a /64 holds far more than any sandbox needs). */
const MAX_V6_SPAN = 1 << 20;

/** The IPv6 form of createIpAllocator (e.g. `fd00:10:244::/64`): offsets within the prefix. */
function createIpv6Allocator(cidr: string, firstOffset: number): IpAllocator {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!base || !Number.isInteger(bits) || bits < 64 || bits > 124) throw new Error(`bad CIDR: ${cidr}`);
  let network: bigint;
  try {
    network = ipv6ToBig(base);
  } catch {
    throw new Error(`bad CIDR: ${cidr}`);
  }
  const size = 1n << BigInt(128 - bits);
  network -= network % size;
  const span = Number(size < BigInt(MAX_V6_SPAN) ? size : BigInt(MAX_V6_SPAN)) - firstOffset - 1;
  const held = new Set<number>();
  let cursor = 0;
  const offsetOf = (ip: string): number | undefined => {
    try {
      const off = ipv6ToBig(ip) - network;
      return off >= 0n && off < size ? Number(off) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    allocate() {
      for (let i = 0; i < span; i++) {
        const off = firstOffset + ((cursor + i) % span);
        if (!held.has(off)) {
          held.add(off);
          cursor = (off - firstOffset + 1) % span;
          return bigToIpv6(network + BigInt(off));
        }
      }
      throw new Error(`no free address left in ${cidr}`);
    },
    reserve(ip) {
      const off = offsetOf(ip);
      if (off === undefined || held.has(off)) return false;
      held.add(off);
      return true;
    },
    release(ip) {
      const off = offsetOf(ip);
      if (off !== undefined) held.delete(off);
    },
    inUse: () => held.size,
    contains: (ip) => offsetOf(ip) !== undefined,
  };
}
