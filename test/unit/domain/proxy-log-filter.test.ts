import { filterEnables, formatLogFilter, parseLogFilter } from '../../../src/domain/proxy-log-filter.js';

describe('the proxy log filter', () => {
  it('prints the targeted directives first, most specific first, then the default', () => {
    expect(formatLogFilter(parseLogFilter('warn,linkerd=info,hickory=error'))).toBe(
      'linkerd=info,hickory=error,warn',
    );
    expect(formatLogFilter(parseLogFilter('DEBUG'))).toBe('debug');
  });

  it('enables by the most specific target prefix', () => {
    const f = parseLogFilter('warn,linkerd=info,linkerd_app_outbound=trace');
    expect(filterEnables(f, 'linkerd_app_core::serve', 'info')).toBe(true);
    expect(filterEnables(f, 'linkerd_app_core::serve', 'debug')).toBe(false);
    expect(filterEnables(f, 'linkerd_app_outbound::http', 'trace')).toBe(true);
    expect(filterEnables(f, 'h2::codec', 'info')).toBe(false);
    expect(filterEnables(f, 'h2::codec', 'warn')).toBe(true);
  });

  it('takes a bare target as every level of it, and spans', () => {
    expect(parseLogFilter('linkerd_proxy_http')).toEqual([{ target: 'linkerd_proxy_http', level: 'trace' }]);
    expect(parseLogFilter('linkerd[outbound{addr=1.2.3.4}]=debug')).toEqual([
      { target: 'linkerd', span: '[outbound{addr=1.2.3.4}]', level: 'debug' },
    ]);
  });

  it.each([[''], [' , '], ['linkerd=loud'], ['=debug'], ['a b=debug']])('refuses %j', (text) => {
    expect(() => parseLogFilter(text)).toThrow();
  });
});
