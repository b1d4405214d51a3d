/**
 * The Prometheus flags of the commands that query it (metrics, routes), declared and validated
 * in one place: --prometheus URL, --prometheus-port-forward, --prometheus-namespace.
 */
import type { Command } from 'commander';
import type { ClusterOptions } from '../adapters/cluster-options.js';
import { DEFAULT_PROMETHEUS_URL } from '../adapters/prometheus/prometheus-errors.js';
import { parsePrometheusUrl } from '../adapters/prometheus/prometheus-url.js';
import { UsageError } from '../errors.js';
import { checkNamespace } from '../grammar/targets.js';

export interface PrometheusFlagValues {
  prometheus?: string;
  prometheusPortForward?: boolean;
  prometheusNamespace?: string;
}

export function addPrometheusFlags(cmd: Command): Command {
  return cmd
    .option('--prometheus <url>', `Prometheus base URL (default: linkerd-viz's ${DEFAULT_PROMETHEUS_URL})`)
    .option(
      '--prometheus-port-forward',
      'reach Prometheus through a port-forward to a pod of linkerd-viz/prometheus (port 9090), for use outside the cluster',
    )
    .option('--prometheus-namespace <ns>', 'namespace of that Prometheus pod', 'linkerd-viz');
}

/** Adds the validated Prometheus flags to `options`; a UsageError names what is wrong. */
export function readPrometheusOptions(flags: PrometheusFlagValues, options: ClusterOptions): ClusterOptions {
  if (flags.prometheus !== undefined && flags.prometheusPortForward) {
    throw new UsageError(
      '--prometheus and --prometheus-port-forward exclude each other',
      'Give a URL, or let meshbot port-forward to linkerd-viz/prometheus.',
    );
  }
  if (flags.prometheus !== undefined)
    options.prometheusUrl = parsePrometheusUrl(flags.prometheus).href.replace(/\/$/, '');
  if (flags.prometheusPortForward) options.prometheusPortForward = true;
  if (flags.prometheusNamespace !== undefined)
    options.prometheusNamespace = checkNamespace(flags.prometheusNamespace);
  return options;
}
