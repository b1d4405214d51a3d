/**
 * Our manifests, proven: `kubectl kustomize manifests/base | kubectl apply -f -` against the
 * sandbox (real kubectl, validation on), then every meshbot command as the `meshbot`
 * ServiceAccount with exactly the shipped RBAC:
 * 1. no request is refused, and every permission the manifests grant is used by a command
 *    (the API server's audit hook says which requests each command made);
 * 2. with one permission removed at a time, the command that used it fails and names it.
 * Commands come from meshbot-commands.ts; docs/rbac.md lists each rule and its commands.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { AuditEvent } from '../../../src/sandbox/kube/api-server.js';
import {
  CLUSTER_ROLE,
  ROLE,
  ruleAllows,
  type AuthorizationAttributes,
  type PolicyRule,
} from '../../../src/sandbox/kube/rbac-authorizer.js';
import type { KubeObject } from '../../../src/sandbox/kube/store-types.js';
import { startMetricsRig, type MetricsRig } from '../metrics/metrics-rig.js';
import {
  manifestsScenario,
  MESHBOT_COMMANDS,
  runMeshbotCommand,
  type CommandContext,
  type MeshbotCommand,
} from './meshbot-commands.js';

const SA_USER = 'system:serviceaccount:meshbot:meshbot';

/**
 * Permissions whose absence a command reports without failing, by the command's name prefix:
 * the scale test's start-up scan that restores tests a crash interrupted (it lists Deployments
 * and StatefulSets) warns, naming the permission, and goes on.
 */
const WARNS_ONLY: ReadonlyArray<[grant: string, commandPrefix: string]> = [
  ['list apps/statefulsets (ClusterRole/meshbot-read)', 'meshbot scale-test '],
  ['list apps/deployments (ClusterRole/meshbot-read)', 'meshbot scale-test '],
];

function warnsOnly(g: Grant, command: MeshbotCommand): boolean {
  return WARNS_ONLY.some(([grant, prefix]) => grant === describeGrant(g) && command.name.startsWith(prefix));
}

/** One permission: a verb on one resource (and name), in a namespace or cluster-wide. */
interface Grant {
  /** The role holding it: `ClusterRole/meshbot-read`, `Role/linkerd/meshbot-linkerd`. */
  role: string;
  /** The RoleBinding's namespace; undefined through a ClusterRoleBinding. */
  namespace?: string;
  group: string;
  resource: string;
  verb: string;
  resourceName?: string;
}

function describeGrant(g: Grant): string {
  const where = g.namespace ? ` in ${g.namespace}` : '';
  const name = g.resourceName ? `/${g.resourceName}` : '';
  return `${g.verb} ${g.group ? `${g.group}/` : ''}${g.resource}${name}${where} (${g.role})`;
}

function ruleOf(g: Grant): PolicyRule {
  return {
    verbs: [g.verb],
    apiGroups: [g.group],
    resources: [g.resource],
    ...(g.resourceName ? { resourceNames: [g.resourceName] } : {}),
  };
}

function grants(g: Grant, attrs: AuthorizationAttributes): boolean {
  if (!attrs.resourceRequest) return false;
  if (g.namespace !== undefined && attrs.namespace !== g.namespace) return false;
  return ruleAllows(attrs, ruleOf(g));
}

function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', args, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

describe('manifests/base applied to the sandbox: meshbot as its ServiceAccount', () => {
  let dir: string;
  let rig: MetricsRig;
  let ctx: CommandContext;
  let manifests: KubeObject[];
  /** Requests of the ServiceAccount, by the command that made them. */
  const audit: Array<{ command: string; event: AuditEvent }> = [];
  let current = '';
  /** What each command printed, run once with the shipped RBAC. */
  let outputs: Record<string, string> = {};
  /** Their exit codes, by command. */
  const codes: Record<string, number> = {};

  /** The permissions manifests/base grants the ServiceAccount, one per verb, resource and name. */
  function shippedGrants(): Grant[] {
    const out: Grant[] = [];
    for (const binding of manifests.filter(
      (o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding',
    )) {
      const subjects = (binding['subjects'] ?? []) as Array<{
        kind: string;
        name: string;
        namespace?: string;
      }>;
      const bindingNs = binding.metadata.namespace;
      if (
        !subjects.some(
          (s) =>
            s.kind === 'ServiceAccount' && s.name === 'meshbot' && (s.namespace ?? bindingNs) === 'meshbot',
        )
      ) {
        continue;
      }
      const ref = binding['roleRef'] as { kind: string; name: string };
      const role = manifests.find(
        (o) =>
          o.kind === ref.kind &&
          o.metadata.name === ref.name &&
          (ref.kind === 'ClusterRole' || o.metadata.namespace === bindingNs),
      );
      if (!role)
        throw new Error(`${binding.kind} ${binding.metadata.name} names a missing ${ref.kind} ${ref.name}`);
      const roleName =
        role.kind === 'Role'
          ? `Role/${role.metadata.namespace}/${role.metadata.name}`
          : `ClusterRole/${role.metadata.name}`;
      for (const rule of (role['rules'] ?? []) as PolicyRule[]) {
        for (const group of rule.apiGroups ?? [])
          for (const resource of rule.resources ?? [])
            for (const verb of rule.verbs)
              for (const resourceName of rule.resourceNames?.length ? rule.resourceNames : [undefined]) {
                out.push({
                  role: roleName,
                  ...(binding.kind === 'RoleBinding' && bindingNs ? { namespace: bindingNs } : {}),
                  group,
                  resource,
                  verb,
                  ...(resourceName ? { resourceName } : {}),
                });
              }
      }
    }
    return out;
  }

  async function runAll(): Promise<Record<string, string>> {
    const outputs: Record<string, string> = {};
    for (const command of MESHBOT_COMMANDS) {
      current = command.name;
      const run = await runMeshbotCommand(command, ctx);
      outputs[command.name] = run.output;
      codes[command.name] = run.code;
    }
    current = '';
    return outputs;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshbot-manifests-'));
    rig = await startMetricsRig(manifestsScenario(), {
      sandbox: {
        apiAudit: (event) => {
          if (current && event.attributes.user.name === SA_USER) audit.push({ command: current, event });
        },
      },
    });
    const built = await kubectl(['kustomize', 'manifests/base']);
    expect(built.stderr).toBe('');
    manifests = YAML.parseAllDocuments(built.stdout).map((d) => d.toJSON() as KubeObject);
    const applied = await kubectl(
      ['--kubeconfig', rig.sandbox.kubeconfig, '--cache-dir', path.join(dir, 'cache'), 'apply', '-f', '-'],
      built.stdout,
    );
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('clusterrolebinding.rbac.authorization.k8s.io/meshbot-read created');
    const kubeconfig = path.join(dir, 'meshbot.kubeconfig');
    await writeFile(kubeconfig, await rig.sandbox.kubeconfigFor('meshbot', 'meshbot'));
    const admin = ['--kubeconfig', rig.sandbox.kubeconfig, '--cache-dir', path.join(dir, 'cache')];
    ctx = {
      kubeconfig,
      prometheusUrl: rig.prometheus.url,
      deleteAsAdmin: async (kind, namespace, name) => {
        const deleted = await kubectl([
          ...admin,
          '-n',
          namespace,
          'delete',
          kind,
          name,
          '--ignore-not-found',
        ]);
        if (deleted.code !== 0)
          throw new Error(`kubectl delete ${kind} ${namespace}/${name}: ${deleted.stderr}`);
      },
    };
    outputs = await runAll();
  });

  afterAll(async () => {
    await rig?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs every command with no 403, and every shipped permission is used by one', () => {
    const denied = audit
      .filter((a) => !a.event.allowed)
      .map((a) => `${a.command}: ${JSON.stringify(a.event.attributes)}`);
    expect(denied).toEqual([]);
    for (const [name, output] of Object.entries(outputs)) {
      expect(`${name}: ${output}`).not.toMatch(/forbid|RBAC permission/i);
    }
    // 0 or 1 is a verdict (the sandbox's pods may warn); 2 is usage, 3 "could not ask".
    const notRun = Object.entries(codes).filter(([, code]) => code !== 0 && code !== 1);
    expect(notRun).toEqual([]);
    const unused = shippedGrants()
      .filter((g) => !audit.some((a) => grants(g, a.event.attributes)))
      .map(describeGrant);
    expect(unused).toEqual([]);
  });

  it('applies the same manifests server-side (kubectl apply --server-side -k), with no conflict', async () => {
    const applied = await kubectl([
      '--kubeconfig',
      rig.sandbox.kubeconfig,
      '--cache-dir',
      path.join(dir, 'cache'),
      'apply',
      '--server-side',
      '-k',
      'manifests/base',
    ]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('clusterrole.rbac.authorization.k8s.io/meshbot-read serverside-applied');
    const role = rig.sandbox.store.get(CLUSTER_ROLE, undefined, 'meshbot-read')!;
    expect((role.metadata['managedFields'] as Array<{ manager: string }>).map((m) => m.manager)).toContain(
      'kubectl',
    );
  });

  it('fails every command that needs a permission, naming it, when that one permission is removed', async () => {
    const store = rig.sandbox.store;
    const problems: string[] = [];
    /** Every command that used the permission with the shipped RBAC, each run once without it. */
    const usersOf = (g: Grant): MeshbotCommand[] => {
      const used = new Set(
        audit.filter((a) => a.event.allowed && grants(g, a.event.attributes)).map((a) => a.command),
      );
      return MESHBOT_COMMANDS.filter((c) => used.has(c.name));
    };
    const all = shippedGrants();
    for (const grant of all) {
      const users = usersOf(grant);
      if (users.length === 0) {
        problems.push(`${describeGrant(grant)}: no command used it`);
        continue;
      }
      const [kind, ...rest] = grant.role.split('/');
      const spec = kind === 'Role' ? ROLE : CLUSTER_ROLE;
      const roleNs = kind === 'Role' ? rest[0] : undefined;
      const roleName = rest[rest.length - 1]!;
      const original = store.get(spec, roleNs, roleName)!;
      const others = all.filter((g) => g.role === grant.role && g !== grant).map(ruleOf);
      store.update({ ...original, rules: others, metadata: { ...original.metadata } } as KubeObject);
      try {
        for (const command of users) {
          const run = await runMeshbotCommand(command, ctx);
          const names = `RBAC permission "${grant.verb}" on "${grant.resource}"`;
          // JSON output escapes the quotes.
          const failed = run.code !== 0 || warnsOnly(grant, command);
          if (!failed || !run.output.replaceAll('\\"', '"').includes(names)) {
            problems.push(
              `${describeGrant(grant)}: ${command.name} exited ${run.code} without naming ${names}: ${run.output.replace(/\s+/g, ' ').slice(0, 600)}`,
            );
          }
        }
      } finally {
        const now = store.get(spec, roleNs, roleName)!;
        store.update({
          ...original,
          metadata: { ...original.metadata, resourceVersion: now.metadata.resourceVersion },
        } as KubeObject);
      }
    }
    expect(problems).toEqual([]);
    // Every command once per permission it uses (40 s measured at load 16 on 2 cores).
  }, 120_000);
});
