/**
 * Catch-up after a leaderless gap: the latest slot of a report's schedule that fell due at most
 * one schedule interval ago (the gap between its next two runs), when it is later than the last
 * slot any leader started. Only that one slot is run, never every slot missed; a report no
 * leader ever ran is not caught up (a first start is not a gap). docs/reports.md.
 */
import type { ScheduledTask } from 'node-cron';

/** Longest look back, in steps (a day of seconds, or 60 days of minutes). */
const MAX_STEPS = 86_400;

export function latestMissedSlot(
  task: Pick<ScheduledTask, 'match' | 'getNextRuns'>,
  o: {
    /** The last scheduled slot a leader started (ISO); none: no catch-up. */
    lastStarted: string | undefined;
    now: number;
    /** The schedule has a seconds field other than 0 (step by seconds, else by minutes). */
    seconds: boolean;
  },
): string | undefined {
  if (!o.lastStarted) return undefined;
  const last = Date.parse(o.lastStarted);
  const [next, after] = task.getNextRuns(2);
  if (!next || !after) return undefined;
  const interval = after.getTime() - next.getTime();
  const step = o.seconds ? 1000 : 60_000;
  let t = Math.floor(o.now / step) * step;
  const from = o.now - interval;
  for (let i = 0; t >= from && i < MAX_STEPS; i++, t -= step) {
    if (Number.isFinite(last) && t <= last) return undefined;
    if (task.match(new Date(t))) return new Date(t).toISOString();
  }
  return undefined;
}
