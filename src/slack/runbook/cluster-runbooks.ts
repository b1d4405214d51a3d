/**
 * The runbooks `serve` offers in Slack: the catalog (checked at start), and each step run over
 * the adapter set of the cluster its run started on, from the process's adapter pool (whose
 * owner closes it). A run records its cluster; new runs start on the pool's default cluster.
 */
import type { AdapterPool } from '../../adapters/adapter-pool.js';
import { executeRunbookStep, type RunbookStepSettings } from '../../runbooks/execute-runbook-step.js';
import type { RunbookCatalog } from '../../runbooks/load-runbooks.js';
import type { SlackRunbooks } from './runbook-thread.js';
import type { StepResult } from '../../domain/step-result.js';
import type { MetricsData } from '../../steps/metrics/metrics-types.js';

export function createClusterRunbooks(options: {
  catalog: RunbookCatalog;
  pool: Pick<AdapterPool, 'get' | 'clusters'>;
  buttonTtlMs: number;
  settings?: RunbookStepSettings;
}): SlackRunbooks {
  const cluster = options.pool.clusters[0] ?? 'default';
  return {
    catalog: options.catalog,
    cluster,
    buttonTtlMs: options.buttonTtlMs,
    async executeStep(cmd, exec, onProgress, runCluster) {
      const adapters = await options.pool.get(runCluster ?? cluster);
      const result = await executeRunbookStep(cmd, exec, adapters, { ...options.settings, onProgress });
      // Steps do not render: the metrics chart is drawn here, for the thread (as for /mesh metrics).
      if (cmd.name === 'metrics' && cmd.target) {
        const { attachMetricsChart } = await import('../../render/chart/attach-metrics-chart.js');
        await attachMetricsChart(result as StepResult<MetricsData>, cmd.target);
      }
      return result;
    },
  };
}
