import {
  counterGrowth,
  lastMovedAt,
  podChangesFrom,
  scalarOf,
  sumSeries,
} from '../../../../src/steps/metrics/analyze-series.js';
import { interpretMetrics } from '../../../../src/steps/metrics/interpret-metrics.js';
import type { MetricsData } from '../../../../src/steps/metrics/metrics-types.js';
import { statusFromFindings } from '../../../../src/domain/step-result.js';
import { nextCommands } from '../../../support/next-commands.js';

const web = { service: 'web-svc', namespace: 'emojivoto' };
const TO = Date.parse('2026-11-23T12:30:00Z');
const FROM = TO - 1800_000;

function healthy(): MetricsData {
  return {
    prometheusUrl: 'http://127.0.0.1:9090',
    windowSeconds: 1800,
    from: new Date(FROM).toISOString(),
    to: new Date(TO).toISOString(),
    stepSeconds: 8,
    workloads: { deployments: ['web'], pods: 2, readyPods: 2 },
    destination: {
      scraped: true,
      updatesIncrease: 3.2,
      updatesLastMovedAt: new Date(TO - 120_000).toISOString(),
      subscribers: 4,
      exists: true,
      pods: 2,
      podsChanges: 2,
      informerLagP50Seconds: 0.25,
      informerLagP99Seconds: 0.5,
      getHandlingP99Seconds: 900,
    },
    podChanges: {
      changes: [{ pod: 'web-2', change: 'started', at: new Date(TO - 300_000).toISOString() }],
      podsSeen: 3,
    },
    golden: { successRate: 0.995, rps: 12.5, latencyMs: { p50: 5, p95: 20, p99: 48 } },
    series: [],
    queries: [{ name: 'updatesIncrease', promql: 'sum(increase(endpoints_updates[1800s]))' }],
  };
}

function codes(data: MetricsData): string[] {
  return interpretMetrics(web, data).findings.map((f) => f.code);
}

describe('interpretMetrics', () => {
  it('passes a healthy service and summarizes its numbers', () => {
    const r = interpretMetrics(web, healthy());
    expect(r.findings).toEqual([]);
    expect(statusFromFindings(r.findings)).toBe('pass');
    expect(r.summary).toBe(
      'web-svc.emojivoto over 30m: 3 endpoint updates, last 2m ago, 4 subscribers, informer lag p99 500ms, success 99.5%, 12.5 rps, p99 48ms',
    );
  });

  it('fails when pods changed but endpoints_updates did not move', () => {
    const data = healthy();
    data.destination.updatesIncrease = 0;
    data.destination.updatesLastMovedAt = null;
    data.podChanges = {
      changes: [
        { pod: 'web-2', change: 'started', at: new Date(TO - 300_000).toISOString() },
        { pod: 'web-1', change: 'stopped', at: new Date(TO - 200_000).toISOString() },
      ],
      podsSeen: 3,
    };
    const r = interpretMetrics(web, data);
    expect(statusFromFindings(r.findings)).toBe('fail');
    expect(r.findings[0]?.code).toBe('updates-not-moving');
    expect(r.summary).toBe(
      'Pods of web-svc.emojivoto changed 2 times in the last 30m but endpoints_updates did not move',
    );
    expect(r.findings[0]?.hint).toContain('stale');
    expect(nextCommands(r.next)).toEqual(['endpoints web-svc.emojivoto', 'scale-test web-svc.emojivoto']);
  });

  it('does not fail a flat counter when no pod changed, nor when the counter has no data', () => {
    const flat = healthy();
    flat.destination.updatesIncrease = 0;
    flat.podChanges = { changes: [], podsSeen: 2 };
    expect(codes(flat)).not.toContain('updates-not-moving');
    const none = healthy();
    none.destination.updatesIncrease = null;
    none.destination.subscribers = null;
    none.destination.pods = null;
    expect(codes(none)).toEqual(['no-destination-series']);
  });

  it('counts an extrapolated fraction below one half as not moving', () => {
    const data = healthy();
    data.destination.updatesIncrease = 0.3;
    expect(codes(data)).toContain('updates-not-moving');
  });

  it('warns when no proxy subscribes', () => {
    const data = healthy();
    data.destination.subscribers = 0;
    const r = interpretMetrics(web, data);
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['no-subscribers', 'warn']]);
    expect(nextCommands(r.next)[0]).toBe('endpoints web-svc.emojivoto');
  });

  it('warns about informer lag above 5 s with what it means', () => {
    const data = healthy();
    data.destination.informerLagP99Seconds = 7.5;
    const f = interpretMetrics(web, data).findings[0];
    expect(f?.code).toBe('informer-lag');
    expect(f?.severity).toBe('warn');
    expect(f?.message).toContain('7.5s late');
    expect(f?.hint).toContain('terminated pods');
    data.destination.informerLagP99Seconds = 5;
    expect(codes(data)).toEqual([]);
  });

  it('warns about a low success rate and notes missing traffic', () => {
    const data = healthy();
    data.golden.successRate = 0.8;
    expect(codes(data)).toEqual(['low-success-rate']);
    const idle = healthy();
    idle.golden = { successRate: null, rps: 0, latencyMs: { p50: null, p95: null, p99: null } };
    expect(codes(idle)).toEqual(['no-inbound-traffic']);
  });

  it('says when Prometheus does not scrape the destination controller at all', () => {
    const data = healthy();
    data.destination = {
      ...data.destination,
      scraped: false,
      updatesIncrease: null,
      subscribers: null,
      pods: null,
    };
    expect(codes(data)).toEqual(['destination-not-scraped']);
  });

  it('reports failed queries as one error finding', () => {
    const data = healthy();
    data.queries = [
      { name: 'rps', promql: 'x', error: 'Prometheus refused the query (bad_data): parse error' },
      { name: 'subscribers', promql: 'y' },
    ];
    const f = interpretMetrics(web, data).findings[0];
    expect(f?.code).toBe('prometheus-query-error');
    expect(f?.severity).toBe('error');
    expect(f?.message).toBe(
      '1 of 2 Prometheus queries failed; the first: Prometheus refused the query (bad_data): parse error',
    );
  });

  it('warns when the controller believes the service does not exist', () => {
    const data = healthy();
    data.destination.exists = false;
    expect(codes(data)).toEqual(['controller-says-missing']);
  });
});

describe('series readings', () => {
  it('reads a scalar, treating NaN as no data', () => {
    expect(scalarOf([])).toBeNull();
    expect(scalarOf([{ metric: {}, value: Number.NaN, timestamp: 0 }])).toBeNull();
    expect(scalarOf([{ metric: {}, value: 2, timestamp: 0 }])).toBe(2);
  });

  it('finds when a counter last moved, across series', () => {
    expect(
      lastMovedAt([
        {
          metric: { port: '80' },
          points: [
            { t: 1, v: 1 },
            { t: 2, v: 2 },
            { t: 3, v: 2 },
          ],
        },
        {
          metric: { port: '81' },
          points: [
            { t: 1, v: 5 },
            { t: 2, v: 5 },
            { t: 3, v: 5 },
          ],
        },
      ]),
    ).toBe(2);
    expect(
      lastMovedAt([
        {
          metric: {},
          points: [
            { t: 1, v: 3 },
            { t: 2, v: 3 },
          ],
        },
      ]),
    ).toBeNull();
  });

  it('measures counter growth from raw points, resets included', () => {
    expect(counterGrowth([])).toBeNull();
    expect(counterGrowth([{ metric: {}, points: [{ t: 1, v: 4 }] }])).toBe(0);
    expect(
      counterGrowth([
        {
          metric: {},
          points: [
            { t: 1, v: 4 },
            { t: 2, v: 6 },
            { t: 3, v: 1 },
          ],
        },
        {
          metric: {},
          points: [
            { t: 1, v: 0 },
            { t: 2, v: 2 },
          ],
        },
      ]),
    ).toBe(2 + 1 + 2);
  });

  it('sums series point by point', () => {
    expect(
      sumSeries([
        {
          metric: {},
          points: [
            { t: 1, v: 1 },
            { t: 2, v: 2 },
          ],
        },
        { metric: {}, points: [{ t: 2, v: 3 }] },
      ]),
    ).toEqual([
      { t: 1, v: 1 },
      { t: 2, v: 5 },
    ]);
  });

  it('counts pods started and stopped in the window, leaving out unsettled changes', () => {
    const w = { fromMs: FROM, toMs: TO, stepSeconds: 8, settleSeconds: 30 };
    const pts = (fromT: number, toT: number, started: number) =>
      [fromT, (fromT + toT) / 2, toT].map((t) => ({ t, v: started / 1000 }));
    const r = podChangesFrom(
      [
        { metric: { pod: 'old' }, points: pts(FROM, TO, FROM - 3600_000) }, // ran all along
        { metric: { pod: 'new' }, points: pts(TO - 600_000, TO, TO - 600_000) }, // started 10m ago
        { metric: { pod: 'gone' }, points: pts(FROM, TO - 900_000, FROM - 60_000) }, // stopped 15m ago
        { metric: { pod: 'fresh' }, points: pts(TO - 10_000, TO, TO - 10_000) }, // 10 s ago: unsettled
      ],
      w,
    );
    expect(r.podsSeen).toBe(4);
    expect(r.changes).toEqual([
      { pod: 'gone', change: 'stopped', at: new Date(TO - 900_000).toISOString() },
      { pod: 'new', change: 'started', at: new Date(TO - 600_000).toISOString() },
    ]);
  });

  it('leaves out changes from before the service was first subscribed', () => {
    const pts = (fromT: number, started: number) => [
      { t: fromT, v: started / 1000 },
      { t: TO, v: started / 1000 },
    ];
    const r = podChangesFrom(
      [
        { metric: { pod: 'early' }, points: pts(TO - 900_000, TO - 900_000) },
        { metric: { pod: 'late' }, points: pts(TO - 300_000, TO - 300_000) },
      ],
      { fromMs: FROM, toMs: TO, stepSeconds: 8, settleSeconds: 30, sinceMs: TO - 600_000 },
    );
    expect(r.changes.map((c) => c.pod)).toEqual(['late']);
  });
});
