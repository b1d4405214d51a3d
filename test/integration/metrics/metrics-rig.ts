/**
 * The metrics tests' rig: a sandbox (Kubernetes API server, simulated cluster, destination
 * controller, proxy metrics, meshed clients: vote-bot's proxy subscribed to web-svc, web's to
 * emoji-svc and voting-svc, so the controller has their endpoints_* series), and a real
 * Prometheus scraping the controller and the proxies every second. Waits are bounded polls of
 * Prometheus's query API, never sleeps.
 */
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import type { StartSandboxOptions } from '../../../src/sandbox/sandbox-types.js';
import type { MetricsData } from '../../../src/steps/metrics/metrics-types.js';
import { runMetricsCommand, type MetricsFlagValues } from '../../../src/cli/commands/metrics.js';
import { startPrometheus, waitForQuery, type RunningPrometheus } from '../../support/start-prometheus.js';

export const NS = 'emojivoto';
export const WEB = `{namespace="${NS}",service="web-svc"}`;

export interface MetricsRig {
  sandbox: RunningSandbox;
  adapters: Adapters;
  prometheus: RunningPrometheus;
  /** More Prometheus servers asked for (same targets, other flags). */
  others: RunningPrometheus[];
  stop(): Promise<void>;
}

export async function startMetricsRig(
  scenario: StartSandboxOptions['scenario'],
  options: { otherPrometheusArgs?: string[][]; sandbox?: Omit<StartSandboxOptions, 'scenario'> } = {},
): Promise<MetricsRig> {
  const sandbox = await startSandbox({ scenario, podReadyDelayMs: 0, ...options.sandbox });
  const cleanup: Array<() => Promise<void>> = [() => sandbox.stop()];
  const stop = async (): Promise<void> => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const targets = [
      { job: 'linkerd-controller', url: sandbox.metrics },
      { job: 'linkerd-proxy', url: sandbox.proxyMetrics },
    ];
    const started = await Promise.allSettled([
      startPrometheus({ targets }),
      ...(options.otherPrometheusArgs ?? []).map((extraArgs) => startPrometheus({ targets, extraArgs })),
    ]);
    for (const s of started) if (s.status === 'fulfilled') cleanup.push(() => s.value.stop());
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [prometheus, ...others] = started.map(
      (s) => (s as PromiseFulfilledResult<RunningPrometheus>).value,
    );
    const adapters = await openAdapters({
      kubeconfig: sandbox.kubeconfig,
      destination: sandbox.destination,
      prometheusUrl: prometheus!.url,
    });
    cleanup.push(() => adapters.close());
    // vote-bot's proxy resolves web-svc: Prometheus has the controller's endpoints_* series.
    await waitForQuery(prometheus!.url, `sum(endpoints_subscribers${WEB})`, (v) => v >= 1);
    return { sandbox, adapters, prometheus: prometheus!, others, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface MetricsRun {
  code: number;
  stdout: string;
  stderr: string;
  result?: StepResult<MetricsData>;
}

/** Runs `meshbot metrics` in process with JSON output captured. */
export async function runMetricsCli(target: string, flags: MetricsFlagValues): Promise<MetricsRun> {
  let stdout = '';
  let stderr = '';
  const code = await runMetricsCommand(
    target,
    // No chart in the checkout unless the test names a file for it.
    { output: 'json', ...(flags.chartOut === undefined ? { chart: false } : {}), ...flags },
    {
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: (t: string) => (stderr += t) },
      env: {},
    },
  );
  const run: MetricsRun = { code, stdout, stderr };
  if (stdout.trim().startsWith('{')) run.result = JSON.parse(stdout) as StepResult<MetricsData>;
  return run;
}
