/**
 * SelfSubjectAccessReview (authorization.k8s.io/v1), what `kubectl auth can-i` and permission
 * checks ask: "may I do this?", answered from the sandbox's access rules and never stored.
 */
import { z } from 'zod';
import { denyingRule, type AccessRequest, type AccessRule } from './access-rules.js';
import type { DiscoveryKind } from './discovery-documents.js';
import { badRequest } from './status-error.js';

export const ACCESS_REVIEW_KIND: DiscoveryKind = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  plural: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  namespaced: false,
  verbs: ['create'],
};

const reviewSchema = z.object({
  spec: z.object({
    resourceAttributes: z
      .object({
        namespace: z.string().optional(),
        verb: z.string().optional(),
        group: z.string().optional(),
        resource: z.string().optional(),
        subresource: z.string().optional(),
        name: z.string().optional(),
      })
      .optional(),
    nonResourceAttributes: z.object({ path: z.string().optional(), verb: z.string().optional() }).optional(),
  }),
});

/** Verbs an access rule can name; others (use, bind, escalate...) are never denied. */
const RULE_VERBS = new Set<string>([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  '*',
]);

/**
 * The answered review for a request body. Like RBAC, a denial carries no reason.
 * @throws StatusError 400 when the body is not a SelfSubjectAccessReview.
 */
export function reviewAccess(
  body: unknown,
  user: string,
  rules: readonly AccessRule[],
  defaultUser: string,
): Record<string, unknown> {
  const parsed = reviewSchema.safeParse(body);
  if (!parsed.success) {
    throw badRequest('the object provided is unrecognized (must be of type SelfSubjectAccessReview)');
  }
  const attrs = parsed.data.spec.resourceAttributes;
  let allowed = true;
  if (attrs && RULE_VERBS.has(attrs.verb ?? '')) {
    const [resource = '', fromResource] = (attrs.resource ?? '').split('/');
    const request: AccessRequest = {
      user,
      verb: attrs.verb as AccessRequest['verb'],
      group: attrs.group ?? '',
      resource,
    };
    const subresource = attrs.subresource || fromResource;
    if (subresource) request.subresource = subresource;
    if (attrs.namespace) request.namespace = attrs.namespace;
    if (attrs.name) request.name = attrs.name;
    allowed = denyingRule(rules, request, defaultUser) === undefined;
  }
  return {
    kind: ACCESS_REVIEW_KIND.kind,
    apiVersion: `${ACCESS_REVIEW_KIND.group}/${ACCESS_REVIEW_KIND.version}`,
    metadata: {},
    spec: parsed.data.spec,
    status: allowed
      ? { allowed: true, reason: 'allowed by the meshbot sandbox: no access rule denies it' }
      : { allowed: false },
  };
}
