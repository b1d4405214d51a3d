import { describeError, MeshbotError } from '../errors.js';
/**
 * The typed result every runbook step returns. Front ends (CLI text/JSON, Slack Block Kit)
 * render it; steps never know who renders them. `meshbot <step> --output json` prints exactly
 * this object; docs/step-result.md documents it.
 */
import type { RunnableCommand } from '../grammar/parse-command.js';

export type StepStatus = 'pass' | 'warn' | 'fail' | 'error';

export type FindingSeverity = 'info' | 'warn' | 'fail' | 'error';

export interface Finding {
  severity: FindingSeverity;
  /** Stable machine-readable code, e.g. `stale-in-destination`. */
  code: string;
  /** One sentence a person can act on. */
  message: string;
  hint?: string;
  docsUrl?: string;
  /** Subject of the finding (an address, a pod, a certificate), when there is one. */
  subject?: string;
}

/** Evidence as a table: what was seen, from where. */
export interface EvidenceTable {
  title: string;
  columns: string[];
  rows: string[][];
}

/**
 * A suggested next step: a command that runs as it is (front ends offer it as a button, and
 * render it with the grammar's `formatCommand`), or, without `command`, advice with no button.
 */
export interface NextStep {
  /** Short label, e.g. "Check destination metrics". */
  label: string;
  /** The parsed command, e.g. `metrics web-svc.emojivoto`; absent for advice. */
  command?: RunnableCommand;
  description?: string;
}

/**
 * A file that goes with a result (the metrics chart): Slack uploads it to the thread, the CLI
 * writes it to a file. JSON output never carries the bytes: `toJSON` leaves them out and keeps
 * the size and, once written, the path.
 */
export interface StepAttachment {
  filename: string;
  contentType: string;
  data: Uint8Array;
  title?: string;
  /** Where a front end wrote it, when it did (CLI). */
  path?: string;
  toJSON?: () => Record<string, unknown>;
}

/** An attachment whose JSON form is `{ filename, contentType, title, bytes, path }`, without the data. */
export function makeAttachment(a: Omit<StepAttachment, 'toJSON'>): StepAttachment {
  const att: StepAttachment = { ...a };
  Object.defineProperty(att, 'toJSON', {
    enumerable: false,
    value: () => ({
      filename: att.filename,
      contentType: att.contentType,
      ...(att.title !== undefined ? { title: att.title } : {}),
      bytes: att.data.byteLength,
      ...(att.path !== undefined ? { path: att.path } : {}),
    }),
  });
  return att;
}

export interface StepResult<Data = unknown> {
  /** Step name: endpoints, check, metrics, scale-test. */
  step: string;
  /** What it ran against, e.g. `web-svc.emojivoto:80`. */
  target: string;
  status: StepStatus;
  /** One line. */
  summary: string;
  findings: Finding[];
  evidence: EvidenceTable[];
  next: NextStep[];
  /** Step-specific typed detail (documented per step). */
  data: Data;
  startedAt: string;
  durationMs: number;
  /** Files that go with the result (e.g. a PNG chart); optional, absent for most steps. */
  attachments?: StepAttachment[];
  /**
   * The cluster it ran against, set by the front end when meshbot serves configured clusters
   * (`clusters:`); absent with the one cluster of flags and environment.
   */
  cluster?: string;
}

/** What a result is about, for headings: `endpoints web-svc.emojivoto:80`, with its cluster when it has one. */
export function resultHeading(result: Pick<StepResult, 'step' | 'target' | 'cluster'>): string {
  return `${result.step} ${result.target}${result.cluster !== undefined ? ` [cluster ${result.cluster}]` : ''}`;
}

const ORDER: Record<StepStatus, number> = { pass: 0, warn: 1, fail: 2, error: 3 };

/** The worse of two statuses (error > fail > warn > pass). */
export function worstStatus(...statuses: StepStatus[]): StepStatus {
  return statuses.reduce<StepStatus>((a, b) => (ORDER[b] > ORDER[a] ? b : a), 'pass');
}

/**
 * A step that could not run at all, as a result with status `error` so it renders like any
 * other: the error's message and hint as its one finding.
 */
export function stepErrorResult(
  step: string,
  target: string,
  err: unknown,
  startedAt = new Date(),
): StepResult {
  const { message, hint } = describeError(err);
  return {
    step,
    target,
    status: 'error',
    summary: message,
    findings: [
      {
        severity: 'error',
        code: err instanceof MeshbotError ? `${err.kind}-error` : 'internal-error',
        message,
        ...(hint ? { hint } : {}),
      },
    ],
    evidence: [],
    next: [],
    data: null,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
}

/** The status implied by findings alone. */
export function statusFromFindings(findings: Finding[]): StepStatus {
  return worstStatus(...findings.map((f): StepStatus => (f.severity === 'info' ? 'pass' : f.severity)));
}
