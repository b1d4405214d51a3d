/**
 * RBAC in the sandbox API server, driven by the real kubectl: ServiceAccount kubeconfigs (https,
 * so kubectl sends the token), Roles and bindings applied by the admin, the real 403 texts,
 * `kubectl auth can-i` (also `--as`), `kubectl create token`, and impersonation.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startApiServer, type RunningApiServer } from '../../../../src/sandbox/kube/api-server.js';
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import {
  ensureServiceAccount,
  serviceAccountKubeconfigYaml,
} from '../../../../src/sandbox/kube/service-account-kubeconfig.js';
import type { ObjectStore } from '../../../../src/sandbox/kube/store-types.js';
import { writeKubeconfig } from '../../../../src/sandbox/kube/write-kubeconfig.js';
import { seedEmojivoto } from './seed-objects.js';

const NS = 'emojivoto';
const BOT = 'system:serviceaccount:meshbot:bot';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('sandbox API server RBAC with kubectl', () => {
  let dir: string;
  let store: ObjectStore;
  let server: RunningApiServer;
  let admin: string;
  let bot: string;

  function run(kubeconfig: string, args: string[], input?: string): Promise<Result> {
    return new Promise((resolve) => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args],
        { timeout: 20_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  }
  const asAdmin = (...args: string[]) => run(admin, args);
  const asBot = (...args: string[]) => run(bot, args);
  const applyAsAdmin = (yaml: string) => run(admin, ['apply', '-f', '-'], yaml);

  async function botKubeconfig(name = 'bot'): Promise<string> {
    const file = path.join(dir, `${name}.kubeconfig`);
    await writeFile(
      file,
      serviceAccountKubeconfigYaml({
        server: server.httpsUrl,
        caPem: await server.servingCaPem(),
        namespace: 'meshbot',
        name,
        token: server.mintServiceAccountToken('meshbot', name),
      }),
    );
    return file;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshbot-rbac-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    store = createObjectStore();
    seedEmojivoto(store);
    ensureServiceAccount(store, 'meshbot', 'bot');
    server = await startApiServer({ store });
    admin = await writeKubeconfig({ server: server.url, path: path.join(dir, 'admin.kubeconfig') });
    bot = await botKubeconfig();
  });

  afterEach(async () => {
    await server.close();
    store.close();
  });

  it('denies a ServiceAccount without bindings with the real 403 text; discovery stays open', async () => {
    const pods = await asBot('get', 'pods', '-n', NS);
    expect(pods.code).not.toBe(0);
    expect(pods.stderr).toContain(
      `Error from server (Forbidden): pods is forbidden: User "${BOT}" cannot list resource "pods" in API group "" in the namespace "emojivoto"`,
    );
    const all = await asBot('get', 'deployments', '-A');
    expect(all.stderr).toContain(
      `deployments.apps is forbidden: User "${BOT}" cannot list resource "deployments" in API group "apps" at the cluster scope`,
    );
    const resources = await asBot('api-resources', '--api-group=rbac.authorization.k8s.io', '-o', 'name');
    expect(resources.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        'clusterrolebindings.rbac.authorization.k8s.io',
        'roles.rbac.authorization.k8s.io',
      ]),
    );
    const whoami = await asBot('auth', 'whoami', '-o', 'json');
    expect(JSON.parse(whoami.stdout)).toMatchObject({
      status: {
        userInfo: {
          username: BOT,
          groups: ['system:serviceaccounts', 'system:serviceaccounts:meshbot', 'system:authenticated'],
        },
      },
    });
    const metrics = await asBot('get', '--raw', '/metrics');
    expect(metrics.stderr).toContain(`forbidden: User "${BOT}" cannot get path "/metrics"`);
  });

  it('grants what Roles, ClusterRoles and their bindings say: namespaces, resourceNames, subresources', async () => {
    const applied = await applyAsAdmin(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: reader, namespace: ${NS} }
rules:
  - { apiGroups: [''], resources: [pods], verbs: [get, list, watch] }
  - { apiGroups: [''], resources: [configmaps], resourceNames: [allowed], verbs: [get] }
  - { apiGroups: [apps], resources: [deployments/scale], verbs: [get, patch, update] }
  - { apiGroups: [apps], resources: [deployments], verbs: [get] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: bot-reader, namespace: ${NS} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader }
subjects: [{ kind: ServiceAccount, name: bot, namespace: meshbot }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: allowed, namespace: ${NS} }
data: { a: b }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: other, namespace: ${NS} }
data: { a: b }
`);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('rolebinding.rbac.authorization.k8s.io/bot-reader created');

    expect((await asBot('get', 'pods', '-n', NS)).code).toBe(0);
    expect((await asBot('get', 'pods', '-n', 'default')).stderr).toContain('in the namespace "default"');
    expect((await asBot('get', 'configmap', 'allowed', '-n', NS)).code).toBe(0);
    expect((await asBot('get', 'configmap', 'other', '-n', NS)).stderr).toContain(
      `configmaps "other" is forbidden: User "${BOT}" cannot get resource "configmaps" in API group "" in the namespace "emojivoto"`,
    );
    // The list of configmaps has no name, so resourceNames never allow it.
    expect((await asBot('get', 'configmaps', '-n', NS)).code).not.toBe(0);
    const scaled = await asBot('scale', 'deployment/web', '--replicas=3', '-n', NS);
    expect(scaled.stderr).toBe('');
    // `deployments/scale` is not `deployments`: patching the deployment itself is refused.
    const patched = await asBot(
      'patch',
      'deployment',
      'web',
      '-n',
      NS,
      '-p',
      '{"metadata":{"labels":{"x":"y"}}}',
    );
    expect(patched.stderr).toContain('cannot patch resource "deployments" in API group "apps"');

    expect(
      (await asBot('auth', 'can-i', 'update', 'deployments', '--subresource=scale', '-n', NS)).stdout.trim(),
    ).toBe('yes');
    expect((await asBot('auth', 'can-i', 'delete', 'pods', '-n', NS)).stdout.trim()).toBe('no');
    const list = await asBot('auth', 'can-i', '--list', '-n', NS);
    expect(list.stdout).toMatch(/configmaps\s+\[\]\s+\[allowed\]\s+\[get\]/);
  });

  it('answers can-i for another user through the admin (--as), and refuses impersonation to others', async () => {
    await applyAsAdmin(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: slice-reader }
rules: [{ apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: bot-slice-reader }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: slice-reader }
subjects: [{ kind: Group, name: 'system:serviceaccounts:meshbot' }]
`);
    const canI = (...args: string[]) => asAdmin('auth', 'can-i', ...args, '--as', BOT);
    expect((await canI('list', 'endpointslices.discovery.k8s.io', '-A')).stdout.trim()).toBe('yes');
    expect((await canI('get', 'endpointslices.discovery.k8s.io', '-n', NS)).stdout.trim()).toBe('no');
    expect((await asAdmin('get', 'endpointslices', '-A', '--as', BOT)).code).toBe(0);
    expect((await asAdmin('get', 'pods', '-A', '--as', BOT)).stderr).toContain(`User "${BOT}" cannot list`);

    // With discovery cached (a 403 on discovery itself reads "unknown" in client-go).
    await asBot('api-resources');
    const impersonating = await asBot('get', 'pods', '--as', 'alice');
    expect(impersonating.stderr).toContain(
      `users "alice" is forbidden: User "${BOT}" cannot impersonate resource "users" in API group "" at the cluster scope`,
    );
  });

  it('says why when a binding names a role that does not exist', async () => {
    await applyAsAdmin(`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: dangling, namespace: ${NS} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: missing }
subjects: [{ kind: ServiceAccount, name: bot, namespace: meshbot }]
`);
    const pods = await asBot('get', 'pods', '-n', NS);
    expect(pods.stderr).toContain(
      'cannot list resource "pods" in API group "" in the namespace "emojivoto": RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found',
    );
  });

  it('prints RBAC kinds as kubectl does', async () => {
    const bindings = await asAdmin('get', 'clusterrolebindings', 'cluster-admin', '-o', 'wide');
    expect(bindings.stdout).toMatch(/^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS/);
    expect(bindings.stdout).toMatch(/cluster-admin\s+ClusterRole\/cluster-admin\s+\S+\s+system:masters/);
    const roles = await asAdmin('get', 'clusterroles', 'system:discovery');
    expect(roles.stdout).toMatch(/^NAME\s+CREATED AT\nsystem:discovery\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
  });

  it('mints ServiceAccount tokens (kubectl create token) that die with their ServiceAccount', async () => {
    await applyAsAdmin(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: bot-view-nodes }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-viewer }
subjects: [{ kind: ServiceAccount, name: bot, namespace: meshbot }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: node-viewer }
rules: [{ apiGroups: [''], resources: [nodes], verbs: [list] }]
`);
    const created = await asAdmin('create', 'token', 'bot', '-n', 'meshbot');
    expect(created.stderr).toBe('');
    const token = created.stdout.trim();
    const viaToken = await run(admin, [
      '--server',
      server.httpsUrl,
      '--insecure-skip-tls-verify',
      '--token',
      token,
      'get',
      'nodes',
    ]);
    expect(viaToken.stderr).toBe('No resources found\n');
    expect(viaToken.code).toBe(0);

    // client-node, with the kubeconfig's CA, is the same ServiceAccount.
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(bot);
    await expect(kc.makeApiClient(k8s.CoreV1Api).listNode()).resolves.toBeDefined();
    await expect(
      kc.makeApiClient(k8s.CoreV1Api).listNamespacedSecret({ namespace: NS }),
    ).rejects.toMatchObject({
      code: 403,
    });

    expect((await asAdmin('delete', 'serviceaccount', 'bot', '-n', 'meshbot')).code).toBe(0);
    const gone = await asBot('get', 'nodes');
    expect(gone.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });
});
