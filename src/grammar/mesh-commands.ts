import type { PodTarget } from './pod-target.js';
import {
  DEFAULT_EVENTS_WINDOW_SECONDS,
  DEFAULT_METRICS_WINDOW_SECONDS,
  DEFAULT_PROXY_LOGS_SINCE_SECONDS,
  DEFAULT_PROXY_LOGS_TAIL,
  DEFAULT_ROUTES_WINDOW_SECONDS,
  type RunnableCommand,
} from './parse-command.js';
import type { ScaleTarget, ServiceTarget } from './targets.js';

/**
 * Parsed commands as steps suggest them for next steps: each as `parseCommand` would yield it
 * for the text `formatCommand` writes, with the grammar's defaults.
 */
export const meshCommands = {
  endpoints: (target: ServiceTarget): RunnableCommand => ({ name: 'endpoints', target }),
  /** The whole service (no port), over the default window. */
  metrics: (target: ServiceTarget): RunnableCommand => ({
    name: 'metrics',
    target: { service: target.service, namespace: target.namespace },
    windowSeconds: DEFAULT_METRICS_WINDOW_SECONDS,
  }),
  scaleTest: (target: ScaleTarget): RunnableCommand => ({
    name: 'scale-test',
    target: 'kind' in target ? target : { service: target.service, namespace: target.namespace },
  }),
  check: (): RunnableCommand => ({ name: 'check', proxy: false }),
  /** The destination controller cluster-wide, over the default window. */
  destinationMetrics: (): RunnableCommand => ({
    name: 'metrics',
    windowSeconds: DEFAULT_METRICS_WINDOW_SECONDS,
  }),
  events: (target: ScaleTarget): RunnableCommand => ({
    name: 'events',
    target: 'kind' in target ? target : { service: target.service, namespace: target.namespace },
    windowSeconds: DEFAULT_EVENTS_WINDOW_SECONDS,
  }),
  /** The service's routes, over the default window. */
  routes: (target: ServiceTarget): RunnableCommand => ({
    name: 'routes',
    target: { service: target.service, namespace: target.namespace },
    windowSeconds: DEFAULT_ROUTES_WINDOW_SECONDS,
  }),
  /** A pod's proxy log, with the default window and tail. */
  proxyLogs: (target: PodTarget): RunnableCommand => ({
    name: 'proxy-logs',
    target,
    sinceSeconds: DEFAULT_PROXY_LOGS_SINCE_SECONDS,
    tailLines: DEFAULT_PROXY_LOGS_TAIL,
  }),
  runbook: (runbook: string, target: ServiceTarget): RunnableCommand => ({
    name: 'runbook',
    runbook,
    target: `${target.service}.${target.namespace}`,
  }),
};
