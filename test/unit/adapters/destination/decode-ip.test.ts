import {
  canonicalIp,
  formatAddress,
  ipv4FromUint32,
  ipv4ToUint32,
  ipv6FromHalves,
  ipv6ToHalves,
} from '../../../../src/adapters/destination/decode-ip.js';

describe('IPv4 fixed32', () => {
  it('decodes network order', () => {
    expect(ipv4FromUint32(0x0a000001)).toBe('10.0.0.1');
    expect(ipv4FromUint32(0xc0a80a2a)).toBe('192.168.10.42');
    expect(ipv4FromUint32(0xffffffff)).toBe('255.255.255.255');
    expect(ipv4FromUint32(0)).toBe('0.0.0.0');
  });
  it('round-trips', () => {
    for (const ip of ['10.244.1.17', '172.16.0.255', '1.2.3.4'])
      expect(ipv4FromUint32(ipv4ToUint32(ip))).toBe(ip);
  });
});

describe('IPv6 halves', () => {
  it('decodes the high and low 64 bits (decimal strings, as proto-loader gives fixed64)', () => {
    // fd00::1 = first 0xfd00000000000000, last 1
    expect(ipv6FromHalves((0xfd00n << 48n).toString(), '1')).toBe('fd00::1');
    expect(ipv6FromHalves('0', '0')).toBe('::');
    expect(ipv6FromHalves('0', '1')).toBe('::1');
  });
  it('compresses the longest zero run only (RFC 5952)', () => {
    const { first, last } = ipv6ToHalves('2001:db8:0:0:1:0:0:1');
    expect(ipv6FromHalves(first, last)).toBe('2001:db8::1:0:0:1');
    const one = ipv6ToHalves('2001:db8:0:1:1:1:1:1');
    expect(ipv6FromHalves(one.first, one.last)).toBe('2001:db8:0:1:1:1:1:1');
  });
  it('round-trips', () => {
    for (const ip of ['fd00:10:244::1a', '2001:db8::ff00:42:8329', 'fe80::1', '::ffff:a00:1']) {
      const { first, last } = ipv6ToHalves(ip);
      expect(ipv6FromHalves(first, last)).toBe(ip);
    }
  });
  it('accepts numbers and bigints', () => {
    expect(ipv6FromHalves(0n, 2n)).toBe('::2');
    expect(ipv6FromHalves(0, 3)).toBe('::3');
  });
  it('brackets IPv6 in addresses', () => {
    expect(formatAddress('fd00::1', 8080)).toBe('[fd00::1]:8080');
    expect(formatAddress('10.0.0.1', 80)).toBe('10.0.0.1:80');
  });
});

describe('canonicalIp', () => {
  it('writes IPv6 one way and leaves IPv4 alone', () => {
    expect(canonicalIp('FD00:0:0:0:0:0:0:0001')).toBe('fd00::1');
    expect(canonicalIp('2001:DB8::1')).toBe('2001:db8::1');
    expect(canonicalIp('10.0.0.1')).toBe('10.0.0.1');
  });
});
