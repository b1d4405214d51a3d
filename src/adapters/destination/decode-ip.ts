/**
 * Linkerd's `net.IPAddress`: IPv4 as a fixed32 in network order, IPv6 as two fixed64 halves
 * (`first` = the high 64 bits). proto-loader hands fixed64 over as decimal strings (longs: String).
 */

export function ipv4FromUint32(n: number): string {
  const v = n >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function ipv4ToUint32(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${ip}`);
  }
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function toBigInt(v: string | number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** RFC 5952 text form: lowercase, no leading zeros, the longest run of zero groups (>= 2) as `::`. */
export function formatIpv6Groups(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

export function ipv6FromHalves(first: string | number | bigint, last: string | number | bigint): string {
  const hi = BigInt.asUintN(64, toBigInt(first));
  const lo = BigInt.asUintN(64, toBigInt(last));
  const groups: number[] = [];
  for (const half of [hi, lo]) {
    for (let shift = 48n; shift >= 0n; shift -= 16n) groups.push(Number((half >> shift) & 0xffffn));
  }
  return formatIpv6Groups(groups);
}

/** Parses IPv6 text (with `::`, optionally an embedded IPv4 tail) into eight 16-bit groups. */
export function ipv6ToGroups(ip: string): number[] {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToUint32(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const parse = (s: string): number[] =>
    s === '' ? [] : s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  const [left, right, extra] = text.split('::');
  if (extra !== undefined) throw new RangeError(`not an IPv6 address: ${ip}`);
  const l = parse(left ?? '');
  const r = right === undefined ? [] : parse(right);
  const missing = 8 - l.length - r.length;
  if (missing < 0 || (right === undefined && missing !== 0) || [...l, ...r].some((g) => Number.isNaN(g))) {
    throw new RangeError(`not an IPv6 address: ${ip}`);
  }
  return [...l, ...new Array<number>(missing).fill(0), ...r];
}

export function ipv6ToHalves(ip: string): { first: string; last: string } {
  const g = ipv6ToGroups(ip);
  const half = (a: number[]): string => a.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n).toString();
  return { first: half(g.slice(0, 4)), last: half(g.slice(4)) };
}

/** One text form per address, so Kubernetes' and the destination's IPs compare equal (IPv6 per RFC 5952). */
export function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return formatIpv6Groups(ipv6ToGroups(ip)).toLowerCase();
  } catch {
    return ip;
  }
}

/** `10.0.0.1:8080` or `[fd00::1]:8080`. */
export function formatAddress(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The IP of an address `formatAddress` wrote: `10.1.0.7:8080` -> `10.1.0.7`; `[fd00::7]:8080` -> `fd00::7`. */
export function ipOfAddress(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colon = address.lastIndexOf(':');
  return colon < 0 ? address : address.slice(0, colon);
}
