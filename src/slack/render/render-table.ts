import type { EvidenceTable } from '../../domain/step-result.js';

/** A cell made safe for a code block: no backtick fences, no newlines. */
function cell(text: string): string {
  return text.replace(/```/g, "'''").replace(/[\r\n]+/g, ' ');
}

/** Lines of a monospace table: header, rule, rows; columns padded to their widest cell. */
export function tableLines(table: EvidenceTable): { header: string[]; rows: string[] } {
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...table.rows.map((r) => cell(r[i] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    widths
      .map((w, i) => cell(cells[i] ?? '').padEnd(w))
      .join('  ')
      .trimEnd();
  return {
    header: [line(table.columns.map((c) => c.toUpperCase())), widths.map((w) => '-'.repeat(w)).join('  ')],
    rows: table.rows.map(line),
  };
}

/** The whole table as plain text (files, the CLI-like full detail). */
export function tableText(table: EvidenceTable): string {
  const { header, rows } = tableLines(table);
  return [...header, ...(rows.length ? rows : ['(none)'])].join('\n');
}
