import { UsageError } from '../errors.js';
import { didYouMean } from './did-you-mean.js';
import { parseDuration } from './duration.js';
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
export type MeshCommand =
  | { name: 'help'; topic?: CommandName }
  | { name: 'endpoints'; target: ServiceTarget }
  | { name: 'check'; proxy: boolean; namespace?: string }
  | { name: 'metrics'; target?: ServiceTarget; windowSeconds: number }
  | { name: 'scale-test'; target: WorkloadTarget | ServiceTarget }
  | { name: 'events'; target: WorkloadTarget | ServiceTarget; windowSeconds: number }
  | { name: 'restart'; target: WorkloadTarget }
  | { name: 'runbook'; runbook?: string; target?: string };

export type CommandName = MeshCommand['name'];

export interface CommandSpec {
  name: CommandName;
  usage: string;
  summary: string;
  example: string;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'endpoints',
    usage: 'endpoints SERVICE.NAMESPACE[:PORT]',
    summary:
      "Compare Kubernetes' endpoints with what the Linkerd destination controller serves; name stale and missing addresses.",
    example: 'endpoints web-svc.emojivoto:80',
  },
  {
    name: 'check',
    usage: 'check [--proxy] [--namespace NAMESPACE]',
    summary: 'Control-plane and data-plane health: the essentials of `linkerd check`.',
    example: 'check --proxy --namespace emojivoto',
  },
  {
    name: 'metrics',
    usage: 'metrics [SERVICE.NAMESPACE] [--window 30m]',
    summary:
      "The destination controller's numbers for a service, and the service's golden metrics, from Prometheus; without a service, the destination controller cluster-wide.",
    example: 'metrics web-svc.emojivoto --window 1h',
  },
  {
    name: 'scale-test',
    usage: 'scale-test deploy/NAME.NAMESPACE | SERVICE.NAMESPACE',
    summary: 'Scale a workload up by one, time every propagation stage, and put it back.',
    example: 'scale-test deploy/web.emojivoto',
  },
  {
    name: 'events',
    usage: 'events deploy/NAME.NAMESPACE | SERVICE.NAMESPACE [--window 1h]',
    summary:
      "Recent trouble of a workload's or service's pods: restarts, last termination reasons (OOMKilled), failing probes, Warning events.",
    example: 'events deploy/web.emojivoto --window 1h',
  },
  {
    name: 'restart',
    usage: 'restart deploy/NAME.NAMESPACE',
    summary:
      'Restart an allow-listed deployment as `kubectl rollout restart` does, after a confirmation, and wait for the rollout.',
    example: 'restart deploy/linkerd-destination.linkerd',
  },
  {
    name: 'runbook',
    usage: 'runbook [NAME TARGET]',
    summary: 'List the guided runbooks, or start one on a target.',
    example: 'runbook stale-endpoints web-svc.emojivoto',
  },
  { name: 'help', usage: 'help [COMMAND]', summary: 'This help.', example: 'help endpoints' },
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

interface Parsed {
  positionals: string[];
  flags: Map<string, string | true>;
}

function splitFlags(
  tokens: string[],
  valued: Record<string, string>,
  booleans: Record<string, string>,
  cmd: string,
): Parsed {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (!tok.startsWith('-')) {
      positionals.push(tok);
      continue;
    }
    const [rawName, inline] = tok.includes('=')
      ? [tok.slice(0, tok.indexOf('=')), tok.slice(tok.indexOf('=') + 1)]
      : [tok, undefined];
    const valuedName = valued[rawName];
    const boolName = booleans[rawName];
    if (valuedName) {
      const value = inline ?? tokens[++i];
      if (value === undefined || value.startsWith('-')) {
        throw new UsageError(`${rawName} needs a value`, `See: help ${cmd}`);
      }
      flags.set(valuedName, value);
    } else if (boolName && inline === undefined) {
      flags.set(boolName, true);
    } else {
      const known = [...Object.keys(valued), ...Object.keys(booleans)];
      throw new UsageError(
        `unknown option "${printable(rawName)}" for ${cmd}`,
        known.length ? `${cmd} takes ${known.join(', ')}.` : `${cmd} takes no options.`,
      );
    }
  }
  return { positionals, flags };
}

function usageOf(name: CommandName): string {
  return COMMANDS.find((c) => c.name === name)!.usage;
}

function expectPositionals(p: Parsed, name: CommandName, count: number): void {
  if (p.positionals.length < count) {
    throw new UsageError(`${name} needs a target`, `Usage: ${usageOf(name)}`);
  }
  if (p.positionals.length > count) {
    throw new UsageError(
      `${name} takes ${count === 0 ? 'no' : count} argument${count === 1 ? '' : 's'}, got "${printable(p.positionals.slice(count).join(' '))}" too`,
      `Usage: ${usageOf(name)}`,
    );
  }
}

/** Parses the text after `/mesh` (or the CLI's arguments joined). */
export function parseCommand(text: string): MeshCommand {
  if (text.length > MAX_TEXT) {
    throw new UsageError(
      `the command is ${text.length} characters long; the longest meshbot accepts is ${MAX_TEXT}`,
    );
  }
  const tokens = tokenize(text);
  const [head, ...rest] = tokens;
  if (head === undefined) return { name: 'help' };
  const name = head.toLowerCase();
  switch (name) {
    case 'help':
    case '--help':
    case '-h': {
      const topic = rest[0]?.toLowerCase();
      if (topic === undefined) return { name: 'help' };
      if ((NAMES as string[]).includes(topic)) return { name: 'help', topic: topic as CommandName };
      throw unknownCommand(topic);
    }
    case 'endpoints':
    case 'ep': {
      const p = splitFlags(rest, {}, {}, 'endpoints');
      expectPositionals(p, 'endpoints', 1);
      return { name: 'endpoints', target: parseServiceTarget(p.positionals[0]!) };
    }
    case 'check': {
      const p = splitFlags(
        rest,
        { '--namespace': 'namespace', '-n': 'namespace' },
        { '--proxy': 'proxy' },
        'check',
      );
      expectPositionals(p, 'check', 0);
      const ns = p.flags.get('namespace');
      return typeof ns === 'string'
        ? { name: 'check', proxy: true, namespace: checkNamespace(ns) }
        : { name: 'check', proxy: p.flags.has('proxy') };
    }
    case 'metrics': {
      const p = splitFlags(rest, { '--window': 'window', '-w': 'window' }, {}, 'metrics');
      if (p.positionals.length > 0) expectPositionals(p, 'metrics', 1);
      const w = p.flags.get('window');
      const windowSeconds =
        typeof w === 'string' ? parseDuration(w, 'window', { min: 60, max: 7 * 86400 }) : 1800;
      const raw = p.positionals[0];
      return raw === undefined
        ? { name: 'metrics', windowSeconds }
        : { name: 'metrics', target: parseServiceTarget(raw), windowSeconds };
    }
    case 'events': {
      const p = splitFlags(rest, { '--window': 'window', '-w': 'window' }, {}, 'events');
      expectPositionals(p, 'events', 1);
      const raw = p.positionals[0]!;
      const w = p.flags.get('window');
      const windowSeconds =
        typeof w === 'string' ? parseDuration(w, 'window', { min: 60, max: 7 * 86400 }) : 3600;
      return {
        name: 'events',
        target: raw.includes('/') ? parseWorkloadTarget(raw) : parseServiceTarget(raw),
        windowSeconds,
      };
    }
    case 'restart': {
      const p = splitFlags(rest, {}, {}, 'restart');
      expectPositionals(p, 'restart', 1);
      const target = parseWorkloadTarget(p.positionals[0]!);
      if (target.kind !== 'deployment') {
        throw new UsageError('restart takes a deployment', `Usage: ${usageOf('restart')}`);
      }
      return { name: 'restart', target };
    }
    case 'runbook':
    case 'runbooks': {
      const p = splitFlags(rest, {}, {}, 'runbook');
      if (p.positionals.length === 0) return { name: 'runbook' };
      expectPositionals(p, 'runbook', 2);
      const [runbook, target] = p.positionals as [string, string];
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(runbook) || runbook.length > 63) {
        throw new UsageError(
          `"${printable(runbook)}" is not a runbook name`,
          'Runbook names are lowercase letters, digits and "-". List them: runbook',
        );
      }
      return { name: 'runbook', runbook, target };
    }
    case 'scale-test': {
      const p = splitFlags(rest, {}, {}, 'scale-test');
      expectPositionals(p, 'scale-test', 1);
      const raw = p.positionals[0]!;
      return {
        name: 'scale-test',
        target: raw.includes('/') ? parseWorkloadTarget(raw) : parseServiceTarget(raw),
      };
    }
    default:
      throw unknownCommand(head);
  }
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
