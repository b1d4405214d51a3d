import { parsePrometheusUrl } from '../../../../src/adapters/prometheus/prometheus-url.js';

describe('parsePrometheusUrl', () => {
  it('keeps a path prefix and adds a trailing slash', () => {
    expect(parsePrometheusUrl('http://h:9090/prom').href).toBe('http://h:9090/prom/');
  });
  it('refuses what is not http(s)', () => {
    expect(() => parsePrometheusUrl('ftp://h')).toThrow(/must be http or https/);
    expect(() => parsePrometheusUrl('not a url')).toThrow(/is not a URL/);
  });
});
