import { requirePrometheusBinary } from '../../support/start-prometheus.js';

describe('the Prometheus test helper', () => {
  it('finds the prometheus binary the metrics tests need', () => {
    expect(requirePrometheusBinary()).toBeTruthy();
  });

  it('fails with a clear message, never skips, when the binary is missing', () => {
    expect(() => requirePrometheusBinary('/nonexistent/prometheus')).toThrow(
      /The metrics tests need a real Prometheus, and "\/nonexistent\/prometheus" could not be run .*apt-get install prometheus/,
    );
  });
});
