import type { StepResult } from '../../domain/step-result.js';
import { formatCommand } from '../../grammar/format-command.js';

/**
 * The StepResult as JSON, exactly the object front ends receive (docs/step-result.md).
 * Attachments serialize without their bytes (their own toJSON); next-step commands as text.
 */
export function renderStepResultJson(result: StepResult): string {
  // Next steps carry parsed commands; JSON shows them as the grammar writes them.
  const next = result.next.map((n) => (n.command ? { ...n, command: formatCommand(n.command) } : n));
  return `${JSON.stringify({ ...result, next }, null, 2)}\n`;
}
