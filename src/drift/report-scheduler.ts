/**
 * Runs the configured reports on their cron schedules (node-cron, with time zones), on the
 * leader only. Each scheduled time is a slot: a slot already finished (by this or an earlier
 * leader) is not run again; a slot that an earlier leader started and did not finish is run by
 * the next leader as soon as it leads (`recover`), and so is the latest slot that fell due while
 * no replica led, within one schedule interval (missed-slot.ts).
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { ReportConfig } from '../config/reports-schema.js';
import { latestMissedSlot } from './missed-slot.js';
import type { ReportStateStore } from './report-state-store.js';

export interface ReportSchedulerOptions {
  reports: readonly ReportConfig[];
  store: ReportStateStore;
  isLeader: () => boolean;
  /** Runs one slot of a report (runReport with the adapters, notifier and fencing token). */
  run: (report: ReportConfig, slot: string) => Promise<unknown>;
  onError?: (report: ReportConfig, err: unknown) => void;
  /** A slot skipped, and why (logs, tests). */
  onSkip?: (report: ReportConfig, slot: string, reason: 'not-leader' | 'finished' | 'running') => void;
  /** A slot run when this replica started leading, and why (logs, tests). */
  onRecover?: (report: ReportConfig, slot: string, reason: 'unfinished' | 'missed') => void;
  /** Wall-clock ms; default Date.now. */
  now?: () => number;
}

export interface ReportScheduler {
  start(): void;
  /**
   * Runs what an earlier leader left unfinished, or else the latest slot missed while nobody led
   * (within one interval); call when this replica starts leading.
   */
  recover(): Promise<void>;
  /**
   * Runs a report now, outside its schedule (`/mesh report run NAME`), and resolves with what
   * `run` returned; a failure is thrown to the caller (and told to onError). A run of it in
   * flight ends first.
   */
  runNow(name: string): Promise<unknown>;
  /** The next time a report's schedule fires (null before start or after stop). */
  nextRun(name: string): Date | null;
  /** Resolves when no run is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function createReportScheduler(o: ReportSchedulerOptions): ReportScheduler {
  const tasks = new Map<string, ScheduledTask>();
  const running = new Map<string, Promise<void>>();
  /** While a new leader recovers, its schedule's ticks wait (the unfinished slot runs first). */
  let recovering: Promise<void> | undefined;

  async function runSlot(report: ReportConfig, slot: string): Promise<void> {
    if (running.has(report.name)) {
      o.onSkip?.(report, slot, 'running');
      return;
    }
    const p = (async () => {
      try {
        const state = await o.store.read();
        if (state.reports[report.name]?.finished?.slot === slot) {
          o.onSkip?.(report, slot, 'finished');
          return;
        }
        await o.run(report, slot);
      } catch (err) {
        o.onError?.(report, err);
      }
    })();
    running.set(report.name, p);
    try {
      await p;
    } finally {
      running.delete(report.name);
    }
  }

  async function recoverNow(): Promise<void> {
    const state = await o.store.read();
    const now = (o.now ?? Date.now)();
    await Promise.all(
      o.reports.map(async (report) => {
        if (!o.isLeader()) return;
        const r = state.reports[report.name];
        if (r?.started && r.started.slot !== r.finished?.slot) {
          o.onRecover?.(report, r.started.slot, 'unfinished');
          await runSlot(report, r.started.slot);
          return;
        }
        const task = tasks.get(report.name);
        const missed =
          task &&
          latestMissedSlot(task, {
            lastStarted: r?.started?.slot,
            now,
            seconds: cron.parse(report.schedule).second.join() !== '0',
          });
        if (missed) {
          o.onRecover?.(report, missed, 'missed');
          await runSlot(report, missed);
        }
      }),
    );
  }

  return {
    start() {
      for (const report of o.reports) {
        tasks.set(
          report.name,
          cron.schedule(
            report.schedule,
            async (ctx) => {
              const slot = ctx.date.toISOString();
              if (!o.isLeader()) {
                o.onSkip?.(report, slot, 'not-leader');
                return;
              }
              if (recovering) await recovering;
              await runSlot(report, slot);
            },
            { name: `report-${report.name}`, ...(report.timezone ? { timezone: report.timezone } : {}) },
          ),
        );
      }
    },
    async recover() {
      const p = recoverNow();
      recovering = p;
      try {
        await p;
      } finally {
        if (recovering === p) recovering = undefined;
      }
    },
    async runNow(name) {
      const report = o.reports.find((r) => r.name === name);
      if (!report) throw new Error(`no report named ${name}`);
      // A run in flight (a scheduled slot) ends first; then this one runs.
      for (let r = running.get(name); r; r = running.get(name)) await r;
      const p = o.run(report, `manual-${new Date().toISOString()}`).catch((err: unknown) => {
        o.onError?.(report, err);
        throw err;
      });
      const done = p.then(
        () => undefined,
        () => undefined,
      );
      running.set(name, done);
      try {
        return await p;
      } finally {
        running.delete(name);
      }
    },
    nextRun(name) {
      return tasks.get(name)?.getNextRun() ?? null;
    },
    async idle() {
      await Promise.all(running.values());
    },
    async stop() {
      for (const t of tasks.values()) await t.destroy();
      tasks.clear();
      await Promise.all(running.values());
    },
  };
}
