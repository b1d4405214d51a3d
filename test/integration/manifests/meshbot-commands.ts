/**
 * Every meshbot command that talks to a cluster, as the manifests test runs it: in process,
 * with a kubeconfig given, JSON output captured. The test runs each as the meshbot
 * ServiceAccount with exactly the shipped RBAC (manifests/base).
 *
 * A new command is one more entry here; the test then fails until manifests/base grants what
 * it uses (403) and docs/rbac.md lists the rule, and it fails for any rule no command uses.
 * `serve` itself is not run: its steps are the commands', and its own Kubernetes state (the
 * leader-election Lease, the report state ConfigMap) is covered by two entries that drive the
 * leader elector and the state store as the ServiceAccount.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { runCheckCommand } from '../../../src/cli/commands/check.js';
import { runClustersCommand } from '../../../src/cli/commands/clusters.js';
import { runEndpointsCommand } from '../../../src/cli/commands/endpoints.js';
import { runEventsCommand } from '../../../src/cli/commands/events.js';
import { runMetricsCommand } from '../../../src/cli/commands/metrics.js';
import { runRestartCommand } from '../../../src/cli/commands/restart.js';
import { runRunbookCommand } from '../../../src/cli/commands/runbook.js';
import { runRoutesCommand } from '../../../src/cli/commands/routes.js';
import { runScaleTestCommand } from '../../../src/cli/commands/scale-test.js';
import { reportError } from '../../../src/cli/command-io.js';
import { openAdapters } from '../../../src/adapters/open-adapters.js';
import { watchScaleTestRecords } from '../../../src/steps/scale-test/watch-scale-test-records.js';
import { startWorkloadReflector } from '../../../src/adapters/kube/workload-reflector.js';
import { createConfigMapClient } from '../../../src/adapters/kube/config-map-client.js';
import { createKubeCore, type KubeCore } from '../../../src/adapters/kube/kube-core.js';
import { createLeaseClient } from '../../../src/adapters/kube/lease-client.js';
import { loadKubeConfig } from '../../../src/adapters/kube/load-kubeconfig.js';
import { createLeaderElector } from '../../../src/drift/leader-election.js';
import { createReportStateStore, DEFAULT_STATE_CONFIGMAP } from '../../../src/drift/report-state-store.js';
import { runSweepCommand } from '../../../src/cli/commands/sweep.js';
import { runTapCommand } from '../../../src/cli/commands/tap.js';
import { NODE_AGENT } from '../tap/tap-sandbox.js';
import { runProxyLogsCommand } from '../../../src/cli/commands/proxy-logs.js';
import { runProxyLogLevelCommand } from '../../../src/cli/commands/proxy-log-level.js';
import type { CommandIO } from '../../../src/cli/command-io.js';

/**
 * The scenario the commands run against: emojivoto, plus a meshed StatefulSet `cache` behind
 * `cache-svc`, so the scale test's StatefulSet permissions are exercised too, and a meshed
 * DaemonSet `node-agent` for tap's daemonsets/tap. Deleted pods go at once (no terminating
 * second): the test runs commands back to back, and a StatefulSet's next pod cannot take the
 * name of one still terminating.
 */
export function manifestsScenario(): Record<string, unknown> {
  const scenario = YAML.parse(readFileSync('scenarios/emojivoto.yaml', 'utf8')) as Record<string, unknown[]>;
  return {
    ...scenario,
    name: 'emojivoto-with-statefulset',
    terminationDelayMs: 0,
    objects: [...(scenario['objects'] ?? []), NODE_AGENT],
    statefulsets: [
      {
        name: 'cache',
        namespace: 'emojivoto',
        replicas: 1,
        labels: { app: 'cache-svc' },
        meshed: true,
        containerPorts: [{ name: 'redis', port: 6379 }],
      },
    ],
    services: [
      ...(scenario['services'] ?? []),
      {
        name: 'cache-svc',
        namespace: 'emojivoto',
        selector: { app: 'cache-svc' },
        ports: [{ name: 'redis', port: 6379, targetPort: 6379 }],
      },
    ],
  };
}

export interface CommandRun {
  code: number;
  /** stdout and stderr together. */
  output: string;
}

export interface CommandContext {
  kubeconfig: string;
  prometheusUrl: string;
  /** Deletes an object as the sandbox's admin (absent is fine): a run starts from a fresh install. */
  deleteAsAdmin(kind: 'lease' | 'configmap', namespace: string, name: string): Promise<void>;
}

export interface MeshbotCommand {
  /** As a user types it. */
  name: string;
  run(ctx: CommandContext, io: CommandIO): Promise<number>;
}

/** `meshbot scale-test TARGET --yes`, with Prometheus by URL. */
function scaleTest(target: string, name: string): MeshbotCommand {
  return {
    name,
    run: (ctx, io) =>
      runScaleTestCommand(
        target,
        { kubeconfig: ctx.kubeconfig, prometheus: ctx.prometheusUrl, yes: true, output: 'json' },
        { ...io, requestedBy: 'cli:manifests-test' },
      ),
  };
}

/** meshbot's namespace in manifests/base: the Lease and the report state live there. */
const MESHBOT_NAMESPACE = 'meshbot';
/** The default `leaderElection.leaseName`. */
const LEASE_NAME = 'meshbot-scheduler';

function kubeCoreAs(ctx: CommandContext): KubeCore {
  const { kubeConfig } = loadKubeConfig({ kubeconfig: ctx.kubeconfig });
  return createKubeCore(kubeConfig, { requestTimeoutMs: 8_000 });
}

/**
 * `serve`'s leader election as the scheduled reports run it: take the Lease (created when
 * absent, as on a fresh install), then release it on stop. Fails with the first error.
 */
const leaderElection: MeshbotCommand = {
  name: `serve: leader election (Lease ${MESHBOT_NAMESPACE}/${LEASE_NAME}: created, taken, released)`,
  run: async (ctx, io) => {
    await ctx.deleteAsAdmin('lease', MESHBOT_NAMESPACE, LEASE_NAME);
    const errors: unknown[] = [];
    let settle: () => void = () => undefined;
    const decided = new Promise<void>((resolve) => (settle = resolve));
    const elector = createLeaderElector({
      leases: createLeaseClient(kubeCoreAs(ctx)),
      namespace: MESHBOT_NAMESPACE,
      name: LEASE_NAME,
      identity: 'meshbot-manifests-test',
      leaseDurationMs: 3_000,
      renewDeadlineMs: 2_000,
      retryPeriodMs: 500,
      onStartedLeading: () => settle(),
      onError: (err) => {
        errors.push(err);
        settle();
      },
    });
    elector.start();
    await decided;
    await elector.stop();
    if (errors.length > 0) return reportError(io.stderr, errors[0]);
    io.stdout.write(`led and released ${MESHBOT_NAMESPACE}/${LEASE_NAME}\n`);
    return 0;
  },
};

/** The scheduled reports' state: created in meshbot's namespace, then read and replaced. */
const reportState: MeshbotCommand = {
  name: `serve: report state (ConfigMap ${MESHBOT_NAMESPACE}/${DEFAULT_STATE_CONFIGMAP}: created, read, replaced)`,
  run: async (ctx, io) => {
    try {
      await ctx.deleteAsAdmin('configmap', MESHBOT_NAMESPACE, DEFAULT_STATE_CONFIGMAP);
      const store = createReportStateStore({
        configMaps: createConfigMapClient(kubeCoreAs(ctx)),
        namespace: MESHBOT_NAMESPACE,
      });
      await store.update((s) => ({ ...s, fence: 1 }), 1);
      await store.update((s) => ({ ...s, fence: 2 }), 2);
      const state = await store.read();
      io.stdout.write(`report state at fence ${state.fence}\n`);
      return 0;
    } catch (err) {
      return reportError(io.stderr, err);
    }
  },
};

/**
 * `serve`'s scale-test and proxy-log-level recoveries: the one watch of Deployments and
 * StatefulSets (every namespace) that says when an interrupted change's record goes stale.
 * Listed and watched once, then closed; the first failure (a 403) is the command's.
 */
const recoveryWatch: MeshbotCommand = {
  name: 'serve: scale-test and proxy-log-level recovery (watch Deployments and StatefulSets, every namespace)',
  run: async (ctx, io) => {
    try {
      const adapters = await openAdapters({ kubeconfig: ctx.kubeconfig, timeoutMs: 8_000 });
      let failed: (err: unknown) => void = () => undefined;
      const failure = new Promise<never>((_, reject) => (failed = reject));
      failure.catch(() => undefined); // a failure after the race is not the command's
      const reflector = startWorkloadReflector(adapters.scaling, { onError: (err) => failed(err) });
      try {
        let records = 0;
        const watch = await watchScaleTestRecords(
          adapters,
          { onRecord: () => void records++, onEnd: () => undefined },
          { namespaces: ['*'] },
          reflector,
        );
        await Promise.race([reflector.synced, failure]);
        watch.close();
        io.stdout.write(`watched ${records} workloads\n`);
        return 0;
      } finally {
        reflector.close();
        await adapters.close();
      }
    } catch (err) {
      return reportError(io.stderr, err);
    }
  },
};

export const MESHBOT_COMMANDS: readonly MeshbotCommand[] = [
  {
    name: 'meshbot endpoints web-svc.emojivoto (through the port-forward)',
    run: (ctx, io) =>
      runEndpointsCommand(
        'web-svc.emojivoto',
        { kubeconfig: ctx.kubeconfig, output: 'json', timeout: '8s' },
        io,
      ),
  },
  {
    name: 'meshbot check',
    run: (ctx, io) => runCheckCommand({ kubeconfig: ctx.kubeconfig, output: 'json' }, io),
  },
  {
    name: 'meshbot clusters (GET /version, linkerd-config)',
    run: (ctx, io) => runClustersCommand({ kubeconfig: ctx.kubeconfig, output: 'json', timeout: '8s' }, io),
  },
  {
    name: 'meshbot check --proxy',
    run: (ctx, io) => runCheckCommand({ kubeconfig: ctx.kubeconfig, output: 'json', proxy: true }, io),
  },
  {
    name: 'meshbot metrics web-svc.emojivoto',
    run: (ctx, io) =>
      runMetricsCommand(
        'web-svc.emojivoto',
        { kubeconfig: ctx.kubeconfig, prometheus: ctx.prometheusUrl, chart: false, output: 'json' },
        io,
      ),
  },
  scaleTest(
    'web-svc.emojivoto',
    'meshbot scale-test web-svc.emojivoto --yes (the service: its pods name the workload)',
  ),
  scaleTest('statefulset/cache.emojivoto', 'meshbot scale-test statefulset/cache.emojivoto --yes'),
  scaleTest('deploy/web.emojivoto', 'meshbot scale-test deploy/web.emojivoto --yes'),
  {
    name: 'meshbot routes svc/web-svc.emojivoto',
    run: (ctx, io) =>
      runRoutesCommand(
        'svc/web-svc.emojivoto',
        { kubeconfig: ctx.kubeconfig, prometheus: ctx.prometheusUrl, output: 'json' },
        io,
      ),
  },
  {
    name: 'meshbot metrics (the destination controller, cluster-wide)',
    run: (ctx, io) =>
      runMetricsCommand(
        undefined,
        { kubeconfig: ctx.kubeconfig, prometheus: ctx.prometheusUrl, output: 'json' },
        io,
      ),
  },
  {
    name: 'meshbot events deploy/web.emojivoto',
    run: (ctx, io) =>
      runEventsCommand('deploy/web.emojivoto', { kubeconfig: ctx.kubeconfig, output: 'json' }, io),
  },
  {
    name: 'meshbot restart deploy/linkerd-destination.linkerd --yes',
    run: (ctx, io) =>
      runRestartCommand(
        'deploy/linkerd-destination.linkerd',
        { kubeconfig: ctx.kubeconfig, yes: true, output: 'json' },
        io,
      ),
  },
  {
    // Four steps that all run on a healthy mesh: check --proxy --namespace, metrics, events,
    // endpoints (stale-endpoints stops after its endpoints step when nothing is stale).
    name: 'meshbot runbook service-errors web-svc.emojivoto --yes',
    run: (ctx, io) =>
      runRunbookCommand(
        'service-errors',
        'web-svc.emojivoto',
        {
          kubeconfig: ctx.kubeconfig,
          prometheus: ctx.prometheusUrl,
          timeout: '8s',
          yes: true,
          output: 'json',
        },
        { ...io, requestedBy: 'cli:manifests-test' },
      ),
  },
  {
    name: 'meshbot sweep (every namespace, with the control plane)',
    run: (ctx, io) =>
      runSweepCommand({ kubeconfig: ctx.kubeconfig, persistence: '1s', timeout: '8s', output: 'json' }, io),
  },
  {
    name: 'meshbot tap deploy/web.emojivoto --duration 1s (linkerd-viz tap, an aggregated API)',
    run: (ctx, io) =>
      runTapCommand(
        'deploy/web.emojivoto',
        { kubeconfig: ctx.kubeconfig, duration: '1s', output: 'json' },
        io,
      ),
  },
  {
    name: 'meshbot tap statefulset/cache.emojivoto --duration 1s',
    run: (ctx, io) =>
      runTapCommand(
        'statefulset/cache.emojivoto',
        { kubeconfig: ctx.kubeconfig, duration: '1s', output: 'json' },
        io,
      ),
  },
  // tap of the other kinds: a DaemonSet, one pod (the StatefulSet's, its name is stable), and a
  // namespace (`tap` to the API server, `namespaces/tap` to the tap server).
  // `--max 1`: a tap is proven by its first request; no need to wait out the second.
  ...['ds/node-agent.emojivoto', 'pod/cache-0.emojivoto', 'ns/emojivoto'].map((target): MeshbotCommand => ({
    name: `meshbot tap ${target} --duration 1s --max 1`,
    run: (ctx, io) =>
      runTapCommand(target, { kubeconfig: ctx.kubeconfig, duration: '1s', max: '1', output: 'json' }, io),
  })),
  {
    name: 'meshbot proxy-logs deploy/web.emojivoto',
    run: (ctx, io) =>
      runProxyLogsCommand('deploy/web.emojivoto', { kubeconfig: ctx.kubeconfig, output: 'json' }, io),
  },
  {
    // Stopped as soon as it is set (an aborted signal): raised on every pod, recorded, put back.
    name: 'meshbot proxy-log-level deploy/web.emojivoto debug --yes (stopped at once)',
    run: (ctx, io) =>
      runProxyLogLevelCommand(
        'deploy/web.emojivoto',
        'debug',
        { kubeconfig: ctx.kubeconfig, yes: true, output: 'json' },
        { ...io, requestedBy: 'cli:manifests-test', signal: AbortSignal.abort('stopped') },
      ),
  },
  leaderElection,
  reportState,
  recoveryWatch,
];

/** Runs a command with its output captured. */
export async function runMeshbotCommand(command: MeshbotCommand, ctx: CommandContext): Promise<CommandRun> {
  let output = '';
  const code = await command.run(ctx, {
    stdout: { write: (t: string) => (output += t), isTTY: false },
    stderr: { write: (t: string) => (output += t) },
    env: {},
  });
  return { code, output };
}
