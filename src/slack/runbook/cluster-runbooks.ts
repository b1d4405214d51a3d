/**
 * The runbooks `serve` offers in Slack: the catalog (checked at start), and each step run over
 * the adapter set of the cluster its run started on, from the process's adapter pool (whose
 * owner closes it). A run records its cluster (the one its command resolved to, else the pool's
 * default) and every later step and click runs there.
 */
import type { AdapterPool } from '../../adapters/adapter-pool.js';
import { executeRunbookStep, type RunbookStepSettings } from '../../runbooks/execute-runbook-step.js';
import type { RunbookCatalog } from '../../runbooks/load-runbooks.js';
import type { SlackRunbooks } from './runbook-thread.js';
import type { StepResult } from '../../domain/step-result.js';
import type { MetricsData } from '../../steps/metrics/metrics-types.js';

export function createClusterRunbooks(options: {
  catalog: RunbookCatalog;
  pool: Pick<AdapterPool, 'get' | 'clusters'> & Partial<Pick<AdapterPool, 'configured'>>;
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
      const ran = await executeRunbookStep(cmd, exec, adapters, { ...options.settings, onProgress });
      // With configured clusters every step's result names its cluster, as /mesh results do.
      const result = options.pool.configured ? { ...ran, cluster: adapters.cluster } : ran;
      // Steps do not render: the metrics chart is drawn here, for the thread (as for /mesh metrics).
      if (cmd.name === 'metrics' && cmd.target) {
        const { attachMetricsChart } = await import('../../render/chart/attach-metrics-chart.js');
        await attachMetricsChart(result as StepResult<MetricsData>, cmd.target);
      }
      return result;
    },
  };
}
