import {
  normalizeMessage,
  parseProxyLogLine,
  summarizeLines,
  topGroups,
  type MessageGroup,
} from '../../../../src/steps/proxy-logs/summarize-proxy-log.js';

// Lines as linkerd2-proxy writes them (PLAIN format), one with the runtime's timestamp.
const LINES = [
  '[     0.002137s]  INFO ThreadId(01) linkerd2_proxy: release 2.210.4 (5a910be) by linkerd on 2023-09-13T17:48:25Z',
  '[  1201.406567s]  WARN ThreadId(01) outbound:proxy{addr=10.96.0.10:53}:service{ns= name=service port=0}:endpoint{addr=10.244.0.5:53}: linkerd_reconnect: Failed to connect error=connect timed out after 1s',
  '2026-11-30T07:00:00.123456789Z [  1203.406567s]  WARN ThreadId(02) outbound:proxy{addr=10.96.0.10:53}:endpoint{addr=10.244.3.9:53}: linkerd_reconnect: Failed to connect error=connect timed out after 1s',
  '[    29.124233s] DEBUG ThreadId(01) inbound:server{port=8080}: linkerd_app_core::serve: Connection accepted client.addr=10.244.0.12:41234',
  '[    30.000001s] ERROR ThreadId(01) linkerd_app_outbound::http::handle_proxy_error_headers: Remote proxy error error=client error (Connect)',
  'thread main panicked at something',
];

describe('reading proxy logs', () => {
  it('parses level, spans, target and message', () => {
    expect(parseProxyLogLine(LINES[1]!)).toEqual({
      level: 'WARN',
      spans:
        'outbound:proxy{addr=10.96.0.10:53}:service{ns= name=service port=0}:endpoint{addr=10.244.0.5:53}',
      target: 'linkerd_reconnect',
      message: 'Failed to connect error=connect timed out after 1s',
    });
    expect(parseProxyLogLine(LINES[0]!)).toMatchObject({
      level: 'INFO',
      spans: '',
      target: 'linkerd2_proxy',
    });
    expect(parseProxyLogLine(LINES[5]!)).toBeUndefined();
  });

  it('normalises what varies', () => {
    expect(
      normalizeMessage('Connection accepted client.addr=10.244.0.12:41234 after 12ms id=deadbeef01'),
    ).toBe('Connection accepted client.addr=<ip:port> after <n> id=<hex>');
  });

  it('counts per level and groups repeated messages, errors and warnings first', () => {
    const groups = new Map<string, MessageGroup>();
    const counts = summarizeLines('web-1', LINES, groups);
    expect(counts).toEqual({ lines: 6, other: 1, ERROR: 1, WARN: 2, INFO: 1, DEBUG: 1, TRACE: 0 });
    const top = topGroups(groups.values(), 10);
    expect(top[0]).toMatchObject({ level: 'ERROR' });
    expect(top[1]).toMatchObject({ level: 'WARN', target: 'linkerd_reconnect', count: 2, pods: ['web-1'] });
  });
});
