import type { EvidenceTable } from '../../domain/step-result.js';

/**
 * A kubectl-like table: upper-case headers, columns padded to their widest cell and separated
 * by three spaces, columns that are empty in every row left out. Returns lines without colour.
 */
export function formatTable(table: Pick<EvidenceTable, 'columns' | 'rows'>): string[] {
  const keep = table.columns
    .map((_, i) => i)
    .filter((i) => table.rows.length === 0 || table.rows.some((r) => (r[i] ?? '') !== ''));
  const header = keep.map((i) => table.columns[i] ?? '');
  const rows = table.rows.map((r) => keep.map((i) => (r[i] ?? '').replace(/\s+/g, ' ')));
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
