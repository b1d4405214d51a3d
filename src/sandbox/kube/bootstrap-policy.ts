/**
 * The RBAC objects kube-apiserver reconciles at start (plugin/pkg/auth/authorizer/rbac/
 * bootstrappolicy), the few that matter here: `cluster-admin` bound to `system:masters`,
 * discovery and the public info paths for every authenticated user, and the self access
 * reviews (`kubectl auth can-i`) for everyone. Without them a ServiceAccount's kubectl could
 * not even read `/api`.
 */
import { CLUSTER_ROLE, CLUSTER_ROLE_BINDING, type PolicyRule } from './rbac-authorizer.js';
import type { KubeObject, ObjectStore } from './store-types.js';

const META = {
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
};

const PUBLIC_INFO = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

const ROLES: Record<string, PolicyRule[]> = {
  'cluster-admin': [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ],
  'system:discovery': [
    {
      nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', ...PUBLIC_INFO],
      verbs: ['get'],
    },
  ],
  'system:public-info-viewer': [{ nonResourceURLs: PUBLIC_INFO, verbs: ['get'] }],
  'system:basic-user': [
    {
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      verbs: ['create'],
    },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ],
};

const BINDINGS: Array<[string, string[]]> = [
  ['cluster-admin', ['system:masters']],
  ['system:discovery', ['system:authenticated']],
  ['system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']],
  ['system:basic-user', ['system:authenticated']],
];

/** Creates the bootstrap ClusterRoles and ClusterRoleBindings that are missing. */
export function ensureBootstrapPolicy(store: ObjectStore): void {
  for (const [name, rules] of Object.entries(ROLES)) {
    if (store.get(CLUSTER_ROLE, undefined, name)) continue;
    store.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, ...structuredClone(META) },
      rules,
    } as KubeObject);
  }
  for (const [name, groups] of BINDINGS) {
    if (store.get(CLUSTER_ROLE_BINDING, undefined, name)) continue;
    store.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, ...structuredClone(META) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
    } as KubeObject);
  }
}
