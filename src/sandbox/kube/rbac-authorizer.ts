/**
 * The RBAC authorizer of kube-apiserver (plugin/pkg/auth/authorizer/rbac), over the Roles,
 * ClusterRoles, RoleBindings and ClusterRoleBindings in the sandbox's object store:
 * - ClusterRoleBindings grant their ClusterRole everywhere (resources and non-resource URLs);
 *   RoleBindings grant a Role of their namespace, or a ClusterRole, in their namespace only,
 *   and never non-resource URLs;
 * - a subject applies to a user by name (User), by group (Group), or as
 *   `system:serviceaccount:NS:NAME` (ServiceAccount, NS defaulting to the binding's);
 * - a rule allows when verb, API group, resource (`plural` or `plural/subresource`, `*`,
 *   `*\/subresource`) and resourceNames match, or for non-resource requests the URL
 *   (`*` suffix = prefix) and verb.
 * RBAC only allows: a request no rule allows is denied, with a reason only when a binding
 * could not be resolved (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`).
 */
import * as z from 'zod';
import type { KindSpec, KubeObject, ObjectStore } from './store-types.js';
import { serviceAccountUser, type UserInfo } from './sandbox-identities.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function rbacKind(kind: string, plural: string, namespaced: boolean): KindSpec {
  return { group: RBAC_GROUP, version: 'v1', kind, plural, singular: kind.toLowerCase(), namespaced };
}

export const ROLE = rbacKind('Role', 'roles', true);
export const CLUSTER_ROLE = rbacKind('ClusterRole', 'clusterroles', false);
export const ROLE_BINDING = rbacKind('RoleBinding', 'rolebindings', true);
export const CLUSTER_ROLE_BINDING = rbacKind('ClusterRoleBinding', 'clusterrolebindings', false);

/** What a request asks, as kube-apiserver's authorizer.Attributes. */
export type AuthorizationAttributes =
  | {
      resourceRequest: true;
      user: UserInfo;
      verb: string;
      group: string;
      resource: string;
      subresource?: string;
      /** Absent for cluster-scoped kinds and cluster-wide requests. */
      namespace?: string;
      name?: string;
    }
  | { resourceRequest: false; user: UserInfo; verb: string; path: string };

export interface Decision {
  allowed: boolean;
  /** `RBAC: allowed by ...` or, for a denial, why a binding could not be used (often empty). */
  reason: string;
}

const ruleSchema = z.object({
  verbs: z.array(z.string()).default([]),
  apiGroups: z.array(z.string()).nullish(),
  resources: z.array(z.string()).nullish(),
  resourceNames: z.array(z.string()).nullish(),
  nonResourceURLs: z.array(z.string()).nullish(),
});
export type PolicyRule = z.infer<typeof ruleSchema>;

const subjectSchema = z.object({
  kind: z.string(),
  name: z.string(),
  namespace: z.string().nullish(),
  apiGroup: z.string().nullish(),
});
type Subject = z.infer<typeof subjectSchema>;

const bindingSchema = z.object({
  roleRef: z.object({ kind: z.string(), name: z.string(), apiGroup: z.string().nullish() }),
  subjects: z.array(subjectSchema).nullish(),
});

/** The rules of a Role or ClusterRole object (malformed rules are left out). */
export function rulesOf(role: KubeObject): PolicyRule[] {
  const raw = role['rules'];
  if (!Array.isArray(raw)) return [];
  const out: PolicyRule[] = [];
  for (const rule of raw) {
    const parsed = ruleSchema.safeParse(rule);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

function has(values: readonly string[] | null | undefined, wanted: string): boolean {
  return (values ?? []).some((v) => v === '*' || v === wanted);
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some(
    (r) => r === '*' || r === combined || (subresource !== undefined && r === `*/${subresource}`),
  );
}

function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))),
  );
}

/** rbac/v1 helpers RuleAllows. */
export function ruleAllows(attrs: AuthorizationAttributes, rule: PolicyRule): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceUrlMatches(rule, attrs.path);
  if (!has(rule.apiGroups, attrs.group)) return false;
  if (!resourceMatches(rule, attrs.resource, attrs.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (attrs.name !== undefined && names.includes(attrs.name));
}

function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount':
      return user.name === serviceAccountUser(subject.namespace || bindingNamespace, subject.name);
    default:
      return false;
  }
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    return `${subject.kind} "${subject.name}/${subject.namespace || bindingNamespace}"`;
  }
  return `${subject.kind} "${subject.name}"`;
}

/** One granted rule set: the rules of a binding's role, and how to name where they came from. */
interface Grant {
  source: string;
  rules: PolicyRule[];
}

/**
 * Walks the grants that apply to the user for a namespace (cluster-wide ones first, as the
 * real authorizer does), stopping when `visit` returns false. Unresolvable role references
 * are reported as errors in the real API error wording.
 */
function visitGrants(
  store: ObjectStore,
  user: UserInfo,
  namespace: string | undefined,
  visit: (grant: Grant) => boolean,
  errors: string[],
): void {
  const roleRules = (kind: string, name: string, bindingNamespace: string): PolicyRule[] | undefined => {
    const spec = kind === 'ClusterRole' ? CLUSTER_ROLE : kind === 'Role' ? ROLE : undefined;
    const role = spec && store.get(spec, spec.namespaced ? bindingNamespace : undefined, name);
    if (!role) {
      errors.push(`${kind.toLowerCase()}.${RBAC_GROUP} "${name}" not found`);
      return undefined;
    }
    return rulesOf(role);
  };
  const walk = (binding: KubeObject, bindingNamespace: string, describe: (s: Subject) => string): boolean => {
    const parsed = bindingSchema.safeParse(binding);
    if (!parsed.success) return true;
    const subject = (parsed.data.subjects ?? []).find((s) => appliesTo(user, s, bindingNamespace));
    if (!subject) return true;
    const ref = parsed.data.roleRef;
    const rules = roleRules(ref.kind, ref.name, bindingNamespace);
    if (!rules) return true;
    return visit({ source: describe(subject), rules });
  };
  for (const binding of store.listStored(CLUSTER_ROLE_BINDING, {}).items) {
    const ref = record(binding['roleRef']);
    const keepGoing = walk(
      binding,
      '',
      (s) =>
        `ClusterRoleBinding "${binding.metadata.name}" of ${String(ref['kind'])} "${String(ref['name'])}" to ${describeSubject(s, '')}`,
    );
    if (!keepGoing) return;
  }
  if (namespace === undefined || namespace === '') return;
  for (const binding of store.listStored(ROLE_BINDING, { namespace }).items) {
    const ref = record(binding['roleRef']);
    const keepGoing = walk(
      binding,
      namespace,
      (s) =>
        `RoleBinding "${binding.metadata.name}/${namespace}" of ${String(ref['kind'])} "${String(ref['name'])}" to ${describeSubject(s, namespace)}`,
    );
    if (!keepGoing) return;
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** RBAC's decision for a request. */
export function authorizeRbac(store: ObjectStore, attrs: AuthorizationAttributes): Decision {
  const errors: string[] = [];
  let allowedBy: string | undefined;
  const namespace = attrs.resourceRequest ? attrs.namespace : undefined;
  visitGrants(
    store,
    attrs.user,
    namespace,
    (grant) => {
      // Non-resource URLs are granted by ClusterRoleBindings only.
      if (!attrs.resourceRequest && !grant.source.startsWith('ClusterRoleBinding')) return true;
      if (grant.rules.some((rule) => ruleAllows(attrs, rule))) {
        allowedBy = grant.source;
        return false;
      }
      return true;
    },
    errors,
  );
  if (allowedBy !== undefined) return { allowed: true, reason: `RBAC: allowed by ${allowedBy}` };
  const reason =
    errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}`;
  return { allowed: false, reason };
}

/** Every rule granted to the user in a namespace (SelfSubjectRulesReview), and resolution errors. */
export function rulesFor(
  store: ObjectStore,
  user: UserInfo,
  namespace: string,
): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  visitGrants(
    store,
    user,
    namespace,
    (grant) => {
      rules.push(...grant.rules);
      return true;
    },
    errors,
  );
  return { rules, errors };
}
