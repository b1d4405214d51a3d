/**
 * Kubernetes `Status` failures with the codes, reasons and message wording of the real API
 * server (k8s.io/apimachinery/pkg/api/errors). The store throws them; the HTTP API server
 * serves `err.body` as-is with `err.code` as the HTTP status.
 */
import type { StatusBody } from './store-types.js';

/** A resource as URLs name it (`deployments` in `apps`); a KindSpec is one. */
export interface GroupResource {
  group: string;
  plural: string;
}

/** A kind as schemas name it (`Deployment` in `apps`); a KindSpec is one. */
export interface GroupKind {
  group: string;
  kind: string;
}

/** One invalid field, as `field.Error` in apimachinery. */
export interface FieldError {
  /** Path of the field, e.g. `metadata.name`. */
  field: string;
  type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueNotSupported';
  /** The offending value (for FieldValueInvalid / NotSupported). */
  value?: unknown;
  detail?: string;
}

type StatusDetails = NonNullable<StatusBody['details']>;

export class StatusError extends Error {
  readonly body: StatusBody;

  constructor(body: StatusBody) {
    super(body.message);
    this.name = 'StatusError';
    this.body = body;
  }

  get code(): number {
    return this.body.code;
  }

  get reason(): string {
    return this.body.reason;
  }
}

export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}

function status(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) body.details = details;
  return new StatusError(body);
}

/** `pods`, `deployments.apps`: GroupResource.String() in apimachinery. */
export function qualifiedResource(res: GroupResource): string {
  return res.group ? `${res.plural}.${res.group}` : res.plural;
}

/** `Pod`, `Deployment.apps`: GroupKind.String() in apimachinery. */
export function qualifiedKind(gk: GroupKind): string {
  return gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
}

function resourceDetails(res: GroupResource, name?: string): StatusDetails {
  const details: StatusDetails = {};
  if (name !== undefined && name !== '') details.name = name;
  if (res.group) details.group = res.group;
  details.kind = res.plural;
  return details;
}

/** 404 NotFound: `pods "x" not found`. */
export function notFound(res: GroupResource, name: string): StatusError {
  return status(404, 'NotFound', `${qualifiedResource(res)} "${name}" not found`, resourceDetails(res, name));
}

/** 404 NotFound for a resource type the server does not serve. */
export function resourceTypeNotFound(what: string): StatusError {
  return status(404, 'NotFound', `the server could not find the requested resource (${what})`, {});
}

/** 409 AlreadyExists: `pods "x" already exists`. */
export function alreadyExists(res: GroupResource, name: string): StatusError {
  return status(
    409,
    'AlreadyExists',
    `${qualifiedResource(res)} "${name}" already exists`,
    resourceDetails(res, name),
  );
}

export const CONFLICT_MODIFIED =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 409 Conflict: `Operation cannot be fulfilled on pods "x": <detail>`. */
export function conflict(res: GroupResource, name: string, detail: string = CONFLICT_MODIFIED): StatusError {
  return status(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(res)} "${name}": ${detail}`,
    resourceDetails(res, name),
  );
}

function quoteValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The text of one field error, as `field.Error.ErrorBody()`. */
function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case 'FieldValueRequired':
      return `Required value${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueForbidden':
      return `Forbidden${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueNotSupported':
      return `Unsupported value: ${quoteValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'FieldValueInvalid':
    default:
      return `Invalid value: ${quoteValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

/**
 * 422 Invalid: `Pod "x" is invalid: metadata.name: Invalid value: "X": <detail>`, with one
 * `details.causes` entry per field.
 */
export function invalid(gk: GroupKind, name: string, errors: FieldError[]): StatusError {
  const texts = errors.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const aggregate = texts.length === 1 ? (texts[0] ?? '') : `[${texts.join(', ')}]`;
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (gk.group) details.group = gk.group;
  details.kind = gk.kind;
  details.causes = errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  return status(422, 'Invalid', `${qualifiedKind(gk)} "${name}" is invalid: ${aggregate}`, details);
}

/** 400 BadRequest with the given message. */
export function badRequest(message: string): StatusError {
  return status(400, 'BadRequest', message);
}

export interface ForbiddenOptions {
  /** e.g. `system:anonymous`, `system:serviceaccount:meshbot:meshbot`. */
  user: string;
  verb: string;
  resource: GroupResource;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Appended after `: ` (RBAC adds its own reason). */
  reason?: string;
}

/**
 * 403 Forbidden, worded as the RBAC authorizer's refusal:
 * `pods is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "ns"`.
 */
export function forbidden(opts: ForbiddenOptions): StatusError {
  const res = opts.resource;
  const head = opts.name ? `${qualifiedResource(res)} "${opts.name}"` : qualifiedResource(res);
  const resource = opts.subresource ? `${res.plural}/${opts.subresource}` : res.plural;
  const scope = opts.namespace ? `in the namespace "${opts.namespace}"` : 'at the cluster scope';
  let message = `${head} is forbidden: User "${opts.user}" cannot ${opts.verb} resource "${resource}" in API group "${res.group}" ${scope}`;
  if (opts.reason) message += `: ${opts.reason}`;
  return status(403, 'Forbidden', message, resourceDetails(res, opts.name));
}

/** 410 Expired: `too old resource version: 5 (12)` (requested, then the oldest still served minus one). */
export function expired(requested: string | number, oldest: string | number): StatusError {
  return status(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** 410 Gone with the given message. */
export function gone(message: string): StatusError {
  return status(410, 'Gone', message);
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(
  message = 'the server does not allow this method on the requested resource',
): StatusError {
  return status(405, 'MethodNotAllowed', message, {});
}

export const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

/** 415 UnsupportedMediaType for a body in a format the server does not accept. */
export function unsupportedMediaType(
  contentType: string,
  accepted: readonly string[] = PATCH_CONTENT_TYPES,
): StatusError {
  return status(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format "${contentType}" - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** 500 InternalError, for failures that are the server's fault. */
export function internalError(message: string): StatusError {
  return status(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

/** The Status to serve for any thrown value: a StatusError's body, otherwise a 500. */
export function toStatusBody(err: unknown): StatusBody {
  if (err instanceof StatusError) return err.body;
  const message = err instanceof Error ? err.message : String(err);
  return internalError(message).body;
}
