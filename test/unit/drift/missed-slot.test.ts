import cron from 'node-cron';
import { reportSchema } from '../../../src/config/reports-schema.js';
import { latestMissedSlot } from '../../../src/drift/missed-slot.js';
import { createReportScheduler } from '../../../src/drift/report-scheduler.js';
import { emptyState, type ReportsState } from '../../../src/drift/report-state-store.js';

const HOUR = 3600_000;

describe('latestMissedSlot', () => {
  const task = (pattern: string, timezone?: string) =>
    cron.createTask(pattern, () => undefined, timezone ? { timezone } : {});

  it('is the latest slot within one interval that is later than the last started', () => {
    const t = task('*/15 * * * *');
    const now = Date.parse('2026-11-30T10:07:30Z');
    // Last started 09:45; 10:00 fell due while nobody led.
    expect(latestMissedSlot(t, { lastStarted: '2026-11-30T09:45:00.000Z', now, seconds: false })).toBe(
      '2026-11-30T10:00:00.000Z',
    );
    // 10:00 was started (by the old leader): nothing to catch up.
    expect(
      latestMissedSlot(t, { lastStarted: '2026-11-30T10:00:00.000Z', now, seconds: false }),
    ).toBeUndefined();
    // No leader ever ran it: a first start is not a gap.
    expect(latestMissedSlot(t, { lastStarted: undefined, now, seconds: false })).toBeUndefined();
    void t.destroy();
  });

  it('looks back one interval only, in the schedule time zone', () => {
    // Daily 09:00 in Paris (08:00 UTC in winter).
    const t = task('0 9 * * *', 'Europe/Paris');
    const runs = t.getNextRuns(2);
    expect(runs[1]!.getTime() - runs[0]!.getTime()).toBe(24 * HOUR);
    const now = Date.parse('2026-11-30T17:00:00Z');
    expect(latestMissedSlot(t, { lastStarted: '2026-11-28T08:00:00.000Z', now, seconds: false })).toBe(
      '2026-11-30T08:00:00.000Z',
    );
    void t.destroy();
    // Seconds-level: the slot of this second.
    const s = task('*/5 * * * * *');
    expect(
      latestMissedSlot(s, {
        lastStarted: '2026-11-30T10:00:00.000Z',
        now: Date.parse('2026-11-30T10:00:12.400Z'),
        seconds: true,
      }),
    ).toBe('2026-11-30T10:00:10.000Z');
    void s.destroy();
  });
});

describe('the scheduler when a replica starts leading', () => {
  const report = reportSchema.parse({ name: 'hourly', schedule: '0 * * * *', channel: 'C0HOURLY' });
  const topOfHour = (ms: number) => new Date(Math.floor(ms / HOUR) * HOUR).toISOString();

  async function recoverWith(state: ReportsState, now: number) {
    const ran: Array<[string, string]> = [];
    const scheduler = createReportScheduler({
      reports: [report],
      store: { read: async () => state, update: async (c) => c(state) },
      isLeader: () => true,
      run: async () => undefined,
      onRecover: (_r, slot, reason) => void ran.push([slot, reason]),
      now: () => now,
    });
    scheduler.start();
    await scheduler.recover();
    await scheduler.stop();
    return ran;
  }

  it('runs an unfinished slot, else the latest slot missed while nobody led, once', async () => {
    const now = Date.now();
    const mark = (slot: string) => ({ slot, at: slot, by: 'pod-a' });
    const state = (started?: string, finished?: string): ReportsState => {
      const s = emptyState();
      s.reports['hourly'] = {
        open: {},
        messages: {},
        ...(started ? { started: mark(started) } : {}),
        ...(finished ? { finished: mark(finished) } : {}),
      };
      return s;
    };
    const earlier = topOfHour(now - 2 * HOUR);
    expect(await recoverWith(state(earlier, earlier), now)).toEqual([[topOfHour(now), 'missed']]);
    expect(await recoverWith(state(topOfHour(now), topOfHour(now)), now)).toEqual([]);
    expect(await recoverWith(state(earlier), now)).toEqual([[earlier, 'unfinished']]);
    expect(await recoverWith(emptyState(), now)).toEqual([]);
  });
});
