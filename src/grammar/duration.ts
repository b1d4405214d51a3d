import { UsageError } from '../errors.js';
import { printable } from './targets.js';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `500ms`, `10s`, `30m`, `2h`, `1d` (or a bare number of seconds) into seconds, within bounds. */
export function parseDuration(raw: string, what: string, bounds: { min: number; max: number }): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!m) {
    throw new UsageError(
      `${what} "${printable(raw)}" is not a duration`,
      'Write a number with a unit: 500ms, 10s, 30m, 2h.',
    );
  }
  const seconds = Number(m[1]) * UNITS[m[2] ?? 's']!;
  if (seconds < bounds.min || seconds > bounds.max) {
    throw new UsageError(
      `${what} ${printable(raw)} is out of range`,
      `It must be between ${formatDuration(bounds.min)} and ${formatDuration(bounds.max)}.`,
    );
  }
  return seconds;
}

/** 0.25 -> "250ms", 90 -> "1m30s", 7200 -> "2h". */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}
