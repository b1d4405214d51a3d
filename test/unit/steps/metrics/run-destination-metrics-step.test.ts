import type { V1Pod } from '@kubernetes/client-node';
import {
  judgeDestination,
  podChangesPerMinute,
  type DestinationMetricsData,
} from '../../../../src/steps/metrics/run-destination-metrics-step.js';

const quiet: DestinationMetricsData = {
  windowSeconds: 600,
  scraped: true,
  getHandlingP99Seconds: 0.02,
  informerLagP99Seconds: 0.1,
  queueOverflows: 0,
  subscribers: 12,
  hotServices: [{ service: 'web-svc.emojivoto', subscribers: 3 }],
  podChangesPerMinute: 2,
  queries: [],
};

describe('the destination controller, cluster-wide', () => {
  it('passes when it keeps up', () => {
    expect(judgeDestination(quiet).map((f) => [f.severity, f.code])).toEqual([
      ['info', 'destination-keeps-up'],
    ]);
  });

  it('names the bottleneck: informer lag, queue overflow, a hot service, heavy churn', () => {
    const codes = (d: Partial<DestinationMetricsData>) =>
      judgeDestination({ ...quiet, ...d }).map((f) => `${f.severity}:${f.code}`);
    expect(codes({ informerLagP99Seconds: 1.5 })).toEqual(['warn:informer-lag']);
    expect(codes({ informerLagP99Seconds: 7 })).toEqual(['fail:informer-lag']);
    expect(codes({ queueOverflows: 3 })).toEqual(['fail:queue-overflow']);
    expect(codes({ hotServices: [{ service: 'api.shop', subscribers: 4000 }] })).toEqual([
      'warn:hot-service',
    ]);
    expect(codes({ podChangesPerMinute: 120 })).toEqual(['warn:heavy-churn']);
    expect(codes({ scraped: false })).toEqual(['warn:destination-not-scraped']);
  });

  it('counts pods created or being deleted in the window, per minute', () => {
    const now = new Date('2026-11-30T05:00:00Z');
    const pod = (created: string, deleted?: string): V1Pod => ({
      metadata: {
        creationTimestamp: new Date(created),
        ...(deleted ? { deletionTimestamp: new Date(deleted) } : {}),
      },
    });
    const pods = [
      pod('2026-11-30T04:59:00Z'),
      pod('2026-11-30T04:58:00Z', '2026-11-30T04:59:30Z'),
      pod('2026-11-29T00:00:00Z'),
    ];
    expect(podChangesPerMinute(pods, 300, now)).toBeCloseTo(3 / 5);
  });
});
