import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type {
  ClusterSetAddresses,
  SandboxAddresses,
  StartSandboxOptions,
} from '../../sandbox/sandbox-types.js';
import { rm } from 'node:fs/promises';
import { reportError } from '../command-io.js';

export interface SandboxCommandIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Resolves when the sandbox should stop; default: the first SIGINT or SIGTERM. */
  until?: Promise<unknown>;
  /** Called once the sandbox is up (tests use it to reach the addresses). */
  onReady?: (addresses: SandboxAddresses) => void;
  /** Called once the clusters of `--clusters` (or a cluster-set scenario) are up. */
  onClustersReady?: (addresses: ClusterSetAddresses) => void;
}

export interface SandboxFlagValues {
  scenario?: string;
  kubeconfigOut?: string;
  prometheusConfigOut?: string;
  json?: boolean;
  apiPort?: string;
  destinationPort?: string;
  metricsPort?: string;
  adminPort?: string;
  podReadyDelay?: string;
  /** Pairs of NAMESPACE/NAME and PATH: kubeconfigs acting as those ServiceAccounts. */
  kubeconfigAs?: string[];
  /** `east,west`: several independent clusters (src/cli/commands/sandbox-clusters.ts). */
  clusters?: string;
}

/** Resolves on the first SIGINT or SIGTERM; dispose() forgets the listeners. */
function untilSignal(): { signalled: Promise<NodeJS.Signals>; dispose(): void } {
  let on: (sig: NodeJS.Signals) => void = () => undefined;
  const dispose = (): void => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    on = (sig) => {
      dispose();
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  return { signalled, dispose };
}

function readPort(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(
      `${flag}: expected a port number from 0 to 65535, got "${value}"`,
      '0 picks a free port.',
    );
  }
  return Number(value);
}

/** `NAMESPACE/NAME` of a ServiceAccount (here, not in src/sandbox: flags are read before the sandbox loads). */
function parseServiceAccountRef(text: string): { namespace: string; name: string } | undefined {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text);
  return m?.[1] && m[3] ? { namespace: m[1], name: m[3] } : undefined;
}

/** `--kubeconfig-as NS/NAME PATH [NS/NAME PATH...]` as ServiceAccount kubeconfigs to write. */
function readKubeconfigAs(
  values: string[] | undefined,
): Array<{ namespace: string; name: string; path: string }> {
  if (values === undefined) return [];
  const usage = 'e.g. --kubeconfig-as meshbot/meshbot ./meshbot-sa.kubeconfig';
  if (values.length % 2 !== 0) {
    throw new UsageError(
      `--kubeconfig-as: expected a ServiceAccount NAMESPACE/NAME and a PATH, got ${values.map((v) => `"${v}"`).join(' ')}`,
      usage,
    );
  }
  const out: Array<{ namespace: string; name: string; path: string }> = [];
  for (let i = 0; i < values.length; i += 2) {
    const ref = parseServiceAccountRef(values[i] ?? '');
    if (!ref) {
      throw new UsageError(
        `--kubeconfig-as: expected a ServiceAccount as NAMESPACE/NAME, got "${values[i] ?? ''}"`,
        usage,
      );
    }
    out.push({ ...ref, path: values[i + 1] ?? '' });
  }
  return out;
}

function readMs(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`${flag}: expected a whole number of milliseconds, got "${value}"`);
  return Number(value);
}

export function formatAddressesText(
  a: SandboxAddresses,
  scenario: string,
  prometheus?: { path: string; text: string },
): string {
  return [
    `meshbot sandbox is running (scenario ${scenario})`,
    `  API server:    ${a.apiServer}`,
    `  kubeconfig:    ${a.kubeconfig}`,
    `  destination:   ${a.destination}`,
    `  metrics:       ${a.metrics}`,
    `  admin:         ${a.admin}`,
    ...(a.proxyMetrics ? [`  proxy metrics: ${a.proxyMetrics}`] : []),
    '',
    `Try: KUBECONFIG=${a.kubeconfig} kubectl get pods,svc,endpointslices -A`,
    `     curl -X POST ${a.admin}/faults -d '{"type":"freeze","service":"web-svc.emojivoto"}'`,
    ...(prometheus ? prometheusConfigLines(prometheus) : []),
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

/** Where the Prometheus scrape config was written, how to run Prometheus on it, and the config. */
export function prometheusConfigLines(prometheus: { path: string; text: string }): string[] {
  return [
    '',
    `Prometheus scrape config (written to ${prometheus.path}):`,
    `  prometheus --config.file=${prometheus.path} --storage.tsdb.path=/tmp/meshbot-prometheus`,
    '',
    prometheus.text.trimEnd(),
    '',
  ];
}

/**
 * `meshbot sandbox`: starts a sandbox from a scenario, prints its addresses (text, or one
 * JSON line with --json), runs until SIGINT/SIGTERM (or `io.until`), stops it and returns
 * the exit code: 0, or 2 for a bad scenario or flag, 3 when it could not start.
 * Never throws; errors are printed as a message and a hint.
 */
export async function runSandboxCommand(flags: SandboxFlagValues, io: SandboxCommandIO): Promise<number> {
  // Listen for signals from the start, so a Ctrl-C during startup is not lost.
  const signals = io.until ? undefined : untilSignal();
  const until = io.until ?? signals?.signalled;
  try {
    const scenario = flags.scenario ?? 'emojivoto';
    const apiServerPort = readPort('--api-port', flags.apiPort);
    const destinationPort = readPort('--destination-port', flags.destinationPort);
    const metricsPort = readPort('--metrics-port', flags.metricsPort);
    const adminPort = readPort('--admin-port', flags.adminPort);
    const podReadyDelayMs = readMs('--pod-ready-delay', flags.podReadyDelay);
    const serviceAccountKubeconfigs = readKubeconfigAs(flags.kubeconfigAs);
    // Several clusters: --clusters, or a scenario that names its clusters (loaded when asked for).
    const { clustersOfFlags, runClusterSandbox } = await import('./sandbox-clusters.js');
    const clusters = clustersOfFlags(flags);
    if (clusters) {
      return await runClusterSandbox(flags, io, clusters, {
        ...(podReadyDelayMs !== undefined ? { podReadyDelayMs } : {}),
        serviceAccountKubeconfigs,
        until,
      });
    }
    const options: StartSandboxOptions = {
      scenario,
      ...(flags.kubeconfigOut ? { kubeconfigOut: flags.kubeconfigOut } : {}),
      ...(apiServerPort !== undefined ? { apiServerPort } : {}),
      ...(destinationPort !== undefined ? { destinationPort } : {}),
      ...(metricsPort !== undefined ? { metricsPort } : {}),
      ...(adminPort !== undefined ? { adminPort } : {}),
      ...(podReadyDelayMs !== undefined ? { podReadyDelayMs } : {}),
      ...(serviceAccountKubeconfigs.length ? { serviceAccountKubeconfigs } : {}),
    };
    // Loaded when the command runs, so `meshbot --help` and other commands do not pay for it.
    const { startSandbox } = await import('../../sandbox/start-sandbox.js');
    const { prometheusScrapeConfig, writePrometheusScrapeConfig } =
      await import('../../sandbox/prometheus-scrape-config.js');
    const sandbox = await startSandbox(options);
    let tempDir: string | undefined;
    try {
      const addresses: SandboxAddresses = {
        apiServer: sandbox.apiServer,
        kubeconfig: sandbox.kubeconfig,
        destination: sandbox.destination,
        metrics: sandbox.metrics,
        admin: sandbox.admin,
        proxyMetrics: sandbox.proxyMetrics,
      };
      const text = prometheusScrapeConfig(sandbox, sandbox.scenario.name);
      const written = await writePrometheusScrapeConfig(text, flags.prometheusConfigOut);
      tempDir = written.tempDir;
      addresses.prometheusConfig = written.path;
      io.stdout.write(
        flags.json
          ? `${JSON.stringify(addresses)}\n`
          : formatAddressesText(addresses, scenario, { path: written.path, text }),
      );
      if (!flags.json) {
        for (const sa of serviceAccountKubeconfigs) {
          io.stdout.write(`  kubeconfig as ServiceAccount ${sa.namespace}/${sa.name}: ${sa.path}\n`);
        }
      }
      io.onReady?.(addresses);
      await until;
      if (!flags.json) io.stderr.write('stopping the sandbox\n');
    } finally {
      await sandbox.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    }
    return 0;
  } catch (err) {
    return reportError(io.stderr, err);
  } finally {
    signals?.dispose();
  }
}

export function register(program: Command): void {
  program
    .command('sandbox')
    .description(
      'Run the sandbox cluster: a Kubernetes API server, a Linkerd destination controller and its metrics, from a scenario',
    )
    .option('--scenario <name|file>', 'built-in scenario name or a YAML scenario file', 'emojivoto')
    .option(
      '--kubeconfig-out <path>',
      'write the kubeconfig here (default: a temporary file removed on exit)',
    )
    .option(
      '--prometheus-config-out <path>',
      'write the Prometheus scrape config here (default: a temporary file removed on exit)',
    )
    .option(
      '--clusters <names>',
      'several independent clusters, comma-separated (e.g. east,west), each running the scenario; one kubeconfig with a context per cluster',
    )
    .option('--json', 'print the addresses as one JSON line once ready')
    .option('--api-port <n>', 'Kubernetes API server port (default: a free port)')
    .option('--destination-port <n>', 'destination gRPC port (default: a free port)')
    .option('--metrics-port <n>', 'destination metrics port (default: a free port)')
    .option('--admin-port <n>', 'admin API port (default: a free port)')
    .option('--pod-ready-delay <ms>', "override every pod's readiness delay")
    .option(
      '--kubeconfig-as <namespace/name path...>',
      'also write a kubeconfig acting as this ServiceAccount (created if missing; RBAC applies), e.g. meshbot/meshbot ./sa.kubeconfig',
    )
    .action(async (flags: SandboxFlagValues) => {
      process.exitCode = await runSandboxCommand(flags, { stdout: process.stdout, stderr: process.stderr });
    });
}
