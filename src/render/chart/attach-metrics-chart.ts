import { makeAttachment, type StepResult } from '../../domain/step-result.js';
import { describeError } from '../../errors.js';
import { formatDuration } from '../../grammar/duration.js';
import { formatServiceTarget, type ServiceTarget } from '../../grammar/targets.js';
import type { MetricsData } from '../../steps/metrics/metrics-types.js';
import { metricsChartFilename } from './metrics-chart-filename.js';
import { renderMetricsChart } from './render-metrics-chart.js';

/**
 * Front ends draw the metrics step's chart: from its series and thresholds, the PNG goes onto
 * the result as an attachment (Slack uploads it, the CLI writes it). A chart that cannot be
 * drawn is an `info` finding, never a failed result.
 */
export async function attachMetricsChart(
  result: StepResult<MetricsData>,
  target: ServiceTarget,
): Promise<void> {
  // A result that could not ask Prometheus (none configured, unreachable) has nothing to draw.
  if (!result.data || result.data.queries.length === 0) return;
  const name = formatServiceTarget(target);
  const started = Date.now();
  try {
    const png = await renderMetricsChart(name, result.data);
    result.attachments = [
      makeAttachment({
        filename: metricsChartFilename(target.service, target.namespace),
        contentType: 'image/png',
        data: png,
        title: `${name} over ${formatDuration(result.data.windowSeconds)}`,
      }),
    ];
  } catch (err) {
    result.findings.push({
      severity: 'info',
      code: 'chart-failed',
      message: `The chart could not be drawn: ${describeError(err).message}`,
    });
  }
  result.durationMs += Date.now() - started;
}
