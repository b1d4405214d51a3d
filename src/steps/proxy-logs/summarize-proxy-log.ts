/**
 * Reading a linkerd2-proxy log (PLAIN format, tracing-subscriber's fmt with an uptime timer):
 *
 *   [    12.345678s]  WARN ThreadId(01) outbound:proxy{addr=10.96.0.12:8080}: linkerd_reconnect: Failed to connect error=...
 *
 * optionally preceded by the runtime's RFC 3339 timestamp (`kubectl logs --timestamps`). Lines
 * are counted per level, and grouped by level, target and message with the numbers, addresses
 * and identifiers that vary from one occurrence to the next replaced, so "Failed to connect to
 * 10.244.1.7:8080" and "... 10.244.2.9:8080" are one group.
 */

export type LogLevelName = 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
export const LOG_LEVEL_NAMES: readonly LogLevelName[] = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];

export interface ParsedLogLine {
  level: LogLevelName;
  /** The module path that logged it, e.g. `linkerd_reconnect`. */
  target: string;
  /** Span context, e.g. `outbound:proxy{addr=10.96.0.12:8080}`; empty when none. */
  spans: string;
  message: string;
}

export interface LogCounts {
  lines: number;
  /** Lines not in the proxy's format (a stack trace, another writer). */
  other: number;
  ERROR: number;
  WARN: number;
  INFO: number;
  DEBUG: number;
  TRACE: number;
}

export interface MessageGroup {
  level: LogLevelName;
  target: string;
  /** The message with its varying parts replaced (`<ip:port>`, `<n>`). */
  pattern: string;
  count: number;
  /** One line as written, for context. */
  example: string;
  /** The pods it came from. */
  pods: string[];
}

const LINE =
  /^(?:\d{4}-\d\d-\d\dT\S+\s+)?\[\s*[\d.]+s\]\s+(ERROR|WARN|INFO|DEBUG|TRACE)\s+(?:ThreadId\(\d+\)\s+)?(.*)$/;

/** Splits `spans: target: message` (spans may contain `: ` inside braces). */
function splitRest(rest: string): { spans: string; target: string; message: string } | undefined {
  let depth = 0;
  const cuts: number[] = [];
  for (let i = 0; i < rest.length - 1; i++) {
    const c = rest[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth = Math.max(0, depth - 1);
    else if (c === ':' && rest[i + 1] === ' ' && depth === 0) cuts.push(i);
  }
  // The target is a module path (`a::b`) followed by `: `; the spans come before it.
  for (let k = 0; k < cuts.length; k++) {
    const start = k === 0 ? 0 : cuts[k - 1]! + 2;
    const candidate = rest.slice(start, cuts[k]);
    if (/^[a-z_][a-z0-9_]*(::[a-z0-9_]+)*$/i.test(candidate)) {
      return {
        spans: k === 0 ? '' : rest.slice(0, cuts[k - 1]),
        target: candidate,
        message: rest.slice(cuts[k]! + 2),
      };
    }
  }
  return undefined;
}

export function parseProxyLogLine(line: string): ParsedLogLine | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const parts = splitRest(m[2]!);
  if (!parts) return undefined;
  return { level: m[1] as LogLevelName, ...parts };
}

/** A message with what varies between occurrences replaced. */
export function normalizeMessage(message: string): string {
  return message
    .replace(/\[[0-9a-f:]+\](?::\d+)?/gi, '<ip6>')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, (s) => (s.includes(':') ? '<ip:port>' : '<ip>'))
    .replace(/\b[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\b\d+(?:\.\d+)?(?:ms|s|µs|ns)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}

export function emptyCounts(): LogCounts {
  return { lines: 0, other: 0, ERROR: 0, WARN: 0, INFO: 0, DEBUG: 0, TRACE: 0 };
}

/** Counts one pod's lines and adds them to `groups` (keyed by level, target and pattern). */
export function summarizeLines(
  pod: string,
  lines: readonly string[],
  groups: Map<string, MessageGroup>,
): LogCounts {
  const counts = emptyCounts();
  for (const line of lines) {
    if (line.length === 0) continue;
    counts.lines++;
    const parsed = parseProxyLogLine(line);
    if (!parsed) {
      counts.other++;
      continue;
    }
    counts[parsed.level]++;
    const pattern = normalizeMessage(parsed.message);
    const key = `${parsed.level}\u0000${parsed.target}\u0000${pattern}`;
    const g = groups.get(key);
    if (g) {
      g.count++;
      if (!g.pods.includes(pod)) g.pods.push(pod);
    } else {
      groups.set(key, {
        level: parsed.level,
        target: parsed.target,
        pattern,
        count: 1,
        example: line,
        pods: [pod],
      });
    }
  }
  return counts;
}

const SEVERITY: Record<LogLevelName, number> = { ERROR: 0, WARN: 1, INFO: 2, DEBUG: 3, TRACE: 4 };

/** The groups that matter first: errors and warnings, then the most frequent. */
export function topGroups(groups: Iterable<MessageGroup>, max: number): MessageGroup[] {
  return [...groups]
    .sort((a, b) => {
      const sev = Math.min(SEVERITY[a.level], 2) - Math.min(SEVERITY[b.level], 2);
      return sev !== 0 ? sev : b.count - a.count;
    })
    .slice(0, max);
}
