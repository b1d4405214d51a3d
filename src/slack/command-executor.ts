import { formatPodOrWorkloadTarget } from '../grammar/pod-target.js';
import type { AdapterPool } from '../adapters/adapter-pool.js';
import { UsageError } from '../errors.js';
import type { Adapters } from '../adapters/open-adapters.js';
import { stepErrorResult, type StepResult } from '../domain/step-result.js';
import { attachMetricsChart } from '../render/chart/attach-metrics-chart.js';
import type { MetricsData } from '../steps/metrics/metrics-types.js';
import type { MeshCommand, RunnableCommand } from '../grammar/parse-command.js';
import type { ClusterReachability } from '../steps/clusters/cluster-reachability.js';
import { formatTapTarget } from '../grammar/tap-target.js';
import { formatServiceTarget, formatWorkloadTarget } from '../grammar/targets.js';
import { attachTapFiles } from '../render/json/attach-tap-files.js';

export type { RunnableCommand };

export interface ExecutionContext {
  /** Steps that take a while report what they are doing; Slack shows it on the parent. */
  onProgress(text: string): void;
}

/**
 * The Slack layer's one dependency on the rest of meshbot: run a parsed command, get a
 * StepResult. It knows nothing of Kubernetes; `createClusterExecutor` wires the real
 * steps and adapters behind it, tests pass a small fake.
 */
export type CommandExecutor = (command: RunnableCommand, ctx: ExecutionContext) => Promise<StepResult>;

/** A failure to run at all, as a StepResult with status `error` so it renders like any other. */
export function errorResult(
  command: RunnableCommand,
  target: string,
  err: unknown,
  startedAt = new Date(),
): StepResult {
  return stepErrorResult(command.name, target, err, startedAt);
}

export interface ClusterExecutorDeps {
  /** The process's adapter sets; its owner closes it. */
  pool: Pick<AdapterPool, 'get'> & Partial<Pick<AdapterPool, 'clusters' | 'configured'>>;
  runCommand: (command: MeshCommand, adapters: Adapters, ctx: ExecutionContext) => Promise<StepResult>;
  /** Told every result and the cluster it came from (reachability for /readyz). */
  reachability?: Pick<ClusterReachability, 'observe' | 'record'>;
}

/**
 * Runs commands over the adapter set of the command's cluster (opened on first use and shared
 * by concurrent commands: one gRPC channel, bounded load on the control plane). With
 * configured clusters every result names its cluster; `clusters` asks them all.
 */
export function createClusterExecutor(deps: ClusterExecutorDeps): { execute: CommandExecutor } {
  return {
    async execute(command, ctx) {
      if (command.name === 'clusters') {
        const { runClustersStep } = await import('../steps/clusters/run-clusters-step.js');
        const result = await runClustersStep(
          { get: (c) => deps.pool.get(c), clusters: deps.pool.clusters ?? [] },
          command.cluster !== undefined ? { only: command.cluster } : {},
        );
        for (const c of result.data.clusters) deps.reachability?.record(c.cluster, c.reachable, c.problem);
        return result;
      }
      let adapters: Adapters;
      try {
        adapters = await deps.pool.get(command.cluster);
      } catch (err) {
        const result = errorResult(command, targetOf(command), err);
        // A cluster whose adapters cannot even be opened (its kubeconfig gone) is unreachable.
        if (command.cluster !== undefined && !(err instanceof UsageError)) {
          deps.reachability?.record(command.cluster, false, result.summary);
        }
        return deps.pool.configured && command.cluster !== undefined
          ? { ...result, cluster: command.cluster }
          : result;
      }
      let result = await deps.runCommand(command, adapters, ctx);
      deps.reachability?.observe(adapters.cluster, result);
      if (deps.pool.configured) result = { ...result, cluster: adapters.cluster };
      // Steps do not render: the metrics chart is drawn here, for the thread.
      if (command.name === 'metrics' && command.target) {
        await attachMetricsChart(result as StepResult<MetricsData>, command.target);
      }
      // The tapped requests and the raw events go into the thread as files.
      if (command.name === 'tap') attachTapFiles(result);
      return result;
    },
  };
}

/** The target of a command as text, e.g. `web-svc.emojivoto:80`. */
export function targetOf(command: RunnableCommand): string {
  switch (command.name) {
    case 'endpoints':
    case 'routes':
      return formatServiceTarget(command.target);
    case 'metrics':
      return command.target ? formatServiceTarget(command.target) : 'destination controller';
    case 'check':
      return command.namespace ?? 'control plane';
    case 'tap':
      return formatTapTarget(command.target);
    case 'restart':
    case 'proxy-log-level':
      return formatWorkloadTarget(command.target);
    case 'proxy-logs':
      return formatPodOrWorkloadTarget(command.target);
    case 'runbook':
      return command.runbook ? `${command.runbook} ${command.target ?? ''}`.trim() : 'runbooks';
    case 'report':
      return command.action === 'run' ? command.report : 'reports';
    case 'clusters':
      return command.cluster ?? 'every cluster';
    case 'scale-test':
    case 'events':
      return 'kind' in command.target
        ? formatWorkloadTarget(command.target)
        : formatServiceTarget(command.target);
  }
}
