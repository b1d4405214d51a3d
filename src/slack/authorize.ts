import type { MeshCommand } from '../grammar/parse-command.js';
import { isMutating, namespaceScopeOf, type NamespaceScope } from '../steps/step-registry.js';

/**
 * Who may do what, where. A door of its own: every command and every click passes here.
 *
 * - Channels: with no channel rules, meshbot answers in every channel it is in, for every
 *   namespace. With rules, a channel answers only when a rule matches it (by id, by name, or
 *   the `*` rule) with `answer: true`, and only for the rule's namespaces (`*` = all).
 * - Mutating actions (the scale test): only the listed users and members of the listed user
 *   groups. With none listed, every mutating action is refused.
 */
export interface ChannelRule {
  /** Channel id (C…/G…), or `*` for every channel not matched otherwise. */
  id?: string;
  /** Channel name without `#`, as an alternative to the id. */
  name?: string;
  answer: boolean;
  /** Namespaces that may be inspected from this channel; `*` allows all. */
  namespaces: string[];
  /** The cluster this channel's commands run against without --cluster (docs/clusters.md). */
  defaultCluster?: string | undefined;
}

export interface AuthorizationPolicy {
  /** Absent or empty: answer everywhere, every namespace. */
  channels?: ChannelRule[];
  mutators: { users: string[]; userGroups: string[] };
  /**
   * The namespaces each scheduled report sweeps (empty: every namespace), from `reports:`:
   * `report run NAME` reads what NAME's scope reads.
   */
  reportScopes?: Record<string, string[]>;
}

/**
 * The namespaces a command reads: the step registry's answer, except `report run NAME`, which
 * reads its report's scope (an unknown NAME reads nothing: it is answered with a did-you-mean).
 */
export function scopeForPolicy(policy: AuthorizationPolicy, command: MeshCommand): NamespaceScope {
  if (command.name === 'report' && command.action === 'run' && policy.reportScopes) {
    const namespaces = policy.reportScopes[command.report];
    if (namespaces === undefined) return { kind: 'none' };
    return namespaces.length === 0 ? { kind: 'all' } : { kind: 'some', namespaces };
  }
  return namespaceScopeOf(command);
}

/** Membership of Slack user groups (usergroups.users.list), injected so it can be cached. */
export interface UserGroupMembership {
  isMember(userId: string, userGroupId: string): Promise<boolean>;
}

export interface AuthorizationRequest {
  userId: string;
  channel: { id: string; name?: string };
  command: MeshCommand;
}

export type RefusalCode = 'channel' | 'namespace' | 'mutating';

export type Decision = { allowed: true } | { allowed: false; code: RefusalCode; reason: string };

export { isMutating, namespaceScopeOf, type NamespaceScope } from '../steps/step-registry.js';

/** The rule for a channel: exact id, then name, then `*`. Undefined when none matches. */
export function channelRuleFor(
  policy: AuthorizationPolicy,
  channel: { id: string; name?: string },
): ChannelRule | undefined {
  const rules = policy.channels ?? [];
  const name = channel.name?.replace(/^#/, '');
  return (
    rules.find((r) => r.id === channel.id) ??
    (name ? rules.find((r) => r.name !== undefined && r.name.replace(/^#/, '') === name) : undefined) ??
    rules.find((r) => r.id === '*')
  );
}

/** Whether name rules could decide for this channel (no rule names its id). */
export function needsChannelName(policy: AuthorizationPolicy, channelId: string): boolean {
  const rules = policy.channels ?? [];
  return rules.some((r) => r.name !== undefined) && !rules.some((r) => r.id === channelId);
}

/** May meshbot answer at all in this channel? */
export function checkChannel(policy: AuthorizationPolicy, channel: { id: string; name?: string }): Decision {
  if (!policy.channels || policy.channels.length === 0) return { allowed: true };
  const rule = channelRuleFor(policy, channel);
  if (!rule || !rule.answer) {
    return {
      allowed: false,
      code: 'channel',
      reason:
        'meshbot does not answer in this channel. Ask an admin to allow it, or use a channel meshbot serves.',
    };
  }
  return { allowed: true };
}

/**
 * May these namespaces be inspected (or changed) from this channel? A command that reads
 * across every namespace needs a channel allowed `*`.
 */
export function checkNamespace(
  policy: AuthorizationPolicy,
  channel: { id: string; name?: string },
  scope: NamespaceScope,
): Decision {
  if (scope.kind === 'none' || !policy.channels || policy.channels.length === 0) return { allowed: true };
  const rule = channelRuleFor(policy, channel);
  const allowed = rule?.answer ? rule.namespaces : [];
  if (allowed.includes('*')) return { allowed: true };
  const here = allowed.length ? ` (allowed here: ${allowed.join(', ')})` : '';
  if (scope.kind === 'all') {
    return {
      allowed: false,
      code: 'namespace',
      reason: `this command reads every namespace; only a channel allowed all namespaces (\`*\`) may run it${here}.`,
    };
  }
  const refused = scope.namespaces.find((ns) => !allowed.includes(ns));
  if (refused === undefined) return { allowed: true };
  return {
    allowed: false,
    code: 'namespace',
    reason: `namespace "${refused}" may not be inspected from this channel${here}.`,
  };
}

/** May this person run actions that change the cluster? */
export async function checkMutator(
  policy: AuthorizationPolicy,
  userId: string,
  groups: UserGroupMembership,
): Promise<Decision> {
  const refusal: Decision = {
    allowed: false,
    code: 'mutating',
    reason:
      policy.mutators.users.length + policy.mutators.userGroups.length === 0
        ? 'this action changes the cluster, and no one is authorized to run such actions (authorization.mutators is empty).'
        : 'this action changes the cluster, and you are not among the people authorized to run it.',
  };
  if (policy.mutators.users.includes(userId)) return { allowed: true };
  for (const group of policy.mutators.userGroups) {
    if (await groups.isMember(userId, group)) return { allowed: true };
  }
  return refusal;
}

/** Channel, then namespace, then (for mutating commands) the person. */
export async function authorize(
  policy: AuthorizationPolicy,
  req: AuthorizationRequest,
  groups: UserGroupMembership,
): Promise<Decision> {
  const channel = checkChannel(policy, req.channel);
  if (!channel.allowed) return channel;
  const ns = checkNamespace(policy, req.channel, scopeForPolicy(policy, req.command));
  if (!ns.allowed) return ns;
  if (isMutating(req.command)) return checkMutator(policy, req.userId, groups);
  return { allowed: true };
}
