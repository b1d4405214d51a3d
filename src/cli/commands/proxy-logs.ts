import type { ClusterFlagValues } from '../cluster-flags.js';
import { readingStepCommand } from '../reading-step-command.js';

export interface ProxyLogsFlagValues extends ClusterFlagValues {
  since?: string;
  tail?: string;
  output?: string;
}

/**
 * `meshbot proxy-logs pod/NAME.NS|deploy/NAME.NS [--since 5m] [--tail 500]`: the linkerd-proxy
 * container's last lines, counted and grouped (`--output json` carries every line read).
 * Exit codes: 0 quiet, 1 errors or warnings logged, 2 usage, 3 could not ask.
 */
const command = readingStepCommand<ProxyLogsFlagValues>(
  'proxy-logs',
  'Exit codes: 0 quiet, 1 errors or warnings logged, 2 usage error, 3 Kubernetes could not be asked. See docs/proxy-logs.md.',
);

export const runProxyLogsCommand = command.run;
export const register = command.register;
