import { createIpAllocator } from '../../../../src/sandbox/cluster/ip-allocator.js';

describe('createIpAllocator', () => {
  it('hands out IPv4 addresses in order', () => {
    const ips = createIpAllocator('10.1.0.0/16', 2);
    expect([ips.allocate(), ips.allocate()]).toEqual(['10.1.0.2', '10.1.0.3']);
  });

  it('hands out IPv6 addresses of a prefix in order, in RFC 5952 form, never one held', () => {
    const ips = createIpAllocator('fd00:10:244::/64', 2);
    expect(ips.reserve('fd00:10:244::3')).toBe(true);
    expect([ips.allocate(), ips.allocate()]).toEqual(['fd00:10:244::2', 'fd00:10:244::4']);
    expect(ips.contains('fd00:10:244::ffff:1')).toBe(true);
    expect(ips.contains('fd00:10:245::1')).toBe(false);
    expect(ips.contains('10.1.0.1')).toBe(false);
    ips.release('fd00:10:244::2');
    expect(ips.inUse()).toBe(2);
    expect(() => createIpAllocator('fd00::/32')).toThrow(/bad CIDR/);
  });
});
