/**
 * Kubeconfigs that act as a ServiceAccount of the sandbox, as a Pod using that
 * ServiceAccount would (RBAC decides what they may do): what `meshbot sandbox --kubeconfig-as`
 * and the admin API's `POST /kubeconfigs/NS/NAME` hand out.
 */
import { kubeconfigYaml } from './write-kubeconfig.js';
import type { KubeObject, ObjectStore } from './store-types.js';

const NAMESPACE = { group: '', plural: 'namespaces' };
const SERVICE_ACCOUNT = { group: '', plural: 'serviceaccounts' };

/** Creates the namespace and the ServiceAccount when missing (as `kubectl create sa` would). */
export function ensureServiceAccount(store: ObjectStore, namespace: string, name: string): void {
  if (!store.get(NAMESPACE, undefined, namespace)) {
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as KubeObject);
  }
  if (!store.get(SERVICE_ACCOUNT, namespace, name)) {
    store.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } } as KubeObject);
  }
}

/** The context (and cluster and user) name of a ServiceAccount's kubeconfig. */
export function serviceAccountContext(namespace: string, name: string): string {
  return `meshbot-sandbox-${namespace}-${name}`;
}

/**
 * Kubeconfig YAML for the ServiceAccount with the given token, its namespace the default.
 * The server must be https (with its CA): kubectl sends tokens to https servers only.
 */
export function serviceAccountKubeconfigYaml(opts: {
  server: string;
  caPem: string;
  namespace: string;
  name: string;
  token: string;
}): string {
  return kubeconfigYaml({
    server: opts.server,
    caPem: opts.caPem,
    token: opts.token,
    name: serviceAccountContext(opts.namespace, opts.name),
    namespace: opts.namespace,
  });
}
