/**
 * Access rules a scenario declares to make the sandbox API server refuse requests, and the
 * 403 Status the real API server (RBAC authorizer) answers for them. They are a fault the
 * sandbox injects before its real authorizers (system:masters, then RBAC: rbac-authorizer.ts)
 * are asked, as a denying authorization webhook would, so they deny even the admin identity.
 *
 * Each rule DENIES the requests it matches; the rest goes on to RBAC. A rule without a user
 * denies meshbot's identity (the server's default user), not the sandbox's own components.
 * A rule limited to a namespace denies requests in that namespace only, not the cluster-wide
 * form (`kubectl get endpointslices -A`). Real RBAC would refuse that too, but sandbox
 * components that share meshbot's kubeconfig watch cluster-wide and must keep working.
 */
import { MESHBOT_USER } from './sandbox-identities.js';
import { forbidden, type StatusError } from './status-error.js';

export type AccessVerb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | '*';

export interface AccessRule {
  verb: AccessVerb;
  /** Plural, or plural/subresource (`pods/portforward`, `deployments/scale`); `*` = every resource. */
  resource: string;
  /** API group ('' = core); absent = any group. */
  group?: string;
  /** Absent = every namespace and cluster-wide requests; set = requests in that namespace only. */
  namespace?: string;
  /** The user denied; absent = the server's default user (meshbot); `*` = every user. */
  user?: string;
}

/** What a request asks to do, in authorizer terms. */
export interface AccessRequest {
  user: string;
  /** `*` only in access reviews (`kubectl auth can-i '*' pods`). */
  verb: AccessVerb;
  group: string;
  /** Plural, without the subresource; `*` only in access reviews. */
  resource: string;
  subresource?: string;
  /** Absent for cluster-scoped kinds and cluster-wide requests. */
  namespace?: string;
  name?: string;
}

/** Whether the rule overlaps the request; `*` in a request (an access review) matches any rule value. */
function matches(rule: AccessRule, req: AccessRequest, defaultUser: string): boolean {
  if (rule.verb !== '*' && req.verb !== '*' && rule.verb !== req.verb) return false;
  const resource = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  if (rule.resource !== '*' && req.resource !== '*' && rule.resource !== resource) return false;
  if (rule.group !== undefined && rule.group !== '*' && req.group !== '*' && rule.group !== req.group) {
    return false;
  }
  const user = rule.user ?? defaultUser;
  if (user !== '*' && user !== req.user) return false;
  if (rule.namespace !== undefined && rule.namespace !== '*' && rule.namespace !== req.namespace) {
    return false;
  }
  return true;
}

/** The first rule that denies the request, if any; rules without a user apply to `defaultUser`. */
export function denyingRule(
  rules: readonly AccessRule[],
  req: AccessRequest,
  defaultUser: string = MESHBOT_USER,
): AccessRule | undefined {
  return rules.find((rule) => matches(rule, req, defaultUser));
}

/** The 403 the real API server answers for the request (RBAC authorizer wording). */
export function forbiddenFor(req: AccessRequest): StatusError {
  return forbidden({
    user: req.user,
    verb: req.verb,
    resource: { group: req.group, plural: req.resource },
    ...(req.subresource ? { subresource: req.subresource } : {}),
    ...(req.namespace ? { namespace: req.namespace } : {}),
    ...(req.name ? { name: req.name } : {}),
  });
}
