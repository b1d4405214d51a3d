/**
 * Text rendering of the check step, grouped by category like `linkerd check`:
 *
 *   linkerd-identity
 *   ----------------
 *   √ trust anchors are within their validity period
 *   × issuer cert is within its validity period
 *       issuer certificate is outside its validity period
 *       identity.linkerd.cluster.local (serial 01) expired on 2026-01-01T00:00:00Z
 *       hint: Proxies cannot get new certificates ...
 *       see https://linkerd.io/2/checks/#l5d-identity-issuer-cert-is-time-valid for hints
 */
import type { StepResult } from '../../domain/step-result.js';
import type { CheckData, CheckResult, CheckResultStatus } from '../../steps/check/check-types.js';

export const CHECK_MARKS: Record<CheckResultStatus, string> = {
  pass: '√',
  warn: '‼',
  fail: '×',
  error: '×',
  skipped: '-',
};

export interface CheckTextOptions {
  /** Show what each passing check saw; default false (as linkerd check). */
  verbose?: boolean;
}

const INDENT = '    ';

export function renderCheckLine(r: CheckResult, options: CheckTextOptions = {}): string[] {
  const lines = [`${CHECK_MARKS[r.status]} ${r.description}`];
  if (r.status === 'pass') {
    if (options.verbose) lines.push(`${INDENT}${r.message}`);
    return lines;
  }
  if (r.status === 'skipped') {
    lines.push(`${INDENT}${r.message}`);
    return lines;
  }
  lines.push(`${INDENT}${r.status === 'error' ? 'could not check: ' : ''}${r.message}`);
  for (const d of r.details ?? []) lines.push(`${INDENT}  ${d}`);
  if (r.hint) lines.push(`${INDENT}hint: ${r.hint}`);
  lines.push(`${INDENT}see ${r.docsUrl} for hints`);
  return lines;
}

export function renderCheckText(result: StepResult<CheckData>, options: CheckTextOptions = {}): string {
  const out: string[] = [];
  for (const category of result.data.categories) {
    out.push(category.title, '-'.repeat(category.title.length));
    for (const r of category.checks) out.push(...renderCheckLine(r, options));
    out.push('');
  }
  const mark = result.status === 'pass' ? '√' : result.status === 'warn' ? '‼' : '×';
  out.push(`Status check results are ${mark}`);
  out.push(result.summary);
  for (const n of result.next) {
    out.push(
      `next: ${n.label}${n.command ? ` (meshbot ${n.command})` : ''}${n.description ? ` - ${n.description}` : ''}`,
    );
  }
  return `${out.join('\n')}\n`;
}
