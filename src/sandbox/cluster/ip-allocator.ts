/**
 * Hands out IPv4 addresses from a CIDR, as the pod and service IP allocators do: never an
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
