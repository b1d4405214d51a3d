/**
 * Our manifests, proven: `kubectl kustomize manifests/base | kubectl apply -f -` against the
 * sandbox (real kubectl, validation on), then every meshbot command as the `meshbot`
 * ServiceAccount with exactly the shipped RBAC:
 * 1. no request is refused, and every permission the manifests grant is used by a command
 *    (the API server's audit hook says which requests each command made);
 * 2. with one permission removed at a time, the command that used it fails and names it.
 * Commands come from meshbot-commands.ts; docs/rbac.md lists each rule and its commands.
 *
 * The removals run concurrently (a bounded few at once): each as its own ServiceAccount, bound
 * as the shipped bindings bind `meshbot`, to copies of the shipped roles with that one
 * permission taken out, so one removal never shows in another's runs. A command that changes
 * the cluster never overlaps one that reads or changes the same part (STATE below), and two such
 * runs keep the sequential order: each sees the cluster as it would run alone.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { AuditEvent } from '../../../src/sandbox/kube/api-server.js';
import {
  CLUSTER_ROLE,
  CLUSTER_ROLE_BINDING,
  ROLE,
  ROLE_BINDING,
  ruleAllows,
  type AuthorizationAttributes,
  type PolicyRule,
} from '../../../src/sandbox/kube/rbac-authorizer.js';
import type { KindRef, KubeObject } from '../../../src/sandbox/kube/store-types.js';
import { startMetricsRig, type MetricsRig } from '../metrics/metrics-rig.js';
import { runApart, EVERYTHING, type TaskKeys } from '../../support/run-apart.js';
import { ownResources } from '../../support/owned-resources.js';
import {
  manifestsScenario,
  MESHBOT_COMMANDS,
  runMeshbotCommand,
  type CommandContext,
  type MeshbotCommand,
} from './meshbot-commands.js';

const SA_USER = 'system:serviceaccount:meshbot:meshbot';

/** Runs of the removal cases at once: enough to overlap the commands' waits on 2 cores. */
const REMOVAL_CONCURRENCY = 4;

/**
 * What each command reads and changes in the sandbox, by name, so that concurrent runs never
 * see another's changes halfway: `web` (Deployment web, its pods and events), `cache` (the
 * StatefulSet), `destination` (the control plane), `lease`, `report-state`. A command missing
 * here changes everything: it runs alone.
 */
const STATE: Readonly<Record<string, TaskKeys>> = {
  'meshbot endpoints web-svc.emojivoto (through the port-forward)': {
    reads: ['web', 'destination'],
    writes: [],
  },
  'meshbot check': { reads: ['destination'], writes: [] },
  'meshbot clusters (GET /version, linkerd-config)': { reads: ['destination'], writes: [] },
  'meshbot check --proxy': { reads: ['web', 'cache', 'destination'], writes: [] },
  'meshbot metrics web-svc.emojivoto': { reads: ['web'], writes: [] },
  'meshbot scale-test web-svc.emojivoto --yes (the service: its pods name the workload)': {
    reads: ['destination'],
    writes: ['web'],
  },
  'meshbot scale-test statefulset/cache.emojivoto --yes': { reads: ['destination'], writes: ['cache'] },
  'meshbot scale-test deploy/web.emojivoto --yes': { reads: ['destination'], writes: ['web'] },
  'meshbot routes svc/web-svc.emojivoto': { reads: ['web'], writes: [] },
  'meshbot metrics (the destination controller, cluster-wide)': { reads: ['destination'], writes: [] },
  'meshbot events deploy/web.emojivoto': { reads: ['web'], writes: [] },
  'meshbot restart deploy/linkerd-destination.linkerd --yes': { reads: [], writes: ['destination'] },
  'meshbot runbook service-errors web-svc.emojivoto --yes': {
    reads: ['web', 'cache', 'destination'],
    writes: [],
  },
  'meshbot sweep (every namespace, with the control plane)': {
    reads: ['web', 'cache', 'destination'],
    writes: [],
  },
  'meshbot tap deploy/web.emojivoto --duration 1s (linkerd-viz tap, an aggregated API)': {
    reads: ['web'],
    writes: [],
  },
  'meshbot tap statefulset/cache.emojivoto --duration 1s': { reads: ['cache'], writes: [] },
  'meshbot tap ds/node-agent.emojivoto --duration 1s --max 1': { reads: [], writes: [] },
  'meshbot tap pod/cache-0.emojivoto --duration 1s --max 1': { reads: ['cache'], writes: [] },
  'meshbot tap ns/emojivoto --duration 1s --max 1': { reads: ['web', 'cache'], writes: [] },
  'meshbot proxy-logs deploy/web.emojivoto': { reads: ['web'], writes: [] },
  'meshbot proxy-log-level deploy/web.emojivoto debug --yes (stopped at once)': {
    reads: [],
    writes: ['web'],
  },
  'serve: leader election (Lease meshbot/meshbot-scheduler: created, taken, released)': {
    reads: [],
    writes: ['lease'],
  },
  'serve: report state (ConfigMap meshbot/meshbot-report-state: created, read, replaced)': {
    reads: [],
    writes: ['report-state'],
  },
  'serve: scale-test recovery (watch Deployments and StatefulSets, every namespace)': {
    reads: ['web', 'cache'],
    writes: [],
  },
};

function stateOf(command: MeshbotCommand): TaskKeys {
  return STATE[command.name] ?? { reads: [], writes: [EVERYTHING] };
}

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
  const owned = ownResources();

  /** The shipped bindings of the ServiceAccount, each with the role it names. */
  function shippedBindings(): Array<{ binding: KubeObject; role: KubeObject }> {
    const out: Array<{ binding: KubeObject; role: KubeObject }> = [];
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
      out.push({ binding, role });
    }
    return out;
  }

  function roleLabel(role: KubeObject): string {
    return role.kind === 'Role'
      ? `Role/${role.metadata.namespace}/${role.metadata.name}`
      : `ClusterRole/${role.metadata.name}`;
  }

  /** A role's rules, one per verb, resource and name (the namespace is the binding's). */
  function atomsOf(role: KubeObject): Array<Omit<Grant, 'role' | 'namespace'>> {
    const out: Array<Omit<Grant, 'role' | 'namespace'>> = [];
    for (const rule of (role['rules'] ?? []) as PolicyRule[]) {
      for (const group of rule.apiGroups ?? [])
        for (const resource of rule.resources ?? [])
          for (const verb of rule.verbs)
            for (const resourceName of rule.resourceNames?.length ? rule.resourceNames : [undefined]) {
              out.push({ group, resource, verb, ...(resourceName ? { resourceName } : {}) });
            }
    }
    return out;
  }

  /** The permissions manifests/base grants the ServiceAccount, one per verb, resource and name. */
  function shippedGrants(): Grant[] {
    return shippedBindings().flatMap(({ binding, role }) => {
      const bindingNs = binding.metadata.namespace;
      return atomsOf(role).map((atom) => ({
        role: roleLabel(role),
        ...(binding.kind === 'RoleBinding' && bindingNs ? { namespace: bindingNs } : {}),
        ...atom,
      }));
    });
  }

  /**
   * A ServiceAccount with the shipped RBAC less one permission: `meshbot/NAME`, bound as every
   * shipped binding binds `meshbot`, the grant's role replaced by a copy without it (in every
   * binding of that role, as removing the rule from the shipped role would). Its kubeconfig,
   * and a function that deletes what was created.
   */
  async function accountWithout(grant: Grant, name: string): Promise<{ kubeconfig: string; remove(): void }> {
    const store = rig.sandbox.store;
    const created: Array<{ spec: KindRef; namespace?: string; name: string }> = [];
    const create = (spec: KindRef, obj: KubeObject): void => {
      store.create(obj);
      created.push({
        spec,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        name: obj.metadata.name,
      });
    };
    const remove = (): void => {
      for (const o of created.splice(0).reverse()) store.delete(o.spec, o.namespace, o.name);
    };
    try {
      create({ group: '', plural: 'serviceaccounts' }, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace: 'meshbot' },
      } as KubeObject);
      const kubeconfig = path.join(dir, `${name}.kubeconfig`);
      await writeFile(kubeconfig, await rig.sandbox.kubeconfigFor('meshbot', name));
      const same = (a: Omit<Grant, 'role' | 'namespace'>) =>
        a.group === grant.group &&
        a.resource === grant.resource &&
        a.verb === grant.verb &&
        a.resourceName === grant.resourceName;
      const copies = new Map<KubeObject, string>();
      for (const { binding, role } of shippedBindings()) {
        let roleName = role.metadata.name;
        if (roleLabel(role) === grant.role) {
          roleName = `${role.metadata.name}-${name}`;
          if (!copies.has(role)) {
            copies.set(role, roleName);
            create(role.kind === 'Role' ? ROLE : CLUSTER_ROLE, {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: role.kind,
              metadata: {
                name: roleName,
                ...(role.metadata.namespace ? { namespace: role.metadata.namespace } : {}),
              },
              rules: atomsOf(role)
                .filter((a) => !same(a))
                .map((a) => ruleOf({ ...a, role: grant.role })),
            } as KubeObject);
          }
        }
        const ref = binding['roleRef'] as { apiGroup: string; kind: string; name: string };
        create(binding.kind === 'RoleBinding' ? ROLE_BINDING : CLUSTER_ROLE_BINDING, {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: binding.kind,
          metadata: {
            name: `${binding.metadata.name}-${name}`,
            ...(binding.metadata.namespace ? { namespace: binding.metadata.namespace } : {}),
          },
          subjects: [{ kind: 'ServiceAccount', name, namespace: 'meshbot' }],
          roleRef: { ...ref, name: roleName },
        } as KubeObject);
      }
      if (copies.size === 0) throw new Error(`no shipped binding names ${grant.role}`);
      return { kubeconfig, remove };
    } catch (err) {
      remove();
      throw err;
    }
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
    rig = await owned.own(
      startMetricsRig(manifestsScenario(), {
        sandbox: {
          apiAudit: (event) => {
            if (current && event.attributes.user.name === SA_USER) audit.push({ command: current, event });
          },
        },
      }),
      (r) => r.stop(),
    );
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
    ctx = {
      kubeconfig,
      prometheusUrl: rig.prometheus.url,
      // The store itself, as the admin would through the API (no kubectl process per run).
      deleteAsAdmin: async (kind, namespace, name) => {
        const ref =
          kind === 'lease'
            ? { group: 'coordination.k8s.io', plural: 'leases' }
            : { group: '', plural: 'configmaps' };
        if (rig.sandbox.store.get(ref, namespace, name)) rig.sandbox.store.delete(ref, namespace, name);
      },
    };
    outputs = await runAll();
    // A sandbox, Prometheus, kubectl twice and every command once: 15 s idle, more under load.
  }, 120_000);

  afterAll(async () => {
    await owned.stopAll();
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
    const problems: string[] = [];
    /** Every command that used the permission with the shipped RBAC, each run once without it. */
    const usersOf = (g: Grant): MeshbotCommand[] => {
      const used = new Set(
        audit.filter((a) => a.event.allowed && grants(g, a.event.attributes)).map((a) => a.command),
      );
      return MESHBOT_COMMANDS.filter((c) => used.has(c.name));
    };
    const cases = shippedGrants().flatMap((grant, i) => {
      const users = usersOf(grant);
      if (users.length === 0) problems.push(`${describeGrant(grant)}: no command used it`);
      return users.length === 0 ? [] : [{ grant, users, account: `meshbot-without-${i}` }];
    });
    // In the sequential order: two runs that conflict keep it (the later one waits), so each
    // sees the state it would have seen run alone; only runs that cannot disturb each other overlap.
    const runs = cases.flatMap(({ grant, users, account }) =>
      users.map((command) => ({ grant, command, account })),
    );
    const accounts = new Map<string, Promise<{ kubeconfig: string; remove(): void }>>();
    const left = new Map<string, number>();
    for (const r of runs) left.set(r.account, (left.get(r.account) ?? 0) + 1);
    await runApart(
      runs.map(({ grant, command, account }) => ({
        ...stateOf(command),
        run: async () => {
          if (!accounts.has(account)) accounts.set(account, accountWithout(grant, account));
          const { kubeconfig, remove } = await accounts.get(account)!;
          try {
            const run = await runMeshbotCommand(command, { ...ctx, kubeconfig });
            const names = `RBAC permission "${grant.verb}" on "${grant.resource}"`;
            // JSON output escapes the quotes.
            const failed = run.code !== 0 || warnsOnly(grant, command);
            if (!failed || !run.output.replaceAll('\\"', '"').includes(names)) {
              problems.push(
                `${describeGrant(grant)}: ${command.name} exited ${run.code} without naming ${names}: ${run.output.replace(/\s+/g, ' ').slice(0, 600)}`,
              );
            }
          } finally {
            const n = left.get(account)! - 1;
            left.set(account, n);
            if (n === 0) remove();
          }
        },
      })),
      REMOVAL_CONCURRENCY,
    );
    expect(problems).toEqual([]);
  }, 120_000);
});
