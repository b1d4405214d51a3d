/**
 * Runs the configured reports on their cron schedules (node-cron, with time zones), on the
 * leader only. Each scheduled time is a slot: a slot already finished (by this or an earlier
 * leader) is not run again; a slot that an earlier leader started and did not finish is run by
 * the next leader as soon as it leads (`recover`).
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { ReportConfig } from '../config/reports-schema.js';
import type { ReportStateStore } from './report-state-store.js';

export interface ReportSchedulerOptions {
  reports: readonly ReportConfig[];
  store: ReportStateStore;
  isLeader: () => boolean;
  /** Runs one slot of a report (runReport with the adapters, notifier and fencing token). */
  run: (report: ReportConfig, slot: string) => Promise<void>;
  onError?: (report: ReportConfig, err: unknown) => void;
  /** A slot skipped, and why (logs, tests). */
  onSkip?: (report: ReportConfig, slot: string, reason: 'not-leader' | 'finished' | 'running') => void;
}

export interface ReportScheduler {
  start(): void;
  /** Runs what an earlier leader left unfinished; call when this replica starts leading. */
  recover(): Promise<void>;
  /** Runs a report now, outside its schedule (`/mesh report run NAME`). */
  runNow(name: string): Promise<void>;
  /** Resolves when no run is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function createReportScheduler(o: ReportSchedulerOptions): ReportScheduler {
  const tasks: ScheduledTask[] = [];
  const running = new Map<string, Promise<void>>();

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

  return {
    start() {
      for (const report of o.reports) {
        tasks.push(
          cron.schedule(
            report.schedule,
            async (ctx) => {
              const slot = ctx.date.toISOString();
              if (!o.isLeader()) {
                o.onSkip?.(report, slot, 'not-leader');
                return;
              }
              await runSlot(report, slot);
            },
            { name: `report-${report.name}`, ...(report.timezone ? { timezone: report.timezone } : {}) },
          ),
        );
      }
    },
    async recover() {
      const state = await o.store.read();
      await Promise.all(
        o.reports.map(async (report) => {
          const r = state.reports[report.name];
          if (r?.started && r.started.slot !== r.finished?.slot && o.isLeader()) {
            await runSlot(report, r.started.slot);
          }
        }),
      );
    },
    async runNow(name) {
      const report = o.reports.find((r) => r.name === name);
      if (!report) throw new Error(`no report named ${name}`);
      await runSlot(report, `manual-${new Date().toISOString()}`);
    },
    async idle() {
      await Promise.all(running.values());
    },
    async stop() {
      for (const t of tasks) await t.destroy();
      tasks.length = 0;
      await Promise.all(running.values());
    },
  };
}
