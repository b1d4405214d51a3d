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
import { palette, statusPaint } from './use-color.js';
import { formatCommand } from '../../grammar/format-command.js';

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
  /** ANSI colours (see use-color.ts); default false. */
  color?: boolean;
  /** Put before next-step commands: `meshbot ` in the CLI (default), `/mesh ` in Slack. */
  commandPrefix?: string;
}

const INDENT = '    ';

export function renderCheckLine(r: CheckResult, options: CheckTextOptions = {}): string[] {
  const p = palette(options.color ?? false);
  const lines = [`${statusPaint(p, r.status)(CHECK_MARKS[r.status])} ${r.description}`];
  if (r.status === 'pass') {
    if (options.verbose) lines.push(`${INDENT}${r.message}`);
    return lines;
  }
  if (r.status === 'skipped') {
    lines.push(`${INDENT}${p.dim(r.message)}`);
    return lines;
  }
  lines.push(`${INDENT}${r.status === 'error' ? 'could not check: ' : ''}${r.message}`);
  for (const d of r.details ?? []) lines.push(`${INDENT}  ${d}`);
  if (r.hint) lines.push(`${INDENT}${p.dim('hint:')} ${r.hint}`);
  lines.push(`${INDENT}${p.dim('see')} ${r.docsUrl} ${p.dim('for hints')}`);
  return lines;
}

export function renderCheckText(result: StepResult<CheckData>, options: CheckTextOptions = {}): string {
  const p = palette(options.color ?? false);
  const prefix = options.commandPrefix ?? 'meshbot ';
  const out: string[] = result.cluster !== undefined ? [p.bold(`Cluster ${result.cluster}`), ''] : [];
  for (const category of result.data.categories) {
    out.push(p.bold(category.title), '-'.repeat(category.title.length));
    category.checks.forEach((r, i) => {
      const next = category.checks[i + 1];
      if (r.status === 'skipped' && next?.status === 'skipped' && next.message === r.message) {
        // A run of checks skipped for one reason: the reason once, after the last of them.
        out.push(`${statusPaint(p, 'skipped')(CHECK_MARKS.skipped)} ${r.description}`);
      } else {
        out.push(...renderCheckLine(r, options));
      }
    });
    out.push('');
  }
  const mark = result.status === 'pass' ? 'pass' : result.status === 'warn' ? 'warn' : 'fail';
  out.push(`Status check results are ${statusPaint(p, mark)(CHECK_MARKS[mark])}`);
  out.push(result.summary);
  for (const n of result.next) {
    out.push(
      `next: ${n.label}${n.command ? ` (${prefix}${formatCommand(n.command)})` : ''}${n.description ? ` - ${n.description}` : ''}`,
    );
  }
  return `${out.join('\n')}\n`;
}
