/**
 * A runbook run for a terminal: each step's header (number, title, verdict, command, who
 * confirmed it), its result as the step's own text rendering, skipped steps with why, and the
 * conclusion.
 */
import type { RunbookEntry, RunbookReport } from '../../runbooks/drive-runbook.js';
import { renderStepResultText, type TextRenderOptions } from './render-step-result-text.js';
import { palette, statusPaint } from './use-color.js';

export function renderRunbookEntryText(
  entry: RunbookEntry,
  index: number,
  options: TextRenderOptions = {},
): string {
  const p = palette(options.color === true);
  const verdict = entry.outcome === 'stopped' ? 'skipped' : entry.outcome;
  const head = `${p.bold(`${index + 1}. ${entry.title}`)}  ${statusPaint(p, verdict)(entry.outcome.toUpperCase())}  ${p.dim(entry.command)}${entry.confirmedBy ? p.dim(` (confirmed by ${entry.confirmedBy})`) : ''}`;
  if (!entry.result) return `${head}\n   ${entry.note ?? 'not run'}\n\n`;
  return `${head}\n${renderStepResultText(entry.result, options)}\n`;
}

export function renderRunbookText(report: RunbookReport, options: TextRenderOptions = {}): string {
  const p = palette(options.color === true);
  const out = [
    `${p.bold(`Runbook ${report.runbook.id}`)} on ${report.target} (cluster ${report.cluster}), asked by ${report.requestedBy}\n\n`,
    ...report.entries.map((e, i) => renderRunbookEntryText(e, i, options)),
    `${p.bold('Conclusion')} (${statusPaint(p, report.worst)(report.worst.toUpperCase())} at worst): ${report.stop.conclusion}\n`,
  ];
  return out.join('');
}
