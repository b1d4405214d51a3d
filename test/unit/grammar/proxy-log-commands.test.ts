import { parseCommand } from '../../../src/grammar/parse-command.js';

describe('proxy-logs and proxy-log-level in the grammar', () => {
  it('reads a pod (its name may hold dots) or a workload, with defaults', () => {
    expect(parseCommand('proxy-logs pod/web-abc.v2.emojivoto')).toEqual({
      name: 'proxy-logs',
      target: { kind: 'pod', name: 'web-abc.v2', namespace: 'emojivoto' },
      sinceSeconds: 300,
      tailLines: 500,
    });
    expect(parseCommand('proxy-logs deploy/web.emojivoto --since 1h --tail 20')).toMatchObject({
      target: { kind: 'deployment', name: 'web', namespace: 'emojivoto' },
      sinceSeconds: 3600,
      tailLines: 20,
    });
  });

  it.each([
    ['proxy-logs', /needs a target/],
    ['proxy-logs web-svc.emojivoto', /names no pod or workload/],
    ['proxy-logs pod/web', /needs a namespace/],
    ['proxy-logs pod/Web_1.emojivoto', /not a pod name/],
    ['proxy-logs deploy/web.emojivoto --since 1s', /out of range/],
    ['proxy-logs deploy/web.emojivoto --tail 0', /whole number from 1 to 5000/],
    ['proxy-logs deploy/web.emojivoto --tail 9999', /whole number from 1 to 5000/],
  ])('refuses %s', (text, message) => {
    expect(() => parseCommand(text)).toThrow(message);
  });

  it('takes a level or a filter, and --for', () => {
    expect(parseCommand('proxy-log-level deploy/web.emojivoto debug --for 5m')).toEqual({
      name: 'proxy-log-level',
      target: { kind: 'deployment', name: 'web', namespace: 'emojivoto' },
      level: 'debug',
      forSeconds: 300,
    });
    expect(
      parseCommand('proxy-log-level deploy/web.emojivoto warn,linkerd_app_outbound::http=trace'),
    ).toMatchObject({
      level: 'warn,linkerd_app_outbound::http=trace',
      forSeconds: 600,
    });
  });

  it.each([
    ['proxy-log-level deploy/web.emojivoto', /needs a level after the workload/],
    ['proxy-log-level web-svc.emojivoto debug', /not of the form KIND\/NAME.NAMESPACE/],
    [
      'proxy-log-level deploy/web.emojivoto loud',
      /"loud" is not a log level .*a target needs one: loud=debug/,
    ],
    ['proxy-log-level deploy/web.emojivoto linkerd=loud', /error parsing level filter "loud"/],
    ['proxy-log-level deploy/web.emojivoto debug;rm', /is not a log level or filter/],
    ['proxy-log-level deploy/web.emojivoto debug --for 1s', /out of range/],
    ['proxy-log-level deploy/web.emojivoto debug --for 2d', /out of range/],
    ['proxy-log-level deploy/web.emojivoto debug extra', /takes 2 arguments/],
  ])('refuses %s', (text, message) => {
    expect(() => parseCommand(text)).toThrow(message);
  });
});
