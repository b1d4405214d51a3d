import { UsageError } from '../../../src/errors.js';
import { formatServiceTarget, parseServiceTarget } from '../../../src/grammar/targets.js';

function usage(input: string): UsageError {
  try {
    parseServiceTarget(input);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error(`accepted ${input}`);
}

describe('parseServiceTarget', () => {
  it.each([
    ['web-svc.emojivoto', { service: 'web-svc', namespace: 'emojivoto' }],
    ['web-svc.emojivoto:80', { service: 'web-svc', namespace: 'emojivoto', port: 80 }],
    ['web-svc.emojivoto:http', { service: 'web-svc', namespace: 'emojivoto', port: 'http' }],
    ['web-svc.emojivoto.svc', { service: 'web-svc', namespace: 'emojivoto' }],
    ['web-svc.emojivoto.svc.cluster.local:8080', { service: 'web-svc', namespace: 'emojivoto', port: 8080 }],
    ['a.b:65535', { service: 'a', namespace: 'b', port: 65535 }],
  ])('accepts %s', (input, expected) => {
    expect(parseServiceTarget(input)).toEqual(expected);
  });

  it('round-trips through formatServiceTarget', () => {
    expect(formatServiceTarget(parseServiceTarget('web-svc.emojivoto:grpc'))).toBe('web-svc.emojivoto:grpc');
  });

  it('rejects an empty label and names the DNS-1123 rule', () => {
    expect(usage('web..ns').message).toMatch(/empty name.*DNS-1123 label/);
  });

  it('rejects upper case and names the label rule', () => {
    expect(usage('Web.NS').message).toMatch(/not a valid DNS-1035 label/);
    expect(usage('web.NS').message).toMatch(/not a valid DNS-1123 label/);
  });

  it('rejects ports out of range and names the range', () => {
    const err = usage('svc.ns:99999');
    expect(err.message).toMatch(/port 99999 is out of range/);
    expect(err.hint).toMatch(/1 and 65535/);
    expect(usage('svc.ns:0').message).toMatch(/out of range/);
    expect(usage('svc.ns:').message).toMatch(/names no port/);
  });

  it.each(['web;rm -rf /.ns', 'web$(id).ns', 'web`id`.ns', 'web|cat.ns', 'web&.ns', "web'.ns", 'web svc.ns'])(
    'rejects shell metacharacters in %s',
    (input) => {
      expect(usage(input).message).toMatch(/which no Kubernetes name may contain/);
    },
  );

  it('rejects a 300-character name without echoing it whole', () => {
    const err = usage(`${'a'.repeat(300)}.ns`);
    expect(err.message).toMatch(/at most 253/);
    expect(err.message.length).toBeLessThan(200);
    expect(usage(`${'a'.repeat(64)}.ns`).message).toMatch(/longer than 63 characters/);
  });

  it('rejects names that are not SERVICE.NAMESPACE', () => {
    expect(usage('web').message).toMatch(/SERVICE\.NAMESPACE/);
    expect(usage('a.b.c').message).toMatch(/SERVICE\.NAMESPACE/);
    expect(usage('svc.ns:http--x').message).toMatch(/port name/);
  });

  it('replaces control characters when echoing input', () => {
    expect(usage('web\u0007.ns').message).not.toContain('\u0007');
  });
});
