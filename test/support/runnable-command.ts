import { parseCommand, type RunnableCommand } from '../../src/grammar/parse-command.js';

/** A parsed command for a test's next steps; throws on help or text that does not parse. */
export function runnable(text: string): RunnableCommand {
  const c = parseCommand(text);
  if (c.name === 'help') throw new Error(`"${text}" is not a runnable command`);
  return c;
}
