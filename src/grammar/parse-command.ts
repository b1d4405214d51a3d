import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { parseDuration } from './duration.js';
import { parseRoutesTarget } from './routes-target.js';
import { buildTapCommand, TAP_SPEC, type TapCommand } from './tap-command.js';
import { checkLogFilter, parseCount } from './log-filter-argument.js';
import { parsePodOrWorkloadTarget, type PodTarget } from './pod-target.js';
import {
  checkNamespace,
  parseServiceTarget,
  parseWorkloadTarget,
  printable,
  type ServiceTarget,
  type WorkloadTarget,
} from './targets.js';

/**
 * The command grammar shared by Slack (`/mesh <text>`) and the CLI (`meshbot <args>`).
 * It yields a typed request or throws a UsageError whose message says what was wrong
 * and whose hint says what would work.
 */
export type MeshCommand = (
  | { name: 'help'; topic?: CommandName }
  | { name: 'endpoints'; target: ServiceTarget }
  | { name: 'check'; proxy: boolean; namespace?: string }
  | { name: 'metrics'; target?: ServiceTarget; windowSeconds: number }
  | { name: 'scale-test'; target: WorkloadTarget | ServiceTarget }
  | { name: 'events'; target: WorkloadTarget | ServiceTarget; windowSeconds: number }
  | { name: 'restart'; target: WorkloadTarget }
  | { name: 'routes'; target: ServiceTarget; windowSeconds: number }
  | { name: 'runbook'; runbook?: string; target?: string }
  | {
      name: 'proxy-logs';
      target: PodTarget | WorkloadTarget;
      sinceSeconds: number;
      tailLines: number;
    }
  | { name: 'proxy-log-level'; target: WorkloadTarget; level: string; forSeconds: number }
  | { name: 'report'; action: 'list' }
  | { name: 'report'; action: 'run'; report: string }
  | TapCommand
  | { name: 'clusters' }
) &
  /** `--cluster NAME`, a flag every command has (COMMON_FLAGS); absent: the front end resolves it. */
  ClusterChoice;

/** The cluster a command names, when it names one. */
export interface ClusterChoice {
  cluster?: string;
}

export type CommandName = MeshCommand['name'];

/** A command that runs a step (everything but help). */
export type RunnableCommand = Exclude<MeshCommand, { name: 'help' }>;

/** `metrics` without `--window`: 30 minutes. */
export const DEFAULT_METRICS_WINDOW_SECONDS = 1800;

/** `routes` without `--window`: one minute, as `linkerd viz routes` (`--time-window 1m`). */
export const DEFAULT_ROUTES_WINDOW_SECONDS = 60;

/** `events` without `--window`: one hour. */
export const DEFAULT_EVENTS_WINDOW_SECONDS = 3600;

/** `proxy-logs` without `--since`: five minutes; without `--tail`: 500 lines. */
export const DEFAULT_PROXY_LOGS_SINCE_SECONDS = 300;
export const DEFAULT_PROXY_LOGS_TAIL = 500;
export const MAX_PROXY_LOGS_TAIL = 5000;

/** `proxy-log-level` without `--for`: ten minutes (config bounds the longest). */
export const DEFAULT_PROXY_LOG_LEVEL_SECONDS = 600;

/**
 * A flag of a command, described once: the Slack grammar parses it (util.parseArgs) and the CLI
 * declares it to commander from the same description.
 */
export interface FlagSpec {
  /** Long name without dashes; the key of its value. */
  name: string;
  /** One-letter alias. */
  short?: string;
  /** Placeholder of a flag that takes a value (`NAMESPACE`); absent for a boolean flag. */
  value?: string;
  description: string;
  /** The value the command uses without the flag, as the CLI's help shows it. */
  default?: string;
}

export type FlagValues = Record<string, string | boolean | undefined>;

export interface CommandSpec {
  name: CommandName;
  aliases?: string[];
  usage: string;
  summary: string;
  example: string;
  /** The one positional argument, when the command takes one (`optional`: it may be left out). */
  target?: { placeholder: string; description: string; optional?: boolean };
  /** A command that takes more positional arguments than its target (runbook NAME TARGET). */
  maxPositionals?: number;
  flags: FlagSpec[];
}

/** A cluster's name: a DNS label (lowercase letters, digits and "-", at most 63). */
export const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Flags every command has, whatever table entry it comes from (commands added later get them by
 * construction): `--cluster NAME` picks the cluster the command runs against (docs/clusters.md).
 */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  {
    name: 'cluster',
    value: 'name',
    description:
      "the cluster to run against (default: the channel's default cluster, else the only one); see clusters",
  },
];

/** A command's flags: its own, then the common ones. */
export function flagsOf(spec: CommandSpec): FlagSpec[] {
  return [...spec.flags, ...COMMON_FLAGS];
}

/** Checks a `--cluster` value's form (whether such a cluster exists is the front end's question). */
export function checkClusterName(raw: string): string {
  const name = raw.toLowerCase();
  if (name.length > 63 || !CLUSTER_NAME.test(name)) {
    throw new UsageError(
      `"${printable(raw)}" is not a cluster name`,
      'Cluster names are lowercase letters, digits and "-". List them: clusters',
    );
  }
  return name;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'endpoints',
    aliases: ['ep'],
    usage: 'endpoints SERVICE.NAMESPACE[:PORT]',
    summary:
      "Compare Kubernetes' endpoints with what the Linkerd destination controller serves; name stale and missing addresses.",
    example: 'endpoints web-svc.emojivoto:80',
    target: {
      placeholder: 'target',
      description:
        'SERVICE.NAMESPACE[:PORT], e.g. web-svc.emojivoto:80 (port number or name; default: every port)',
    },
    flags: [],
  },
  {
    name: 'check',
    usage: 'check [--proxy] [--namespace NAMESPACE]',
    summary: 'Control-plane and data-plane health: the essentials of `linkerd check`.',
    example: 'check --proxy --namespace emojivoto',
    flags: [
      { name: 'proxy', description: 'also check the data plane (meshed pods in every namespace)' },
      {
        name: 'namespace',
        short: 'n',
        value: 'ns',
        description: 'check the data plane of this namespace only (implies --proxy)',
      },
    ],
  },
  {
    name: 'metrics',
    usage: 'metrics [SERVICE.NAMESPACE] [--window 30m]',
    summary:
      "The destination controller's numbers for a service, and the service's golden metrics, from Prometheus; without a service, the destination controller cluster-wide.",
    example: 'metrics web-svc.emojivoto --window 1h',
    target: {
      placeholder: 'target',
      description:
        'SERVICE.NAMESPACE, e.g. web-svc.emojivoto; without it, the destination controller cluster-wide',
      optional: true,
    },
    flags: [
      {
        name: 'window',
        short: 'w',
        value: 'duration',
        description: 'how far back to look, 1m to 7d',
        default: '30m',
      },
    ],
  },
  {
    name: 'scale-test',
    usage: 'scale-test deploy/NAME.NAMESPACE | SERVICE.NAMESPACE',
    summary: 'Scale a workload up by one, time every propagation stage, and put it back.',
    example: 'scale-test deploy/web.emojivoto',
    target: {
      placeholder: 'target',
      description: 'deploy/NAME.NAMESPACE, statefulset/NAME.NAMESPACE, or SERVICE.NAMESPACE',
    },
    flags: [],
  },
  {
    name: 'events',
    usage: 'events deploy/NAME.NAMESPACE | SERVICE.NAMESPACE [--window 1h]',
    summary:
      "Recent trouble of a workload's or service's pods: restarts, last termination reasons (OOMKilled), failing probes, Warning events.",
    example: 'events deploy/web.emojivoto --window 1h',
    target: { placeholder: 'target', description: 'deploy/NAME.NAMESPACE or SERVICE.NAMESPACE' },
    flags: [
      {
        name: 'window',
        short: 'w',
        value: 'duration',
        description: 'how far back to look, 1m to 7d',
        default: '1h',
      },
    ],
  },
  {
    name: 'restart',
    usage: 'restart deploy/NAME.NAMESPACE',
    summary:
      'Restart an allow-listed deployment as `kubectl rollout restart` does, after a confirmation, and wait for the rollout.',
    example: 'restart deploy/linkerd-destination.linkerd',
    target: {
      placeholder: 'target',
      description: 'deploy/NAME.NAMESPACE, e.g. deploy/linkerd-destination.linkerd',
    },
    flags: [],
  },
  {
    name: 'routes',
    aliases: ['route'],
    usage: 'routes svc/SERVICE.NAMESPACE [--window 1m]',
    summary:
      'Per-route success rate, RPS and p50/p95/p99 latency from Prometheus, as `linkerd viz routes`: ServiceProfile routes and HTTPRoutes (gateway.networking.k8s.io and policy.linkerd.io), requests that match no route as [DEFAULT].',
    example: 'routes svc/web-svc.emojivoto --window 10m',
    target: { placeholder: 'target', description: 'svc/SERVICE.NAMESPACE (or SERVICE.NAMESPACE)' },
    flags: [
      {
        name: 'window',
        short: 'w',
        value: 'duration',
        description: 'how far back to look, 10s to 24h',
        default: '1m',
      },
    ],
  },
  {
    name: 'proxy-logs',
    usage: 'proxy-logs pod/NAME.NAMESPACE | deploy/NAME.NAMESPACE [--since 5m] [--tail 500]',
    summary:
      "The last lines of the linkerd-proxy container's log: warnings and errors counted, the most frequent messages grouped, the full text as a file.",
    example: 'proxy-logs deploy/web.emojivoto --since 10m',
    target: {
      placeholder: 'target',
      description:
        'pod/NAME.NAMESPACE, or deploy/NAME.NAMESPACE / statefulset/NAME.NAMESPACE (a few of its pods)',
    },
    flags: [
      {
        name: 'since',
        value: 'duration',
        description: 'how far back to read, 10s to 24h',
        default: '5m',
      },
      {
        name: 'tail',
        value: 'lines',
        description: `at most this many lines per pod, 1 to ${MAX_PROXY_LOGS_TAIL}`,
        default: String(DEFAULT_PROXY_LOGS_TAIL),
      },
    ],
  },
  {
    name: 'proxy-log-level',
    usage: 'proxy-log-level deploy/NAME.NAMESPACE LEVEL [--for 10m]',
    summary:
      "Set the proxies' log level of a workload for a while (after a confirmation), then put every pod back.",
    example: 'proxy-log-level deploy/web.emojivoto debug --for 10m',
    target: {
      placeholder: 'target',
      description: 'deploy/NAME.NAMESPACE or statefulset/NAME.NAMESPACE, then the level',
    },
    maxPositionals: 2,
    flags: [
      {
        name: 'for',
        value: 'duration',
        description: 'how long before every pod is put back (the configured maximum bounds it)',
        default: '10m',
      },
    ],
  },
  {
    name: 'runbook',
    aliases: ['runbooks'],
    usage: 'runbook [NAME TARGET]',
    summary: 'List the guided runbooks, or start one on a target.',
    example: 'runbook stale-endpoints web-svc.emojivoto',
    target: { placeholder: 'name', description: 'the runbook to run; without it, list them', optional: true },
    maxPositionals: 2,
    flags: [],
  },
  {
    name: 'report',
    aliases: ['reports'],
    usage: 'report list | report run NAME',
    summary:
      'The scheduled drift reports: list them (schedule, channel, scope, next run, leader), or run one now.',
    example: 'report run mesh-drift',
    target: { placeholder: 'action', description: 'list, or run NAME', optional: true },
    maxPositionals: 2,
    flags: [],
  },
  {
    name: 'clusters',
    aliases: ['cluster'],
    usage: 'clusters',
    summary:
      'The clusters meshbot serves: reachability, Kubernetes and Linkerd versions, each asked with a time limit.',
    example: 'clusters',
    flags: [],
  },
  TAP_SPEC,
  { name: 'help', usage: 'help [COMMAND]', summary: 'This help.', example: 'help endpoints', flags: [] },
];

const NAMES = COMMANDS.map((c) => c.name);
const MAX_TEXT = 1000;

/** Splits on whitespace; Slack may send non-breaking spaces. */
export function tokenize(text: string): string[] {
  return text
    .replace(/[\u00a0\u2000-\u200b]/g, ' ')
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

export function commandSpec(name: CommandName): CommandSpec {
  return COMMANDS.find((c) => c.name === name)!;
}

/** The command a word names (its name or an alias, any case), or undefined. */
function specNamed(word: string): CommandSpec | undefined {
  const w = word.toLowerCase();
  return COMMANDS.find((c) => c.name === w || c.aliases?.includes(w));
}

function flagList(spec: CommandSpec): string {
  return flagsOf(spec)
    .map((f) => `--${f.name}${f.short ? `/-${f.short}` : ''}`)
    .join(', ');
}

/** A command's arguments after its name, split into positionals and flag values by util.parseArgs. */
function splitArgs(spec: CommandSpec, args: string[]): { positionals: string[]; values: FlagValues } {
  const options = Object.fromEntries(
    flagsOf(spec).map((f) => [
      f.name,
      { type: f.value ? ('string' as const) : ('boolean' as const), ...(f.short ? { short: f.short } : {}) },
    ]),
  );
  try {
    const { positionals, values } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { positionals, values: values as FlagValues };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: string }).code;
    const raw = /option '(?:-\w, )?([^' ]+)/i.exec(text)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && !/does not take/.test(text)) {
      throw new UsageError(`${printable(raw)} needs a value`, `See: help ${spec.name}`);
    }
    throw new UsageError(
      `unknown option "${printable(raw || args.find((a) => a.startsWith('-')) || '?')}" for ${spec.name}`,
      `${spec.name} takes ${flagList(spec)}.`,
    );
  }
}

/**
 * A command from its name, its positional arguments and its flag values: what the grammar
 * yields for `/mesh` text, and what the CLI builds from commander's options (the same
 * validation, no text re-joined). The common flags (`--cluster`) are read here for every
 * command. Throws a UsageError.
 */
export function buildCommand(name: CommandName, positionals: string[], values: FlagValues): MeshCommand {
  const command = buildCommandOf(name, positionals, values);
  const cluster = values['cluster'];
  if (typeof cluster === 'string' && name !== 'help')
    return { ...command, cluster: checkClusterName(cluster) };
  return command;
}

function buildCommandOf(name: CommandName, positionals: string[], values: FlagValues): MeshCommand {
  const spec = commandSpec(name);
  const count = spec.maxPositionals ?? (spec.target ? 1 : 0);
  if (positionals.length < (spec.target && !spec.target.optional ? 1 : 0)) {
    throw new UsageError(`${name} needs a target`, `Usage: ${spec.usage}`);
  }
  if (positionals.length > count && name !== 'help') {
    throw new UsageError(
      `${name} takes ${count === 0 ? 'no' : count} argument${count === 1 ? '' : 's'}, got "${printable(positionals.slice(count).join(' '))}" too`,
      `Usage: ${spec.usage}`,
    );
  }
  const text = (key: string): string | undefined => {
    const v = values[key];
    return typeof v === 'string' ? v : undefined;
  };
  const target = positionals[0] as string;
  switch (name) {
    case 'help': {
      const topic = positionals[0]?.toLowerCase();
      if (topic === undefined) return { name: 'help' };
      if ((NAMES as string[]).includes(topic)) return { name: 'help', topic: topic as CommandName };
      throw unknownCommand(topic);
    }
    case 'endpoints':
      return { name: 'endpoints', target: parseServiceTarget(target) };
    case 'check': {
      const ns = text('namespace');
      return ns !== undefined
        ? { name: 'check', proxy: true, namespace: checkNamespace(ns) }
        : { name: 'check', proxy: values['proxy'] === true };
    }
    case 'metrics': {
      const w = text('window');
      const windowSeconds =
        w !== undefined
          ? parseDuration(w, 'window', { min: 60, max: 7 * 86400 })
          : DEFAULT_METRICS_WINDOW_SECONDS;
      return target === undefined
        ? { name: 'metrics', windowSeconds }
        : { name: 'metrics', target: parseServiceTarget(target), windowSeconds };
    }
    case 'events': {
      const w = text('window');
      const windowSeconds =
        w !== undefined
          ? parseDuration(w, 'window', { min: 60, max: 7 * 86400 })
          : DEFAULT_EVENTS_WINDOW_SECONDS;
      return {
        name: 'events',
        target: target.includes('/') ? parseWorkloadTarget(target) : parseServiceTarget(target),
        windowSeconds,
      };
    }
    case 'restart': {
      const workload = parseWorkloadTarget(target);
      if (workload.kind !== 'deployment') {
        throw new UsageError('restart takes a deployment', `Usage: ${spec.usage}`);
      }
      return { name: 'restart', target: workload };
    }
    case 'routes': {
      const w = text('window');
      const windowSeconds =
        w !== undefined ? parseDuration(w, 'window', { min: 10, max: 86400 }) : DEFAULT_ROUTES_WINDOW_SECONDS;
      return { name: 'routes', target: parseRoutesTarget(target), windowSeconds };
    }
    case 'runbook': {
      if (target === undefined) return { name: 'runbook' };
      if (positionals.length < 2) {
        throw new UsageError(`runbook ${printable(target)} needs a target`, `Usage: ${spec.usage}`);
      }
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(target) || target.length > 63) {
        throw new UsageError(
          `"${printable(target)}" is not a runbook name`,
          'Runbook names are lowercase letters, digits and "-". List them: runbook',
        );
      }
      return { name: 'runbook', runbook: target, target: positionals[1]! };
    }
    case 'report': {
      const action = target?.toLowerCase() ?? 'list';
      if (action === 'list') {
        if (positionals.length > 1) {
          throw new UsageError('report list takes no name', `Usage: ${spec.usage}`);
        }
        return { name: 'report', action: 'list' };
      }
      if (action !== 'run') {
        const guess = didYouMean(action, ['list', 'run']);
        throw new UsageError(
          `unknown report action "${printable(target)}"${guess ? `; did you mean "${guess}"?` : ''}`,
          `Usage: ${spec.usage}`,
        );
      }
      const report = positionals[1];
      if (report === undefined)
        throw new UsageError('report run needs a report name', 'List them: report list');
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(report) || report.length > 63) {
        throw new UsageError(
          `"${printable(report)}" is not a report name`,
          'Report names are lowercase letters, digits and "-". List them: report list',
        );
      }
      return { name: 'report', action: 'run', report };
    }
    case 'clusters':
      return { name: 'clusters' };
    case 'tap':
      return buildTapCommand(target, text);
    case 'proxy-logs': {
      const since = text('since');
      const tail = text('tail');
      if (positionals.length > 1) {
        throw new UsageError('proxy-logs takes one target', `Usage: ${spec.usage}`);
      }
      return {
        name: 'proxy-logs',
        target: parsePodOrWorkloadTarget(target),
        sinceSeconds:
          since !== undefined
            ? parseDuration(since, 'since', { min: 10, max: 86400 })
            : DEFAULT_PROXY_LOGS_SINCE_SECONDS,
        tailLines:
          tail !== undefined ? parseCount(tail, '--tail', 1, MAX_PROXY_LOGS_TAIL) : DEFAULT_PROXY_LOGS_TAIL,
      };
    }
    case 'proxy-log-level': {
      const level = positionals[1];
      if (level === undefined) {
        throw new UsageError(
          'proxy-log-level needs a level after the workload',
          `Usage: ${spec.usage}. Levels: off, error, warn, info, debug, trace, or a filter such as warn,linkerd=debug.`,
        );
      }
      const f = text('for');
      return {
        name: 'proxy-log-level',
        target: parseWorkloadTarget(target),
        level: checkLogFilter(level),
        forSeconds:
          f !== undefined
            ? parseDuration(f, 'for', { min: 10, max: 86400 })
            : DEFAULT_PROXY_LOG_LEVEL_SECONDS,
      };
    }
    case 'scale-test':
      return {
        name: 'scale-test',
        target: target.includes('/') ? parseWorkloadTarget(target) : parseServiceTarget(target),
      };
  }
}

/** Parses the text after `/mesh` (or the CLI's arguments joined). */
export function parseCommand(text: string): MeshCommand {
  if (text.length > MAX_TEXT) {
    throw new UsageError(
      `the command is ${text.length} characters long; the longest meshbot accepts is ${MAX_TEXT}`,
    );
  }
  const [head, ...rest] = tokenize(text);
  if (head === undefined) return { name: 'help' };
  if (head === '--help' || head === '-h') return buildCommand('help', rest.slice(0, 1), {});
  const spec = specNamed(head);
  if (!spec) throw unknownCommand(head);
  if (spec.name === 'help') return buildCommand('help', rest.slice(0, 1), {});
  const { positionals, values } = splitArgs(spec, rest);
  return buildCommand(spec.name, positionals, values);
}

function unknownCommand(word: string): UsageError {
  const guess = didYouMean(word, NAMES);
  return new UsageError(
    `unknown command "${printable(word)}"${guess ? `; did you mean "${guess}"?` : ''}`,
    `Commands: ${NAMES.join(', ')}. Try: help`,
  );
}

/** Plain-text help, used by the CLI and (as mrkdwn-safe text) by Slack. */
export function helpText(topic?: CommandName, prefix = '/mesh'): string {
  if (topic) {
    const c = COMMANDS.find((x) => x.name === topic)!;
    return `${prefix} ${c.usage}\n  ${c.summary}\n  Example: ${prefix} ${c.example}`;
  }
  return [
    'meshbot runs Linkerd incident runbook steps.',
    ...COMMANDS.map((c) => `  ${prefix} ${c.usage}\n      ${c.summary}`),
  ].join('\n');
}
