import type { Command } from 'commander';
import { register as registerCheck } from './commands/check.js';
import { register as registerClusters } from './commands/clusters.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerEndpoints } from './commands/endpoints.js';
import { register as registerEvents } from './commands/events.js';
import { register as registerRestart } from './commands/restart.js';
import { register as registerMetrics } from './commands/metrics.js';
import { register as registerSandbox } from './commands/sandbox.js';
import { register as registerRunbook } from './commands/runbook.js';
import { register as registerRoutes } from './commands/routes.js';
import { register as registerScaleTest } from './commands/scale-test.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerSweep } from './commands/sweep.js';
import { register as registerReport } from './commands/report.js';
import { register as registerTap } from './commands/tap.js';
import { register as registerProxyLogs } from './commands/proxy-logs.js';
import { register as registerProxyLogLevel } from './commands/proxy-log-level.js';

/**
 * One line per subcommand. Each module exports `register(program)` and owns its options,
 * its call of the step and its rendering; see src/cli/commands/.
 */
export function registerCommands(program: Command): void {
  // Subcommands are added here as they land: sandbox, endpoints, serve, demo, check, metrics, scale-test.
  registerSandbox(program);
  registerEndpoints(program);
  registerServe(program);
  registerDemo(program);
  registerCheck(program);
  registerMetrics(program);
  registerScaleTest(program);
  registerRunbook(program);
  registerEvents(program);
  registerRestart(program);
  registerSweep(program);
  registerClusters(program);
  registerReport(program);
  registerRoutes(program);
  registerTap(program);
  registerProxyLogs(program);
  registerProxyLogLevel(program);
}
