import type { AuditEntry } from '../../../src/slack/audit-log.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import type { CommandExecutor, RunnableCommand } from '../../../src/slack/command-executor.js';
import { targetOf } from '../../../src/slack/command-executor.js';
import { runnable } from '../../support/runnable-command.js';

/** A StepResult shaped like the endpoints step's, for the Slack layer's tests (our own seam). */
export function sampleResult(command: RunnableCommand, overrides: Partial<StepResult> = {}): StepResult {
  return {
    step: command.name,
    target: targetOf(command),
    status: 'fail',
    summary: '1 address in the destination is stale: 10.42.0.17:8080 belongs to no running pod',
    findings: [
      {
        severity: 'fail',
        code: 'stale-in-destination',
        message: '10.42.0.17:8080 is served by the destination but Kubernetes no longer has it',
        hint: 'It belongs to no running pod: most likely a deleted pod. Restart the destination pods.',
        subject: '10.42.0.17:8080',
      },
    ],
    evidence: [
      {
        title: 'Kubernetes endpoints',
        columns: ['address', 'pod', 'ready'],
        rows: [['10.42.0.12:8080', 'web-5d9c-abcde', 'true']],
      },
      {
        title: 'Destination endpoints',
        columns: ['address', 'pod', 'weight'],
        rows: [
          ['10.42.0.12:8080', 'web-5d9c-abcde', '10000'],
          ['10.42.0.17:8080', 'web-5d9c-zzzzz', '10000'],
        ],
      },
    ],
    next: [{ label: 'Destination metrics', command: runnable('metrics web-svc.emojivoto') }],
    data: null,
    startedAt: new Date().toISOString(),
    durationMs: 12,
    ...overrides,
  };
}

/** An executor that records the commands it ran and answers with `sampleResult`. */
export function fakeExecutor(
  make: (c: RunnableCommand) => StepResult | Promise<StepResult> = (c) => sampleResult(c),
): CommandExecutor & {
  ran: RunnableCommand[];
} {
  const ran: RunnableCommand[] = [];
  const exec = (async (command: RunnableCommand) => {
    ran.push(command);
    return make(command);
  }) as unknown as CommandExecutor & { ran: RunnableCommand[] };
  exec.ran = ran;
  return exec;
}

/** An AuditLog that keeps its entries and lets a test wait for one (no sleeps). */
export function recordingAudit(): {
  entries: AuditEntry[];
  record(e: AuditEntry): void;
  waitFor(pred: (e: AuditEntry) => boolean, timeoutMs?: number): Promise<AuditEntry>;
} {
  const entries: AuditEntry[] = [];
  const waiters: { pred: (e: AuditEntry) => boolean; resolve: (e: AuditEntry) => void }[] = [];
  return {
    entries,
    record(e) {
      entries.push(e);
      for (const w of [...waiters]) {
        if (w.pred(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    },
    waitFor(pred, timeoutMs = 10_000) {
      const found = entries.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise<AuditEntry>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for an audit entry')), timeoutMs);
        waiters.push({
          pred,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
  };
}
