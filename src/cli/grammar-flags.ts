import type { Command } from 'commander';
import {
  buildCommand,
  commandSpec,
  type CommandName,
  type FlagValues,
  type MeshCommand,
} from '../grammar/parse-command.js';

/**
 * The CLI side of "flags described once": a command's grammar flags (src/grammar) declared to
 * commander, and the command built from commander's values by the grammar's own builder.
 */
export function addGrammarFlags(cmd: Command, name: CommandName): Command {
  for (const f of commandSpec(name).flags) {
    const flags = `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.value ? ` <${f.value}>` : ''}`;
    if (f.default !== undefined) cmd.option(flags, f.description, f.default);
    else cmd.option(flags, f.description);
  }
  return cmd;
}

/** The parsed command for `meshbot NAME [TARGET] --flags`, validated as `/mesh` text is. */
export function commandFromCli<N extends CommandName>(
  name: N,
  target: string | undefined,
  flags: FlagValues,
): Extract<MeshCommand, { name: N }> {
  const values: FlagValues = {};
  for (const f of commandSpec(name).flags) values[f.name] = flags[f.name];
  return buildCommand(name, target === undefined ? [] : [target], values) as Extract<
    MeshCommand,
    { name: N }
  >;
}
