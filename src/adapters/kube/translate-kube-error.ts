import * as z from 'zod';
import { MeshbotError } from '../../errors.js';

/** What a request was doing, in RBAC terms, so a failure can say what is missing. */
export interface KubeRequestContext {
  server: string;
  verb: string;
  /** Plural, or plural/subresource (`pods/portforward`). */
  resource: string;
  /** API group, '' for core. */
  group: string;
  namespace?: string;
  name?: string;
  timeoutMs: number;
}

/**
 * A Kubernetes API answer outside 2xx, from meshbot's own requests (kube-get.ts); client-node's
 * calls raise its ApiException, which carries the same `code` and `body`.
 */
export class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(`HTTP-Code: ${code}`);
    this.name = 'KubeStatusError';
  }
}

/**
 * The HTTP status and body of a failed API call: a KubeStatusError, or client-node's
 * ApiException (recognised by its fields, `code`, `body` and `headers`, so that this module
 * does not load client-node: the commands that read with kube-get.ts never do).
 */
export function failedAnswer(err: unknown): { code: number; body: unknown } | undefined {
  if (err instanceof KubeStatusError) return err;
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { code?: unknown; body?: unknown; headers?: unknown };
  return typeof e.code === 'number' && 'body' in e && 'headers' in e
    ? { code: e.code, body: e.body }
    : undefined;
}

const statusSchema = z.object({
  kind: z.literal('Status'),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
  /** The object a NotFound is about (`name`, `group`, `kind`); empty when the resource itself is unknown. */
  details: z.object({ name: z.string().optional() }).loose().optional(),
});

/** The Status object of a failed response body, when it is one. */
export function parseStatus(body: unknown): z.infer<typeof statusSchema> | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const parsed = statusSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export interface ForbiddenDetail {
  user?: string;
  verb: string;
  resource: string;
  group: string;
  namespace?: string;
}

const FORBIDDEN =
  /(?:User "([^"]*)" )?cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)"| at the cluster scope)?/;

/** Reads verb, resource, group and namespace out of an RBAC 403 message. */
export function parseForbiddenMessage(message: string): ForbiddenDetail | undefined {
  const m = FORBIDDEN.exec(message);
  if (!m) return undefined;
  const detail: ForbiddenDetail = { verb: m[2]!, resource: m[3]!, group: m[4] ?? '' };
  if (m[1]) detail.user = m[1];
  if (m[5]) detail.namespace = m[5];
  return detail;
}

/** The RBAC rule that would allow the request, as a hint. */
export function roleRuleHint(d: ForbiddenDetail): string {
  const where = d.namespace
    ? `a Role in namespace ${d.namespace} (bound with a RoleBinding)`
    : 'a ClusterRole (bound with a ClusterRoleBinding)';
  const who = d.user ? ` to ${d.user}` : '';
  return `Grant it${who} with ${where}: - apiGroups: ["${d.group}"] resources: ["${d.resource}"] verbs: ["${d.verb}"]`;
}

export function forbiddenError(d: ForbiddenDetail, cause?: unknown): MeshbotError {
  const who = d.user ? `${d.user}` : 'meshbot';
  const what = d.group ? `${d.resource} (API group ${d.group})` : d.resource;
  const where = d.namespace ? `in namespace ${d.namespace}` : 'at the cluster scope';
  return new MeshbotError(
    'forbidden',
    `Kubernetes forbids ${who} to ${d.verb} ${what} ${where}: RBAC permission "${d.verb}" on "${d.resource}" is missing`,
    roleRuleHint(d),
    { cause },
  );
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; errno?: unknown; cause?: unknown };
  if (typeof e.code === 'string') return e.code;
  if (typeof e.errno === 'string') return e.errno;
  return e.cause ? errorCode(e.cause) : undefined;
}

function describeRequest(ctx: KubeRequestContext): string {
  const what = ctx.name ? `${ctx.resource} ${ctx.name}` : ctx.resource;
  return `${ctx.verb} ${what}${ctx.namespace ? ` in namespace ${ctx.namespace}` : ''}`;
}

/**
 * Turns a failed Kubernetes call (client-node's or kube-get.ts's) into a MeshbotError a person can act on. 404s are handled by the
 * callers (an absent object is an answer, not an error) before they get here.
 */
export function translateKubeError(err: unknown, ctx: KubeRequestContext): MeshbotError {
  if (err instanceof MeshbotError) return err;
  const answer = failedAnswer(err);
  if (answer) {
    const status = parseStatus(answer.body);
    const detail = status?.message ? `: ${status.message}` : '';
    if (answer.code === 401) {
      return new MeshbotError(
        'unauthenticated',
        `Kubernetes at ${ctx.server} did not accept meshbot's credentials (401 Unauthorized)`,
        'The kubeconfig user or service-account token is missing, expired or wrong; check it with `kubectl auth whoami`.',
        { cause: err },
      );
    }
    if (answer.code === 403) {
      const parsed = status?.message ? parseForbiddenMessage(status.message) : undefined;
      const d: ForbiddenDetail = parsed ?? {
        verb: ctx.verb,
        resource: ctx.resource,
        group: ctx.group,
        ...(ctx.namespace ? { namespace: ctx.namespace } : {}),
      };
      return forbiddenError(d, err);
    }
    if (answer.code === 404) {
      return new MeshbotError(
        'not-found',
        `Kubernetes has no ${describeRequest(ctx).replace(/^\S+ /, '')}${detail}`,
        undefined,
        {
          cause: err,
        },
      );
    }
    if (answer.code === 429 || answer.code >= 500) {
      return new MeshbotError(
        'unreachable',
        `Kubernetes at ${ctx.server} failed to ${describeRequest(ctx)} (HTTP ${answer.code})${detail}`,
        'The API server is overloaded or unhealthy; try again, and check `kubectl get --raw /readyz`.',
        { cause: err },
      );
    }
    return new MeshbotError(
      'internal',
      `Kubernetes refused to ${describeRequest(ctx)} (HTTP ${answer.code})${detail}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  // client-node's Watch refuses a non-200 answer with an Error carrying only the status code
  // and text (no body): a 403 is still the permission that was asked for.
  const statusCode =
    err instanceof Error && typeof (err as { statusCode?: unknown }).statusCode === 'number'
      ? (err as unknown as { statusCode: number }).statusCode
      : undefined;
  if (statusCode === 403) {
    return forbiddenError(
      {
        verb: ctx.verb,
        resource: ctx.resource,
        group: ctx.group,
        ...(ctx.namespace ? { namespace: ctx.namespace } : {}),
      },
      err,
    );
  }
  const name = err instanceof Error ? err.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new MeshbotError(
      'timeout',
      `Kubernetes at ${ctx.server} did not answer within ${ctx.timeoutMs} ms (${describeRequest(ctx)})`,
      'The API server is slow or the network drops packets; retry with a longer --timeout.',
      { cause: err },
    );
  }
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if ((code && NETWORK_CODES.has(code)) || /ECONNREFUSED|socket hang up|getaddrinfo/.test(message)) {
    return new MeshbotError(
      'unreachable',
      `Kubernetes at ${ctx.server} could not be reached${code ? ` (${code})` : ''}`,
      `Is the API server at ${ctx.server} up and reachable from here? Check the kubeconfig's server, --context, or start the sandbox.`,
      { cause: err },
    );
  }
  return new MeshbotError(
    'unreachable',
    `Kubernetes at ${ctx.server}: ${describeRequest(ctx)} failed: ${message}`,
    `Check that ${ctx.server} is a Kubernetes API server and that the kubeconfig's certificates are valid.`,
    { cause: err },
  );
}
