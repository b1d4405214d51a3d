/**
 * The cluster flags every command that looks at a cluster takes (endpoints, check, metrics,
 * scale-test, serve), declared and validated in one place. Values become a ClusterOptions
 * for openAdapters; bad values are UsageErrors (exit 2) that name the rule.
 */
import type { Command } from 'commander';
import type { ClusterOptions } from '../adapters/cluster-options.js';
import { COMMON_FLAGS, checkClusterName } from '../grammar/parse-command.js';
import type { ClusterChoiceOptions } from './open-cluster-adapters.js';
import { parseDestinationAddress } from '../adapters/destination/direct-transport.js';
import { UsageError } from '../errors.js';
import { parseDuration } from '../grammar/duration.js';
import { checkNamespace, printable } from '../grammar/targets.js';

export interface ClusterFlagValues {
  /** `--cluster NAME` (the grammar's common flag). */
  cluster?: string;
  /** `--config FILE`: the config whose `clusters:` names the clusters. */
  config?: string;
  kubeconfig?: string;
  context?: string;
  destination?: string;
  contextToken?: string;
  controlPlaneNamespace?: string;
  clusterDomain?: string;
  timeout?: string;
}

export const DEFAULT_TIMEOUT_FLAG = '10s';

/**
 * Adds the grammar's common flags (--cluster, described once in src/grammar), --config (unless
 * the command has its own), --kubeconfig, --context, --destination, --context-token,
 * --control-plane-namespace, --cluster-domain, --timeout.
 */
export function addClusterFlags(cmd: Command, options: { timeout?: boolean } = {}): Command {
  for (const f of COMMON_FLAGS) {
    cmd.option(`--${f.name}${f.value ? ` <${f.value}>` : ''}`, f.description);
  }
  if (!cmd.options.some((o) => o.long === '--config')) {
    cmd.option(
      '--config <file>',
      'config file whose clusters: section names the clusters (docs/clusters.md)',
    );
  }
  cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option(
      '--destination <host:port>',
      'destination controller gRPC address (default: port-forward to a destination pod; in cluster linkerd-dst.linkerd.svc.cluster.local:8086)',
    )
    .option(
      '--context-token <json>',
      'context token sent with Get, e.g. {"ns":"emojivoto","nodeName":"node-1"}',
    )
    .option('--control-plane-namespace <ns>', 'Linkerd control-plane namespace', 'linkerd')
    .option('--cluster-domain <domain>', 'cluster DNS domain', 'cluster.local');
  if (options.timeout !== false)
    cmd.option('--timeout <duration>', 'overall time limit, e.g. 10s', DEFAULT_TIMEOUT_FLAG);
  return cmd;
}

const CONTEXT_TOKEN_KEYS = ['ns', 'nodeName', 'pod'] as const;
type ContextToken = Partial<Record<(typeof CONTEXT_TOKEN_KEYS)[number], string>>;

/**
 * The token's JSON object, keys in a fixed order, or undefined when it holds anything but
 * ns, nodeName and pod strings. Checked by hand, not with zod: this module is loaded by every
 * command, `meshbot --help` included, and zod is about a third of what that loads.
 */
function readContextToken(value: unknown): ContextToken | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  const known = (key: string): key is keyof ContextToken =>
    (CONTEXT_TOKEN_KEYS as readonly string[]).includes(key);
  if (!entries.every(([key, v]) => known(key) && typeof v === 'string')) return undefined;
  const token: ContextToken = {};
  for (const key of CONTEXT_TOKEN_KEYS) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (typeof v === 'string') token[key] = v;
  }
  return token;
}

/** Accepts the JSON form ({"ns":...,"nodeName":...,"pod":...}) and the old `ns:NAME`. */
export function parseContextToken(raw: string): string {
  if (/^ns:[a-z0-9-]+$/.test(raw)) return raw;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new UsageError(
      `context token "${printable(raw)}" is not JSON`,
      'Give it as {"ns":"emojivoto","nodeName":"node-1"} (keys ns, nodeName, pod; all optional), or ns:NAME.',
    );
  }
  const token = readContextToken(value);
  if (!token) {
    throw new UsageError(
      `context token "${printable(raw)}" is not an object of ns, nodeName and pod strings`,
      'Give it as {"ns":"emojivoto","nodeName":"node-1"}.',
    );
  }
  return JSON.stringify(token);
}

const DOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Validates flag values into ClusterOptions (and which cluster, from which config file). */
export function readClusterOptions(values: ClusterFlagValues): ClusterOptions & ClusterChoiceOptions {
  const options: ClusterOptions & ClusterChoiceOptions = {};
  if (values.cluster !== undefined) options.cluster = checkClusterName(values.cluster);
  if (values.config !== undefined) {
    if (values.config.trim() === '') throw new UsageError('--config needs a file path');
    options.configFile = values.config;
  }
  if (values.kubeconfig !== undefined) {
    if (values.kubeconfig.trim() === '') throw new UsageError('--kubeconfig needs a file path');
    options.kubeconfig = values.kubeconfig;
  }
  if (values.context !== undefined) {
    if (values.context.trim() === '') throw new UsageError('--context needs a context name');
    options.context = values.context;
  }
  if (values.destination !== undefined) options.destination = parseDestinationAddress(values.destination);
  if (values.contextToken !== undefined) options.contextToken = parseContextToken(values.contextToken);
  if (values.controlPlaneNamespace !== undefined) {
    options.controlPlaneNamespace = checkNamespace(values.controlPlaneNamespace);
  }
  if (values.clusterDomain !== undefined) {
    if (values.clusterDomain.length > 253 || !DOMAIN.test(values.clusterDomain)) {
      throw new UsageError(
        `cluster domain "${printable(values.clusterDomain)}" is not a DNS name`,
        'Give it as cluster.local (lowercase letters, digits, "-" and ".").',
      );
    }
    options.clusterDomain = values.clusterDomain;
  }
  if (values.timeout !== undefined) {
    options.timeoutMs = Math.round(parseDuration(values.timeout, '--timeout', { min: 0.1, max: 600 }) * 1000);
  }
  return options;
}
