/**
 * The authorization.k8s.io/v1 reviews, answered from the API server's authorizer and never
 * stored: SelfSubjectAccessReview (`kubectl auth can-i`), SubjectAccessReview and
 * LocalSubjectAccessReview (may this user?), SelfSubjectRulesReview (`kubectl auth can-i --list`),
 * and authentication.k8s.io's SelfSubjectReview (`kubectl auth whoami`).
 */
import * as z from 'zod';
import type { DiscoveryKind } from './discovery-documents.js';
import type { AuthorizationAttributes, Decision, PolicyRule } from './rbac-authorizer.js';
import type { UserInfo } from './sandbox-identities.js';
import { badRequest } from './status-error.js';

function reviewKind(kind: string, namespaced = false, group = 'authorization.k8s.io'): DiscoveryKind {
  return {
    group,
    version: 'v1',
    kind,
    plural: `${kind.toLowerCase()}s`,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: ['create'],
  };
}

export const REVIEW_KINDS: readonly DiscoveryKind[] = [
  reviewKind('SelfSubjectAccessReview'),
  reviewKind('SubjectAccessReview'),
  reviewKind('LocalSubjectAccessReview', true),
  reviewKind('SelfSubjectRulesReview'),
  reviewKind('SelfSubjectReview', false, 'authentication.k8s.io'),
];

const attributesSchema = z.object({
  resourceAttributes: z
    .object({
      namespace: z.string().optional(),
      verb: z.string().optional(),
      group: z.string().optional(),
      version: z.string().optional(),
      resource: z.string().optional(),
      subresource: z.string().optional(),
      name: z.string().optional(),
    })
    .optional(),
  nonResourceAttributes: z.object({ path: z.string().optional(), verb: z.string().optional() }).optional(),
});

const subjectSpecSchema = attributesSchema.extend({
  user: z.string().optional(),
  groups: z.array(z.string()).optional(),
  uid: z.string().optional(),
  extra: z.record(z.string(), z.array(z.string())).optional(),
});

const rulesSpecSchema = z.object({ namespace: z.string().optional() });

export interface ReviewContext {
  /** The caller (after impersonation). */
  user: UserInfo;
  /** The namespace of the request path (LocalSubjectAccessReview). */
  namespace: string | undefined;
  decide(attrs: AuthorizationAttributes): Decision;
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] };
}

function unrecognized(kind: string): Error {
  return badRequest(`the object provided is unrecognized (must be of type ${kind})`);
}

function specOf<T extends z.ZodType>(schema: T, body: unknown, kind: string): z.infer<T> {
  const spec =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['spec'] : undefined;
  const parsed = schema.safeParse(spec);
  if (!parsed.success || spec === undefined) throw unrecognized(kind);
  return parsed.data;
}

function attributesFor(spec: z.infer<typeof attributesSchema>, user: UserInfo): AuthorizationAttributes {
  const res = spec.resourceAttributes;
  if (res) {
    return {
      resourceRequest: true,
      user,
      verb: res.verb ?? '',
      group: res.group ?? '',
      resource: res.resource ?? '',
      ...(res.subresource ? { subresource: res.subresource } : {}),
      ...(res.namespace ? { namespace: res.namespace } : {}),
      ...(res.name ? { name: res.name } : {}),
    };
  }
  const non = spec.nonResourceAttributes;
  if (non) return { resourceRequest: false, user, verb: non.verb ?? '', path: non.path ?? '' };
  throw badRequest(
    'spec.resourceAttributes: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
  );
}

function status(decision: Decision): Record<string, unknown> {
  return decision.reason
    ? { allowed: decision.allowed, reason: decision.reason }
    : { allowed: decision.allowed };
}

/**
 * The answered review (kind from the path) for a request body.
 * @throws StatusError 400 when the body is not the review it should be.
 */
export function answerReview(kind: string, body: unknown, ctx: ReviewContext): Record<string, unknown> {
  const head = { kind, apiVersion: 'authorization.k8s.io/v1', metadata: {} };
  switch (kind) {
    case 'SelfSubjectReview':
      // `kubectl auth whoami`: who the server thinks the caller is.
      return {
        ...head,
        apiVersion: 'authentication.k8s.io/v1',
        status: { userInfo: { username: ctx.user.name, groups: [...ctx.user.groups] } },
      };
    case 'SelfSubjectAccessReview': {
      const spec = specOf(attributesSchema, body, kind);
      return { ...head, spec, status: status(ctx.decide(attributesFor(spec, ctx.user))) };
    }
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview': {
      const spec = specOf(subjectSpecSchema, body, kind);
      if (!spec.user && (spec.groups ?? []).length === 0) {
        throw badRequest(
          `${kind}.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified`,
        );
      }
      if (kind === 'LocalSubjectAccessReview' && spec.resourceAttributes?.namespace !== ctx.namespace) {
        throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${ctx.namespace ?? ''}`);
      }
      const user: UserInfo = { name: spec.user ?? '', groups: spec.groups ?? [] };
      return { ...head, spec, status: status(ctx.decide(attributesFor(spec, user))) };
    }
    case 'SelfSubjectRulesReview': {
      const spec = specOf(rulesSpecSchema, body, kind);
      if (!spec.namespace) throw badRequest('no namespace on request');
      const { rules, errors } = ctx.rulesFor(ctx.user, spec.namespace);
      return {
        ...head,
        spec,
        status: {
          resourceRules: rules
            .filter((r) => (r.resources ?? []).length > 0)
            .map((r) => ({
              verbs: r.verbs,
              apiGroups: r.apiGroups ?? [],
              resources: r.resources ?? [],
              ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
            })),
          nonResourceRules: rules
            .filter((r) => (r.nonResourceURLs ?? []).length > 0)
            .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs ?? [] })),
          incomplete: errors.length > 0,
          ...(errors.length ? { evaluationError: errors.join(', ') } : {}),
        },
      };
    }
    default:
      throw unrecognized(kind);
  }
}
