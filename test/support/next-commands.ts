import type { NextStep } from '../../src/domain/step-result.js';
import { formatCommand } from '../../src/grammar/format-command.js';

/** Next steps' commands as the grammar writes them (undefined for advice). */
export function nextCommands(next: readonly NextStep[]): Array<string | undefined> {
  return next.map((n) => (n.command ? formatCommand(n.command) : undefined));
}
