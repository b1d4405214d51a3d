import { pause } from '../pause.js';

/**
 * The scale test's one poll: Prometheus only knows what it scraped, so `endpoints_updates` is
 * read every `pollMs` until it passes `before`, the deadline passes, or `signal` aborts.
 */
export interface MetricPoll {
  read(): Promise<number | undefined>;
  before: number;
  /** Deadline on `now()`'s clock. */
  deadline: number;
  now(): number;
  pollMs: number;
  signal: AbortSignal;
}

/** The value that passed `before`, or undefined (deadline, abort). A failed read counts as none. */
export async function pollMetricMoved(poll: MetricPoll): Promise<number | undefined> {
  while (poll.now() < poll.deadline && !poll.signal.aborted) {
    const value = await poll.read().catch(() => undefined);
    if (value !== undefined && value > poll.before) return value;
    await pause(poll.pollMs, poll.signal);
  }
  return undefined;
}
