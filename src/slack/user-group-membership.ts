import type { UserGroupMembership } from './authorize.js';

/** The one Web API call this needs; Bolt's WebClient satisfies it. */
export interface UserGroupsClient {
  usergroups: {
    users: {
      list(args: { usergroup: string }): Promise<{ ok?: boolean; users?: string[] }>;
    };
  };
}

/**
 * User-group membership from `usergroups.users.list`, cached for `ttlMs` so a burst of
 * clicks costs one call per group. A failed lookup denies (and is not cached).
 */
export function createUserGroupMembership(
  client: UserGroupsClient,
  ttlMs = 60_000,
  now = Date.now,
): UserGroupMembership {
  const cache = new Map<string, { at: number; users: Promise<Set<string>> }>();
  return {
    async isMember(userId, userGroupId) {
      const hit = cache.get(userGroupId);
      let users: Promise<Set<string>>;
      if (hit && now() - hit.at < ttlMs) {
        users = hit.users;
      } else {
        users = client.usergroups.users.list({ usergroup: userGroupId }).then((r) => new Set(r.users ?? []));
        cache.set(userGroupId, { at: now(), users });
      }
      try {
        return (await users).has(userId);
      } catch {
        cache.delete(userGroupId);
        return false;
      }
    },
  };
}
