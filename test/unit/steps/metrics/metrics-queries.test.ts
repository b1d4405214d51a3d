import {
  destinationSelector,
  escapeLabelValue,
  escapeRegex,
  inboundSelector,
  instantQueries,
  promDuration,
  rangeQueries,
  rangeRateSeconds,
  rangeStepSeconds,
} from '../../../../src/steps/metrics/metrics-queries.js';

const web = { service: 'web-svc', namespace: 'emojivoto' };

describe('PromQL builders', () => {
  it('escapes label values and regexes', () => {
    expect(escapeLabelValue('a"b\\c')).toBe('a\\"b\\\\c');
    expect(escapeRegex('web.v1')).toBe('web\\.v1');
  });

  it('selects the destination series of a service, narrowed to a numeric port only', () => {
    expect(destinationSelector(web)).toBe('{namespace="emojivoto",service="web-svc"}');
    expect(destinationSelector({ ...web, port: 80 })).toBe(
      '{namespace="emojivoto",service="web-svc",port="80"}',
    );
    expect(destinationSelector({ ...web, port: 'http' })).toBe('{namespace="emojivoto",service="web-svc"}');
  });

  it('selects inbound proxy series of the workloads, and nothing when there are none', () => {
    expect(inboundSelector('emojivoto', ['web', 'web.canary'])).toBe(
      '{direction="inbound",namespace="emojivoto",deployment=~"web|web\\\\.canary"}',
    );
    expect(inboundSelector('emojivoto', [])).toContain('deployment=~"$^"');
  });

  it('writes the instant queries over the window', () => {
    const q = instantQueries(web, 1800, ['web']);
    expect(q.updatesIncrease).toBe(
      'sum(increase(endpoints_updates{namespace="emojivoto",service="web-svc"}[1800s]))',
    );
    expect(q.subscribers).toBe('sum(endpoints_subscribers{namespace="emojivoto",service="web-svc"})');
    expect(q.exists).toBe('max(endpoints_exists{namespace="emojivoto",service="web-svc"})');
    expect(q.pods).toBe('max(endpoints_pods{namespace="emojivoto",service="web-svc"})');
    expect(q.informerLagP99).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(endpointslices_informer_lag_seconds_bucket[1800s])))',
    );
    expect(q.getHandlingP99).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(grpc_server_handling_seconds_bucket{grpc_method="Get"}[1800s])))',
    );
    expect(q.successRate).toBe(
      'sum(rate(response_total{direction="inbound",namespace="emojivoto",deployment=~"web",classification="success"}[1800s]))' +
        ' / sum(rate(response_total{direction="inbound",namespace="emojivoto",deployment=~"web"}[1800s]))',
    );
    expect(q.rps).toBe(
      'sum(rate(request_total{direction="inbound",namespace="emojivoto",deployment=~"web"}[1800s]))',
    );
    expect(q.latencyP95).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(response_latency_ms_bucket{direction="inbound",namespace="emojivoto",deployment=~"web"}[1800s])))',
    );
  });

  it('picks a range step of about 240 points and a rate window of at least a minute', () => {
    expect(rangeStepSeconds(60)).toBe(1);
    expect(rangeStepSeconds(1800)).toBe(8);
    expect(rangeStepSeconds(7 * 86400)).toBe(2520);
    expect(rangeRateSeconds(1800)).toBe(60);
    expect(rangeRateSeconds(7 * 86400)).toBe(4 * 2520);
    expect(promDuration(0.2)).toBe('1s');
  });

  it('writes the range queries', () => {
    const q = rangeQueries(web, 1800, ['web']);
    expect(q.updates).toBe('endpoints_updates{namespace="emojivoto",service="web-svc"}');
    expect(q.podStarts).toBe(
      'max by (pod) (process_start_time_seconds{namespace="emojivoto",deployment=~"web"})',
    );
    expect(q.informerLagP99).toContain('[60s]');
  });
});
