import { ipv4ToUint32, toProtoIp, uint32ToIpv4 } from '../../../../src/sandbox/destination/ip-address.js';

describe('IP encoding', () => {
  it('encodes IPv4 as a big-endian fixed32 of the dotted quad', () => {
    expect(ipv4ToUint32('10.0.0.1')).toBe(0x0a000001);
    expect(ipv4ToUint32('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToUint32('192.168.1.20')).toBe(((192 * 256 + 168) * 256 + 1) * 256 + 20);
    expect(toProtoIp('10.244.1.7')).toEqual({ ipv4: 0x0af40107 });
  });

  it('decodes back', () => {
    expect(uint32ToIpv4(0x0af40107)).toBe('10.244.1.7');
    expect(uint32ToIpv4(0xffffffff)).toBe('255.255.255.255');
  });

  it('refuses what is not an IP', () => {
    expect(ipv4ToUint32('10.0.0.256')).toBeUndefined();
    expect(toProtoIp('web')).toBeUndefined();
  });

  it('encodes IPv6 as two big-endian fixed64 halves', () => {
    expect(toProtoIp('::1')).toEqual({ ipv6: { first: '0', last: '1' } });
    expect(toProtoIp('fd00::1:2')).toEqual({
      ipv6: { first: (0xfd00n << 48n).toString(), last: ((1n << 16n) | 2n).toString() },
    });
    expect(toProtoIp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toEqual({
      ipv6: { first: '18446744073709551615', last: '18446744073709551615' },
    });
    expect(toProtoIp('::ffff:10.0.0.1')).toEqual({
      ipv6: { first: '0', last: ((0xffffn << 32n) | 0x0a000001n).toString() },
    });
  });
});
