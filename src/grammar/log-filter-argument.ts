import {
  LogFilterError,
  MAX_FILTER_LENGTH,
  parseLogFilter,
  PROXY_LOG_LEVELS,
} from '../domain/proxy-log-filter.js';
import { UsageError } from '../errors.js';
import { printable } from './targets.js';

const FILTER_HINT =
  'Give a level (off, error, warn, info, debug, trace) or a filter such as warn,linkerd=debug or linkerd_app_outbound=trace.';

/** A proxy log filter as typed (a level or EnvFilter directives), validated; trimmed. */
export function checkLogFilter(raw: string): string {
  const text = raw.trim();
  if (text.length > MAX_FILTER_LENGTH) {
    throw new UsageError(
      `the log filter is ${text.length} characters long; at most ${MAX_FILTER_LENGTH}`,
      FILTER_HINT,
    );
  }
  if (!/^[A-Za-z0-9_:=,.\-[\]{}" ]+$/.test(text)) {
    throw new UsageError(`"${printable(text)}" is not a log level or filter`, FILTER_HINT);
  }
  // The proxy reads a bare word that is no level as "every level of that target": meshbot asks
  // for the level to be written, so a typo is not taken as a filter.
  const bare = text
    .split(',')
    .find((d) => d.trim() && !d.includes('=') && !PROXY_LOG_LEVELS.includes(d.trim().toLowerCase() as never));
  if (bare !== undefined) {
    throw new UsageError(
      `"${printable(bare.trim())}" is not a log level (off, error, warn, info, debug, trace); a target needs one: ${printable(bare.trim())}=debug`,
      FILTER_HINT,
    );
  }
  try {
    parseLogFilter(text);
  } catch (err) {
    if (err instanceof LogFilterError)
      throw new UsageError(`"${printable(text)}": ${err.message}`, FILTER_HINT);
    throw err;
  }
  return text;
}

/** A whole number within bounds. */
export function parseCount(raw: string, what: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
    throw new UsageError(`${what} "${printable(raw)}" is not a whole number from ${min} to ${max}`);
  }
  return n;
}
