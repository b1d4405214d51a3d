/**
 * Any StepResult as text for a terminal: a status line, the evidence as kubectl-like tables,
 * findings with their hints, and next steps as commands to type. Colour only when asked
 * (see use-color.ts); the same words either way.
 */
import { resultHeading, type Finding, type StepResult, type StepStatus } from '../../domain/step-result.js';
import { formatTable } from './format-table.js';
import { palette, statusPaint } from './use-color.js';
import { formatCommand } from '../../grammar/format-command.js';

export interface TextRenderOptions {
  color?: boolean;
  /** Put before next-step commands: `meshbot ` in the CLI. */
  commandPrefix?: string;
}

const STATUS_WORD: Record<StepStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR' };

const SEVERITY_ORDER: Record<Finding['severity'], number> = { error: 0, fail: 1, warn: 2, info: 3 };

export function renderStepResultText(result: StepResult, options: TextRenderOptions = {}): string {
  const p = palette(options.color ?? false);
  const prefix = options.commandPrefix ?? 'meshbot ';
  const out: string[] = [];
  const word = STATUS_WORD[result.status];
  out.push(
    `${statusPaint(p, result.status)(p.bold(word))}  ${resultHeading(result)}  (${result.durationMs} ms)`,
  );
  out.push(result.summary);

  for (const table of result.evidence) {
    out.push('', p.bold(table.title));
    if (table.rows.length === 0) {
      out.push(p.dim('(none)'));
      continue;
    }
    const [header, ...rows] = formatTable(table);
    out.push(p.dim(header ?? ''), ...rows.map((r) => r.replace(/\b(STALE|MISSING)\b/g, (m) => p.red(m))));
  }

  const findings = [...result.findings].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
  if (findings.length > 0) {
    out.push('', p.bold('Findings'));
    for (const f of findings) {
      const tag = f.severity.toUpperCase().padEnd(5);
      out.push(`  ${statusPaint(p, f.severity)(tag)}  ${f.message}`);
      if (f.hint) out.push(`         ${p.dim('hint:')} ${f.hint}`);
      if (f.docsUrl) out.push(`         ${p.dim('see')} ${f.docsUrl}`);
    }
  }

  if (result.next.length > 0) {
    out.push('', p.bold('Next steps'));
    const commands = result.next.map((n) => (n.command ? `${prefix}${formatCommand(n.command)}` : ''));
    const width = Math.max(...commands.map((c) => c.length));
    result.next.forEach((n, i) => {
      const cmd = commands[i]!;
      const text = n.description ? `${n.label}: ${n.description}` : n.label;
      out.push(cmd ? `  ${cmd.padEnd(width)}   ${p.dim(text)}` : `  ${text}`);
    });
  }
  for (const a of result.attachments ?? [])
    out.push('', `attachment: ${a.filename}${a.path ? ` -> ${a.path}` : ''}`);
  return `${out.join('\n')}\n`;
}
