/**
 * Who calls the sandbox API server. Bearer tokens name users, as a real cluster's tokens do:
 * - SANDBOX_TOKEN, what `writeKubeconfig` writes by default: the sandbox's admin kubeconfig.
 *   Its user keeps the name meshbot's tests have always seen (MESHBOT_USER) and is in the
 *   group `system:masters`, so RBAC never limits it (only scenario access rules can);
 * - CONTROL_PLANE_TOKEN, the sandbox's own components (the simulated destination controller),
 *   also `system:masters`, so rules meant for meshbot never blind the simulated control plane;
 * - ServiceAccount tokens minted by service-account-tokens.ts, which RBAC does limit.
 */
export const SANDBOX_TOKEN = 'meshbot-sandbox-token';
export const MESHBOT_USER = 'system:serviceaccount:linkerd:meshbot';

export const CONTROL_PLANE_TOKEN = 'meshbot-sandbox-control-plane-token';
export const CONTROL_PLANE_USER = 'system:serviceaccount:linkerd:linkerd-destination';

/** The group RBAC never limits (kube-apiserver's privileged group). */
export const MASTERS_GROUP = 'system:masters';
export const AUTHENTICATED_GROUP = 'system:authenticated';

/** An authenticated caller, as kube-apiserver's user.Info. */
export interface UserInfo {
  name: string;
  groups: readonly string[];
}

export const DEFAULT_TOKENS: Readonly<Record<string, UserInfo>> = {
  [SANDBOX_TOKEN]: { name: MESHBOT_USER, groups: [MASTERS_GROUP, AUTHENTICATED_GROUP] },
  [CONTROL_PLANE_TOKEN]: { name: CONTROL_PLANE_USER, groups: [MASTERS_GROUP, AUTHENTICATED_GROUP] },
};

/** `system:serviceaccount:NS:NAME` */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** A ServiceAccount's user with its groups (`system:serviceaccounts`, `...:NS`, `system:authenticated`). */
export function serviceAccountUserInfo(namespace: string, name: string): UserInfo {
  return {
    name: serviceAccountUser(namespace, name),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, AUTHENTICATED_GROUP],
  };
}

/** Namespace and name of a `system:serviceaccount:NS:NAME` user, else undefined. */
export function parseServiceAccountUser(user: string): { namespace: string; name: string } | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  return m?.[1] && m[2] ? { namespace: m[1], name: m[2] } : undefined;
}
