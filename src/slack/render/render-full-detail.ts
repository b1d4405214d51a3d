import type { StepResult } from '../../domain/step-result.js';
import { tableText } from './render-table.js';
import { formatCommand } from '../../grammar/format-command.js';

/** Everything in a StepResult as plain text: what goes up as a file when blocks cannot hold it. */
export function renderFullDetail(result: StepResult, commandText: string): string {
  const out: string[] = [
    `meshbot ${commandText}`,
    `${result.step} ${result.target}: ${result.status.toUpperCase()}`,
    `Summary: ${result.summary}`,
    `Started: ${result.startedAt}, took ${result.durationMs} ms`,
    '',
    `Findings (${result.findings.length})`,
  ];
  for (const f of result.findings) {
    out.push(`  [${f.severity}] ${f.message}${f.subject ? ` (${f.subject})` : ''}`);
    if (f.hint) out.push(`      hint: ${f.hint}`);
    if (f.docsUrl) out.push(`      docs: ${f.docsUrl}`);
  }
  for (const t of result.evidence) {
    out.push(
      '',
      `${t.title} (${t.rows.length} rows)`,
      ...tableText(t)
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  if (result.next.length) {
    out.push('', 'Next steps');
    for (const n of result.next) {
      out.push(
        `  - ${n.label}${n.command ? `: /mesh ${formatCommand(n.command)}` : ''}${n.description ? ` (${n.description})` : ''}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
