import { parseContextToken, readClusterOptions } from '../../../src/cli/cluster-flags.js';
import { exitCodeForStatus } from '../../../src/cli/step-exit-code.js';
import { UsageError } from '../../../src/errors.js';

describe('readClusterOptions', () => {
  it('turns flags into ClusterOptions', () => {
    expect(
      readClusterOptions({
        kubeconfig: '/tmp/k',
        context: 'sandbox',
        destination: '127.0.0.1:8086',
        contextToken: '{"ns":"emojivoto","nodeName":"node-1"}',
        controlPlaneNamespace: 'linkerd',
        clusterDomain: 'cluster.local',
        timeout: '2s',
      }),
    ).toEqual({
      kubeconfig: '/tmp/k',
      context: 'sandbox',
      destination: '127.0.0.1:8086',
      contextToken: '{"ns":"emojivoto","nodeName":"node-1"}',
      controlPlaneNamespace: 'linkerd',
      clusterDomain: 'cluster.local',
      timeoutMs: 2000,
    });
  });

  it.each([
    [{ destination: 'nohost' }, /not HOST:PORT/],
    [{ destination: '127.0.0.1:70000' }, /not HOST:PORT/],
    [{ timeout: 'soon' }, /not a duration/],
    [{ timeout: '1h' }, /out of range/],
    [{ controlPlaneNamespace: 'Linkerd' }, /DNS-1123/],
    [{ contextToken: '{ns:' }, /not JSON/],
    [{ contextToken: '{"ns":1}' }, /not an object of ns, nodeName and pod/],
    [{ contextToken: '{"ns":"a","zone":"z"}' }, /not an object of ns, nodeName and pod/],
    [{ contextToken: '["ns"]' }, /not an object of ns, nodeName and pod/],
    [{ contextToken: 'null' }, /not an object of ns, nodeName and pod/],
    [{ clusterDomain: 'bad domain' }, /not a DNS name/],
  ])('rejects %p', (flags, message) => {
    expect(() => readClusterOptions(flags)).toThrow(UsageError);
    expect(() => readClusterOptions(flags)).toThrow(message);
  });

  it('accepts the old ns:NAME context token', () => {
    expect(parseContextToken('ns:emojivoto')).toBe('ns:emojivoto');
  });

  it('sends the JSON context token with its keys in one order', () => {
    expect(parseContextToken('{"pod":"web-1","ns":"emojivoto"}')).toBe('{"ns":"emojivoto","pod":"web-1"}');
    expect(parseContextToken('{}')).toBe('{}');
  });
});

describe('exitCodeForStatus', () => {
  it('maps pass, warn, fail, error to 0, 1, 1, 3', () => {
    expect(['pass', 'warn', 'fail', 'error'].map((s) => exitCodeForStatus(s as 'pass'))).toEqual([
      0, 1, 1, 3,
    ]);
  });
});
