import { parseAuthority } from '../../../../src/sandbox/destination/parse-authority.js';

describe('parseAuthority', () => {
  const domain = 'cluster.local';

  it('reads SVC.NS.svc.DOMAIN:PORT', () => {
    expect(parseAuthority('web-svc.emojivoto.svc.cluster.local:80', domain)).toEqual({
      ok: true,
      authority: { name: 'web-svc', namespace: 'emojivoto', port: 80, hostname: '' },
    });
  });

  it('reads an instance hostname of a headless service', () => {
    expect(parseAuthority('web-0.web.emojivoto.svc.cluster.local:8080', domain)).toEqual({
      ok: true,
      authority: { name: 'web', namespace: 'emojivoto', port: 8080, hostname: 'web-0' },
    });
  });

  it('honours another cluster domain', () => {
    const parsed = parseAuthority('a.b.svc.example.org:1', 'example.org');
    expect(parsed.ok).toBe(true);
    expect(parseAuthority('a.b.svc.cluster.local:1', 'example.org')).toMatchObject({
      ok: false,
      message: expect.stringContaining('invalid k8s service name'),
    });
  });

  it.each([
    ['no port', 'web-svc.emojivoto.svc.cluster.local', 'Invalid authority'],
    ['empty', '', 'Invalid authority'],
    ['non-numeric port', 'web-svc.emojivoto.svc.cluster.local:http', 'invalid port'],
    ['port out of range', 'web-svc.emojivoto.svc.cluster.local:70000', 'invalid port'],
    ['port zero', 'web-svc.emojivoto.svc.cluster.local:0', 'invalid port'],
    ['wrong cluster domain', 'web-svc.emojivoto.svc.cluster.remote:80', 'invalid k8s service name'],
    ['missing namespace', 'web-svc.svc.cluster.local:80', 'invalid k8s service name'],
    ['too many labels', 'a.b.c.d.svc.cluster.local:80', 'invalid k8s service name'],
    ['bad name', 'Web_Svc.emojivoto.svc.cluster.local:80', 'invalid k8s service name'],
    ['not a service', 'example.com:443', 'invalid k8s service name'],
    ['too many colons', 'a:b.emojivoto.svc.cluster.local:80', 'Invalid authority'],
    ['IPv4', '10.0.0.1:80', 'IP queries not supported'],
    ['IPv6', '[fd00::1]:80', 'IP queries not supported'],
  ])('refuses %s', (_what, path, message) => {
    const parsed = parseAuthority(path, domain);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });
});
