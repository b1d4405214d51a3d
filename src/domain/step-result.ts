/**
 * The typed result every runbook step returns. Front ends (CLI text/JSON, Slack Block Kit)
 * render it; steps never know who renders them. `meshbot <step> --output json` prints exactly
 * this object; docs/step-result.md documents it.
 */
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

export interface NextStep {
  /** Short label, e.g. "Check destination metrics". */
  label: string;
  /** The command in meshbot's grammar, e.g. `metrics web-svc.emojivoto`, when one applies. */
  command?: string;
  description?: string;
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
}

const ORDER: Record<StepStatus, number> = { pass: 0, warn: 1, fail: 2, error: 3 };

/** The worse of two statuses (error > fail > warn > pass). */
export function worstStatus(...statuses: StepStatus[]): StepStatus {
  return statuses.reduce<StepStatus>((a, b) => (ORDER[b] > ORDER[a] ? b : a), 'pass');
}

/** The status implied by findings alone. */
export function statusFromFindings(findings: Finding[]): StepStatus {
  return worstStatus(...findings.map((f): StepStatus => (f.severity === 'info' ? 'pass' : f.severity)));
}
