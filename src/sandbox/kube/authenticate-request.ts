/**
 * Who a request comes from, as kube-apiserver's authentication and impersonation filters
 * decide: the bearer token names a user (fixed tokens, or a ServiceAccount token whose
 * ServiceAccount still exists), then `Impersonate-User` / `Impersonate-Group` headers switch to
 * another user when the caller may `impersonate` them (`kubectl --as`, `--as-group`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthorizationAttributes } from './rbac-authorizer.js';
import {
  AUTHENTICATED_GROUP,
  parseServiceAccountUser,
  serviceAccountUserInfo,
  type UserInfo,
} from './sandbox-identities.js';
import type { TokenIssuer } from './service-account-tokens.js';
import { statusFailure } from './api-messages.js';
import type { ObjectStore } from './store-types.js';

const SERVICE_ACCOUNT = { group: '', plural: 'serviceaccounts' };

export interface Authenticator {
  tokens: Readonly<Record<string, UserInfo>>;
  issuer: TokenIssuer;
  store: ObjectStore;
  /** The user of requests without a token. */
  anonymous: UserInfo;
}

function unauthorized(): Error {
  return statusFailure(401, 'Unauthorized', 'Unauthorized');
}

/**
 * The user a bearer token names.
 * @throws StatusError 401 for an unknown or expired token, or one whose ServiceAccount is gone.
 */
export function authenticate(headers: IncomingHttpHeaders, auth: Authenticator): UserInfo {
  const header = headers.authorization;
  if (header === undefined || header.trim() === '') return auth.anonymous;
  const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  if (token === undefined) throw unauthorized();
  const fixed = auth.tokens[token];
  if (fixed) return fixed;
  const sa = auth.issuer.verify(token);
  if (!sa) throw unauthorized();
  const current = auth.store.get(SERVICE_ACCOUNT, sa.namespace, sa.name);
  if (!current || current.metadata.uid !== sa.uid) throw unauthorized();
  return serviceAccountUserInfo(sa.namespace, sa.name);
}

function headerValues(headers: IncomingHttpHeaders, name: string): string[] {
  const raw = headers[name];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * The user after impersonation headers, each impersonation authorized for the caller
 * (`impersonate` on users, groups or the ServiceAccount).
 * @throws StatusError 403 (via `authorize`) when the caller may not impersonate.
 */
export function impersonate(
  headers: IncomingHttpHeaders,
  caller: UserInfo,
  authorize: (attrs: AuthorizationAttributes) => void,
): UserInfo {
  const [user] = headerValues(headers, 'impersonate-user');
  const groups = headerValues(headers, 'impersonate-group');
  if (user === undefined) {
    if (groups.length > 0) {
      throw statusFailure(
        500,
        'InternalError',
        'Internal error occurred: requested impersonation of groups without a user',
      );
    }
    return caller;
  }
  const check = (resource: string, name: string, namespace?: string): void =>
    authorize({
      resourceRequest: true,
      user: caller,
      verb: 'impersonate',
      group: '',
      resource,
      name,
      ...(namespace ? { namespace } : {}),
    });
  const sa = parseServiceAccountUser(user);
  let impersonatedGroups = [...groups];
  if (sa) {
    check('serviceaccounts', sa.name, sa.namespace);
    if (groups.length === 0) impersonatedGroups = [...serviceAccountUserInfo(sa.namespace, sa.name).groups];
  } else {
    check('users', user);
  }
  for (const group of groups) check('groups', group);
  if (user !== 'system:anonymous' && !impersonatedGroups.includes(AUTHENTICATED_GROUP)) {
    impersonatedGroups.push(AUTHENTICATED_GROUP);
  }
  return { name: user, groups: impersonatedGroups };
}
