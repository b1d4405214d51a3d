/**
 * The Linkerd proxy's log filter, as its admin server takes it (`PUT /proxy-log-level`, body the
 * filter) and the `config.linkerd.io/proxy-log-level` annotation sets it: a tracing-subscriber
 * `EnvFilter`, comma-separated directives, each a bare level (`warn`), a target with a level
 * (`linkerd=debug`, `linkerd_app_outbound::http=trace`), optionally with a span
 * (`linkerd[outbound]=debug`), or a bare target (every level of that target). Targets match
 * by prefix of the event's module path (`linkerd` covers `linkerd_app_core` and
 * `linkerd2_proxy`); the most specific directive wins.
 *
 * meshbot validates what it sends with this grammar, and the sandbox's proxies take the same.
 */

export const PROXY_LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type ProxyLogLevel = (typeof PROXY_LOG_LEVELS)[number];

export interface LogDirective {
  /** Absent for the default (bare level). */
  target?: string;
  /** The span part in brackets, kept as written. */
  span?: string;
  level: ProxyLogLevel;
}

/** The injector's default when a workload does not set `config.linkerd.io/proxy-log-level`. */
export const DEFAULT_PROXY_LOG_FILTER = 'warn,linkerd=info,hickory=error';

/** The longest filter meshbot sends (the proxy itself has no limit). */
export const MAX_FILTER_LENGTH = 512;

const TARGET = /^[A-Za-z_][A-Za-z0-9_:-]*$/;
const SPAN = /^\[[A-Za-z0-9_:{}=., "-]*\]$/;

export class LogFilterError extends Error {}

function levelOf(raw: string): ProxyLogLevel | undefined {
  const l = raw.trim().toLowerCase();
  return (PROXY_LOG_LEVELS as readonly string[]).includes(l) ? (l as ProxyLogLevel) : undefined;
}

/** Parses one filter into directives; throws LogFilterError saying which directive is wrong. */
export function parseLogFilter(text: string): LogDirective[] {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new LogFilterError('the filter is empty');
  const directives: LogDirective[] = [];
  for (const raw of trimmed.split(',')) {
    const part = raw.trim();
    if (part.length === 0) continue;
    const eq = part.lastIndexOf('=');
    // `=` inside a span's fields (`[span{a=b}]`) is not the level's.
    const hasLevel = eq > part.lastIndexOf(']');
    const left = hasLevel ? part.slice(0, eq) : part;
    const right = hasLevel ? part.slice(eq + 1) : undefined;
    if (right === undefined) {
      const bare = levelOf(left);
      if (bare) {
        directives.push({ level: bare });
        continue;
      }
    }
    const bracket = left.indexOf('[');
    const target = bracket >= 0 ? left.slice(0, bracket) : left;
    const span = bracket >= 0 ? left.slice(bracket) : undefined;
    if (target.length > 0 && !TARGET.test(target)) {
      throw new LogFilterError(`invalid filter directive "${part}": "${target}" is not a target`);
    }
    if (span !== undefined && !SPAN.test(span)) {
      throw new LogFilterError(`invalid filter directive "${part}": "${span}" is not a span filter`);
    }
    if (target.length === 0 && span === undefined) {
      throw new LogFilterError(`invalid filter directive "${part}"`);
    }
    let level: ProxyLogLevel = 'trace';
    if (right !== undefined) {
      const l = levelOf(right);
      if (!l) {
        throw new LogFilterError(
          `error parsing level filter "${right}": expected one of ${PROXY_LOG_LEVELS.join(', ')}`,
        );
      }
      level = l;
    }
    directives.push({ ...(target ? { target } : {}), ...(span ? { span } : {}), level });
  }
  if (directives.length === 0) throw new LogFilterError('the filter has no directive');
  return directives;
}

/**
 * The filter as the proxy prints it back (GET /proxy-log-level, EnvFilter's Display): the
 * targeted directives, most specific first, then the default level.
 */
export function formatLogFilter(directives: LogDirective[]): string {
  const targeted = directives
    .filter((d) => d.target !== undefined || d.span !== undefined)
    .sort((a, b) => (b.target?.length ?? 0) - (a.target?.length ?? 0));
  const defaults = directives.filter((d) => d.target === undefined && d.span === undefined);
  return [
    ...targeted.map((d) => `${d.target ?? ''}${d.span ?? ''}=${d.level}`),
    ...defaults.slice(-1).map((d) => d.level),
  ].join(',');
}

const RANK: Record<ProxyLogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

/** Whether an event of `level` from module path `target` passes the filter (span filters ignored). */
export function filterEnables(directives: LogDirective[], target: string, level: ProxyLogLevel): boolean {
  let best: LogDirective | undefined;
  for (const d of directives) {
    if (d.span !== undefined) continue;
    if (d.target === undefined) {
      if (!best) best = d;
      else if (best.target === undefined) best = d;
      continue;
    }
    if (!target.startsWith(d.target)) continue;
    if (!best || best.target === undefined || d.target.length >= best.target.length) best = d;
  }
  const max = best?.level ?? 'error';
  return RANK[level] <= RANK[max] && level !== 'off';
}

/** The most verbose level a filter enables anywhere (for "debug" in summaries). */
export function mostVerboseLevel(directives: LogDirective[]): ProxyLogLevel {
  return directives.reduce<ProxyLogLevel>((a, d) => (RANK[d.level] > RANK[a] ? d.level : a), 'off');
}
