import { unknownCluster } from '../adapters/adapter-pool.js';
import type { RunnableCommand } from '../grammar/parse-command.js';
import { channelRuleFor, type AuthorizationPolicy } from './authorize.js';

/**
 * The clusters the Slack app serves, as the Slack layer sees them: their names, whether they
 * come from a `clusters:` section (results and buttons then name their cluster), and each
 * cluster's own authorization where it has one.
 */
export interface SlackClusters {
  names: readonly string[];
  configured: boolean;
  /** A cluster's own authorization (`clusters[].authorization`); absent: the top-level one. */
  policies: Readonly<Record<string, AuthorizationPolicy>>;
}

/** Commands that do not run against one cluster: they resolve none unless one is named. */
function needsCluster(command: RunnableCommand): boolean {
  if (command.name === 'clusters' || command.name === 'report') return false;
  if (command.name === 'runbook') return command.runbook !== undefined;
  return true;
}

export type ClusterResolution =
  /** The command, with the cluster it runs against (when it runs against one). */
  | { kind: 'resolved'; command: RunnableCommand; commandText: string }
  /** Several clusters, none chosen: ask with a button per cluster. */
  | { kind: 'ask'; clusters: readonly string[] }
  | { kind: 'unknown'; error: Error };

/**
 * Which cluster a command runs against: `--cluster`, else the channel's default cluster, else
 * the only cluster. Several possible and none chosen: `ask` (the bot never guesses). An
 * unknown name: a did-you-mean. With configured clusters the command text gains
 * `--cluster NAME`, so the parent, the audit line and every button say where it ran.
 */
export function resolveCluster(
  clusters: SlackClusters | undefined,
  policy: AuthorizationPolicy,
  channel: { id: string; name?: string },
  command: RunnableCommand,
  commandText: string,
): ClusterResolution {
  if (!clusters) return { kind: 'resolved', command, commandText };
  const { names } = clusters;
  if (command.cluster !== undefined) {
    if (!names.includes(command.cluster))
      return { kind: 'unknown', error: unknownCluster(command.cluster, names) };
  } else if (needsCluster(command)) {
    const fallback =
      channelRuleFor(policy, channel)?.defaultCluster ?? (names.length === 1 ? names[0] : undefined);
    if (fallback === undefined) return { kind: 'ask', clusters: names };
    if (!names.includes(fallback)) return { kind: 'unknown', error: unknownCluster(fallback, names) };
    command = { ...command, cluster: fallback };
  }
  if (!clusters.configured || command.cluster === undefined)
    return { kind: 'resolved', command, commandText };
  return {
    kind: 'resolved',
    command,
    commandText: /(^|\s)--cluster(\s|=|$)/.test(commandText)
      ? commandText
      : `${commandText} --cluster ${command.cluster}`,
  };
}

/** The authorization that judges a command: its cluster's own, else the top-level one. */
export function policyForCluster(
  clusters: SlackClusters | undefined,
  policy: AuthorizationPolicy,
  cluster: string | undefined,
): AuthorizationPolicy {
  return (cluster !== undefined ? clusters?.policies[cluster] : undefined) ?? policy;
}
