/**
 * Every meshbot command that talks to a cluster, as the manifests test runs it: in process,
 * with a kubeconfig given, JSON output captured. The test runs each as the meshbot
 * ServiceAccount with exactly the shipped RBAC (manifests/base).
 *
 * A new command (runbooks, restart, sweep, reports, the leader Lease...) is one more entry
 * here; the test then fails until manifests/base grants what it uses (403) and docs/rbac.md
 * lists the rule, and it fails for any rule no command uses.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { runCheckCommand } from '../../../src/cli/commands/check.js';
import { runEndpointsCommand } from '../../../src/cli/commands/endpoints.js';
import { runEventsCommand } from '../../../src/cli/commands/events.js';
import { runMetricsCommand } from '../../../src/cli/commands/metrics.js';
import { runRestartCommand } from '../../../src/cli/commands/restart.js';
import { runRunbookCommand } from '../../../src/cli/commands/runbook.js';
import { runScaleTestCommand } from '../../../src/cli/commands/scale-test.js';
import type { CommandIO } from '../../../src/cli/command-io.js';

/**
 * The scenario the commands run against: emojivoto, plus a meshed StatefulSet `cache` behind
 * `cache-svc`, so the scale test's StatefulSet permissions are exercised too.
 */
export function manifestsScenario(): Record<string, unknown> {
  const scenario = YAML.parse(readFileSync('scenarios/emojivoto.yaml', 'utf8')) as Record<string, unknown[]>;
  return {
    ...scenario,
    name: 'emojivoto-with-statefulset',
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
