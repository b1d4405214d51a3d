/**
 * `tap KIND/NAME.NS|ns/NS [--to KIND/NAME.NS] [--path PREFIX] [--method GET] [--duration 10s]
 * [--max 100]`: the grammar of the tap command, described once (the command table takes
 * TAP_SPEC), parsed and formatted here. The bounds here are absolute; the operator's caps
 * (config `tap.maxDurationSeconds`, `tap.maxRequests`) are checked by the step.
 */
import { UsageError } from '../errors.js';
import { formatDuration, parseDuration } from './duration.js';
import type { CommandSpec } from './parse-command.js';
import { printable } from './targets.js';
import {
  formatTapTarget,
  parseTapDestination,
  parseTapTarget,
  type TapDestination,
  type TapTarget,
} from './tap-target.js';

export type { TapDestination, TapTarget } from './tap-target.js';

export interface TapCommand {
  name: 'tap';
  target: TapTarget;
  to?: TapDestination;
  /** A path prefix requests must start with. */
  path?: string;
  /** An HTTP method, upper case. */
  method?: string;
  durationSeconds: number;
  /** Requests to sample at most. */
  maxRequests: number;
}

export const DEFAULT_TAP_DURATION_SECONDS = 10;
export const DEFAULT_TAP_MAX_REQUESTS = 100;
/** The grammar's own ceilings; the configured caps are at most these. */
export const TAP_DURATION_CEILING_SECONDS = 300;
export const TAP_REQUESTS_CEILING = 10_000;

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'HEAD', 'TRACE'];

export const TAP_SPEC: CommandSpec = {
  name: 'tap',
  usage:
    'tap deploy|statefulset|ds|pod/NAME.NAMESPACE|ns/NAMESPACE [--to svc|deploy|statefulset|ds|pod/NAME.NAMESPACE|ns/NAMESPACE] [--path PREFIX] [--method GET] [--duration 10s] [--max 100]',
  summary:
    "Watch a sample of the live requests of a workload's, a pod's or a namespace's pods through linkerd-viz tap: per route (method, path, destination, direction) the count, success rate, p50/p95/max latency and status codes, and the worst route.",
  example: 'tap deploy/web.emojivoto --to svc/voting-svc.emojivoto --duration 10s',
  target: {
    placeholder: 'target',
    description: 'deploy/, statefulset/ (sts), daemonset/ (ds) or pod/ (po) NAME.NAMESPACE, or ns/NAMESPACE',
  },
  flags: [
    {
      name: 'to',
      value: 'destination',
      description:
        'only requests sent to svc/, deploy/, statefulset/, daemonset/ or pod/ NAME.NAMESPACE, or to ns/NAMESPACE',
    },
    { name: 'path', value: 'prefix', description: 'only requests whose path starts with PREFIX, e.g. /api' },
    {
      name: 'method',
      value: 'method',
      description: `only requests of this HTTP method (${HTTP_METHODS.join(', ')})`,
    },
    {
      name: 'duration',
      short: 'd',
      value: 'duration',
      description: `how long to watch, 1s to ${formatDuration(TAP_DURATION_CEILING_SECONDS)} (and at most the configured cap)`,
      default: `${DEFAULT_TAP_DURATION_SECONDS}s`,
    },
    {
      name: 'max',
      value: 'requests',
      description: 'stop after this many requests (at most the configured cap)',
      default: String(DEFAULT_TAP_MAX_REQUESTS),
    },
  ],
};

function parsePathPrefix(raw: string): string {
  if (!raw.startsWith('/') || raw.length > 256 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new UsageError(
      `--path "${printable(raw)}" is not a path prefix`,
      'Give a path starting with "/" without spaces (at most 256 characters), e.g. --path /api or --path /emojivoto.v1.VotingService/.',
    );
  }
  return raw;
}

function parseMethod(raw: string): string {
  const method = raw.toUpperCase();
  if (!HTTP_METHODS.includes(method)) {
    throw new UsageError(
      `--method "${printable(raw)}" is not an HTTP method`,
      `Use one of ${HTTP_METHODS.join(', ')}.`,
    );
  }
  return method;
}

function parseMaxRequests(raw: string): number {
  if (!/^\d+$/.test(raw.trim())) {
    throw new UsageError(
      `--max "${printable(raw)}" is not a whole number`,
      'Give the number of requests to sample, e.g. --max 200.',
    );
  }
  const n = Number(raw.trim());
  if (n < 1 || n > TAP_REQUESTS_CEILING) {
    throw new UsageError(
      `--max ${printable(raw)} is out of range`,
      `It must be between 1 and ${TAP_REQUESTS_CEILING}.`,
    );
  }
  return n;
}

export function buildTapCommand(target: string, text: (key: string) => string | undefined): TapCommand {
  let tapped: TapTarget;
  try {
    tapped = parseTapTarget(target);
  } catch (err) {
    if (err instanceof UsageError) {
      throw new UsageError(`tap cannot watch "${printable(target)}": ${err.message}`, err.hint);
    }
    throw err;
  }
  const command: TapCommand = {
    name: 'tap',
    target: tapped,
    durationSeconds: (() => {
      const d = text('duration');
      return d === undefined
        ? DEFAULT_TAP_DURATION_SECONDS
        : parseDuration(d, '--duration', { min: 1, max: TAP_DURATION_CEILING_SECONDS });
    })(),
    maxRequests: (() => {
      const m = text('max');
      return m === undefined ? DEFAULT_TAP_MAX_REQUESTS : parseMaxRequests(m);
    })(),
  };
  const to = text('to');
  if (to !== undefined) command.to = parseTapDestination(to);
  const path = text('path');
  if (path !== undefined) command.path = parsePathPrefix(path);
  const method = text('method');
  if (method !== undefined) command.method = parseMethod(method);
  return command;
}

/** The command back in the grammar, defaults left out. */
export function formatTapCommand(c: TapCommand): string {
  const parts = [`tap ${formatTapTarget(c.target)}`];
  if (c.to) parts.push(`--to ${formatTapTarget(c.to)}`);
  if (c.path !== undefined) parts.push(`--path ${c.path}`);
  if (c.method !== undefined) parts.push(`--method ${c.method}`);
  if (c.durationSeconds !== DEFAULT_TAP_DURATION_SECONDS)
    parts.push(`--duration ${formatTapDuration(c.durationSeconds)}`);
  if (c.maxRequests !== DEFAULT_TAP_MAX_REQUESTS) parts.push(`--max ${c.maxRequests}`);
  return parts.join(' ');
}

/** Seconds as `--duration` reads them back exactly. */
function formatTapDuration(seconds: number): string {
  if (Number.isInteger(seconds)) return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
  return `${Math.round(seconds * 1000)}ms`;
}
