import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { printable } from '../grammar/targets.js';

export type OutputFormat = 'text' | 'json';

export function addOutputFlag(cmd: Command): Command {
  return cmd.option('-o, --output <format>', 'text or json', 'text');
}

export function readOutputFormat(raw: string | undefined): OutputFormat {
  const value = (raw ?? 'text').toLowerCase();
  if (value === 'text' || value === 'json') return value;
  throw new UsageError(
    `output format "${printable(raw ?? '')}" is not supported`,
    'Use --output text or --output json.',
  );
}
