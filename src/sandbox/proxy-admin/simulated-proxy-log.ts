/**
 * One simulated proxy's log, as linkerd2-proxy writes it to stdout in its default PLAIN format
 * (tracing-subscriber's fmt with an uptime timer and thread ids):
 *
 *   [    12.345678s]  WARN ThreadId(01) outbound:proxy{addr=10.96.0.12:8080}: linkerd_reconnect: Failed to connect error=...
 *
 * Lines are made lazily, when someone reads the log or changes the filter: every simulated
 * second since the last time yields a few events (deterministic per pod and second), kept when
 * the filter in force at that second enables them. Memory is bounded: a ring of `capacity`
 * lines per pod, and a catch-up of at most `capacity` seconds.
 */
import {
  DEFAULT_PROXY_LOG_FILTER,
  filterEnables,
  formatLogFilter,
  parseLogFilter,
  type LogDirective,
  type ProxyLogLevel,
} from '../../domain/proxy-log-filter.js';

export interface ProxyLogLine {
  /** Wall-clock time the container runtime stamps (kubectl logs --timestamps). */
  atMs: number;
  text: string;
}

export interface SimulatedProxyLog {
  /** The filter as GET /proxy-log-level prints it. */
  filter(): string;
  /** Sets a new filter; throws LogFilterError (the admin server answers 400). */
  setFilter(text: string, nowMs?: number): void;
  /** Every line kept, oldest first, made up to `nowMs`. */
  lines(nowMs?: number): ProxyLogLine[];
}

export const DEFAULT_LOG_CAPACITY = 2000;

interface Event {
  level: ProxyLogLevel;
  target: string;
  span: string;
  message: string;
}

/** A small deterministic hash (FNV-1a) for per-pod, per-second choices. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function fmtUptime(seconds: number): string {
  return `[${seconds.toFixed(6).padStart(13)}s]`;
}

function line(startMs: number, atMs: number, e: Event, thread: number): string {
  const level = e.level.toUpperCase().padStart(5);
  const span = e.span ? `${e.span}: ` : '';
  return `${fmtUptime((atMs - startMs) / 1000)} ${level} ThreadId(${String(thread).padStart(2, '0')}) ${span}${e.target}: ${e.message}`;
}

export interface ProxyIdentity {
  pod: string;
  namespace: string;
  /** The pod's IP, for addresses in the lines. */
  ip?: string;
  serviceAccount?: string;
  controlPlaneNamespace: string;
  version: string;
  /** Fraction of requests that fail (warnings are more frequent when it is high). */
  failureRate?: number;
}

/** What one second of a proxy's life may log, before the filter. */
function eventsOfSecond(p: ProxyIdentity, second: number): Event[] {
  const h = hash(`${p.namespace}/${p.pod}#${second}`);
  const ip = p.ip ?? '10.244.0.1';
  const peer = `10.244.${(h >>> 8) & 0xff}.${(h >>> 16) & 0xfe || 2}`;
  const port = 30000 + (h % 30000);
  const inbound = `inbound:server{port=8080}`;
  const outbound = `outbound:proxy{addr=10.96.${h & 0x3f}.${(h >>> 6) & 0xff}:8080}`;
  const events: Event[] = [
    {
      level: 'debug',
      target: 'linkerd_app_core::serve',
      span: `${inbound}`,
      message: `Connection accepted client.addr=${peer}:${port} server.addr=${ip}:8080`,
    },
    {
      level: 'debug',
      target: 'linkerd_proxy_http::server',
      span: `${inbound}:http`,
      message: `Handling as HTTP version=HTTP/1.1`,
    },
    {
      level: 'debug',
      target: 'linkerd_app_outbound::http::logical',
      span: `${outbound}`,
      message: `Routing request method=GET uri=/api/list`,
    },
    {
      level: 'trace',
      target: 'h2::codec::framed_write',
      span: `${outbound}:http:h2`,
      message: `send frame=Headers { stream_id: StreamId(${(h % 999) * 2 + 1}), flags: (0x4: END_HEADERS) }`,
    },
    {
      level: 'trace',
      target: 'hyper::proto::h1::conn',
      span: `${inbound}:http`,
      message: `flushed ${(h % 900) + 100} bytes`,
    },
  ];
  const failure = p.failureRate ?? 0.005;
  // A warning every ~30 s on a healthy proxy, more often as requests fail.
  const warnEvery = Math.max(2, Math.round(30 * (0.005 / Math.max(failure, 0.0001)) ** 0.5));
  if (h % warnEvery === 0) {
    events.push({
      level: 'warn',
      target: 'linkerd_reconnect',
      span: `${outbound}:service{ns=${p.namespace} name=backend port=8080}:endpoint{addr=${peer}:8080}`,
      message: 'Failed to connect error=Connection refused (os error 111)',
    });
  }
  if (h % 47 === 1) {
    events.push({
      level: 'info',
      target: 'linkerd_app_core::serve',
      span: `${inbound}`,
      message: `Connection closed error=connection closed before message completed client.addr=${peer}:${port}`,
    });
  }
  if (h % 997 === 3) {
    events.push({
      level: 'error',
      target: 'linkerd_app_outbound::http::handle_proxy_error_headers',
      span: `${outbound}`,
      message: 'Remote proxy error error=client error (Connect): connect timed out after 1s',
    });
  }
  return events;
}

function startupEvents(p: ProxyIdentity): Event[] {
  const sa = p.serviceAccount ?? 'default';
  const cp = p.controlPlaneNamespace;
  return [
    { level: 'info', target: 'linkerd2_proxy', span: '', message: `release ${p.version} by linkerd` },
    { level: 'info', target: 'linkerd2_proxy', span: '', message: 'Admin interface on 0.0.0.0:4191' },
    { level: 'info', target: 'linkerd2_proxy', span: '', message: 'Inbound interface on 0.0.0.0:4143' },
    { level: 'info', target: 'linkerd2_proxy', span: '', message: 'Outbound interface on 127.0.0.1:4140' },
    {
      level: 'info',
      target: 'linkerd2_proxy',
      span: '',
      message: `Local identity is ${sa}.${p.namespace}.serviceaccount.identity.${cp}.cluster.local`,
    },
    {
      level: 'info',
      target: 'linkerd2_proxy',
      span: '',
      message: `Destinations resolved via linkerd-dst-headless.${cp}.svc.cluster.local:8086`,
    },
    {
      level: 'info',
      target: 'linkerd_app',
      span: 'daemon:identity',
      message: `Certified identity id=${sa}.${p.namespace}.serviceaccount.identity.${cp}.cluster.local`,
    },
  ];
}

export function createSimulatedProxyLog(
  identity: ProxyIdentity,
  options: { startMs: number; filter?: string; capacity?: number },
): SimulatedProxyLog {
  const capacity = options.capacity ?? DEFAULT_LOG_CAPACITY;
  const startMs = options.startMs;
  let directives: LogDirective[];
  try {
    directives = parseLogFilter(options.filter ?? DEFAULT_PROXY_LOG_FILTER);
  } catch {
    // The proxy starts with what it can read of LINKERD2_PROXY_LOG; the sandbox with the default.
    directives = parseLogFilter(DEFAULT_PROXY_LOG_FILTER);
  }
  const ring: ProxyLogLine[] = [];
  /** The next simulated second (since start) not yet made; second 0 is made at once. */
  let nextSecond = 0;

  const keep = (atMs: number, e: Event, thread: number): void => {
    if (!filterEnables(directives, e.target, e.level)) return;
    ring.push({ atMs, text: line(startMs, atMs, e, thread) });
    if (ring.length > capacity) ring.splice(0, ring.length - capacity);
  };

  startupEvents(identity).forEach((e, i) => keep(startMs + 2 + i, e, 1));

  const catchUp = (nowMs: number): void => {
    const upTo = Math.floor((nowMs - startMs) / 1000);
    if (upTo < nextSecond) return;
    nextSecond = Math.max(nextSecond, upTo - capacity + 1);
    for (; nextSecond <= upTo; nextSecond++) {
      const base = startMs + nextSecond * 1000 + 10;
      eventsOfSecond(identity, nextSecond).forEach((e, i) => keep(base + i * 7, e, 1 + (i % 2)));
    }
  };

  return {
    filter: () => formatLogFilter(directives),
    setFilter(text, nowMs = Date.now()) {
      const parsed = parseLogFilter(text);
      catchUp(nowMs);
      directives = parsed;
      keep(
        nowMs,
        {
          level: 'info',
          target: 'linkerd_tracing::level',
          span: '',
          message: `set new log level level=${text}`,
        },
        1,
      );
    },
    lines(nowMs = Date.now()) {
      catchUp(nowMs);
      return ring.slice();
    },
  };
}
