import { leaderElectionSchema, reportsConfigSchema } from '../../../src/config/reports-schema.js';

describe('reports config', () => {
  it('fills the defaults', () => {
    const [r] = reportsConfigSchema.parse([{ name: 'nightly', schedule: '0 6 * * *', channel: 'C012AB3CD' }]);
    expect(r).toEqual({
      name: 'nightly',
      schedule: '0 6 * * *',
      channel: 'C012AB3CD',
      scope: { namespaces: [] },
      checks: ['endpoints', 'control-plane'],
      repeatInterval: 4 * 3600 * 1000,
      quiet: true,
      persistence: 10_000,
      concurrency: 32,
      thresholds: { certificateWarningDays: 60 },
      clusterConcurrency: 4,
      sweepTimeout: 300_000,
    });
  });

  it('takes how many clusters are swept at once and how long each sweep may take', () => {
    const [r] = reportsConfigSchema.parse([
      { name: 'x', schedule: '* * * * *', channel: 'C012AB3CD', clusterConcurrency: 2, sweepTimeout: '90s' },
    ]);
    expect(r).toMatchObject({ clusterConcurrency: 2, sweepTimeout: 90_000 });
  });

  it('takes a certificate warning threshold in days', () => {
    const [r] = reportsConfigSchema.parse([
      { name: 'x', schedule: '* * * * *', channel: 'C012AB3CD', thresholds: { certificateWarningDays: 14 } },
    ]);
    expect(r?.thresholds).toEqual({ certificateWarningDays: 14 });
  });

  it('takes seconds-level schedules, time zones and durations', () => {
    const [r] = reportsConfigSchema.parse([
      {
        name: 'fast',
        schedule: '*/10 * * * * *',
        timezone: 'Europe/Paris',
        channel: 'C012AB3CD',
        repeatInterval: '30m',
        quiet: false,
      },
    ]);
    expect(r).toMatchObject({ timezone: 'Europe/Paris', repeatInterval: 1_800_000, quiet: false });
  });

  it.each([
    [{ schedule: 'every day' }, /cron expression/],
    [{ timezone: 'Mars/Olympus' }, /time zone/],
    [{ channel: '#ops' }, /channel id/],
    [{ repeatInterval: '5s' }, /out of range/],
    [{ checks: ['everything'] }, /Invalid option|expected one of/],
    [{ extra: 1 }, /Unrecognized key/],
    [{ thresholds: { certificateWarningDays: 0 } }, /too_small|>=1/],
    [{ thresholds: { certificateWarningDays: 7.5 } }, /integer|int/],
    [{ thresholds: { certWarnDays: 7 } }, /Unrecognized key/],
    [{ clusterConcurrency: 0 }, /too_small|>=1/],
    [{ clusterConcurrency: 100 }, /too_big|<=16/],
    [{ sweepTimeout: '2h' }, /out of range/],
  ])('refuses %p', (bad, message) => {
    const r = reportsConfigSchema.safeParse([
      { name: 'x', schedule: '* * * * *', channel: 'C012AB3CD', ...bad },
    ]);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(message);
  });

  it('refuses two reports of one name', () => {
    const r = reportsConfigSchema.safeParse([
      { name: 'x', schedule: '* * * * *', channel: 'C012AB3CD' },
      { name: 'x', schedule: '* * * * *', channel: 'C012AB3CD' },
    ]);
    expect(r.error?.issues[0]?.message).toMatch(/defined twice/);
  });

  it('validates leader election timings as client-go does', () => {
    expect(leaderElectionSchema.parse(undefined)).toMatchObject({
      leaseDuration: 15_000,
      renewDeadline: 10_000,
      retryPeriod: 2_000,
    });
    const r = leaderElectionSchema.safeParse({ leaseDuration: '10s', renewDeadline: '10s' });
    expect(r.error?.issues[0]?.message).toMatch(/greater than the renew deadline/);
  });
});
