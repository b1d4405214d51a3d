import type { ClusterFlagValues } from '../cluster-flags.js';
import { readingStepCommand } from '../reading-step-command.js';

export interface EventsFlagValues extends ClusterFlagValues {
  window?: string;
  output?: string;
}

/**
 * `meshbot events deploy/NAME.NS|SVC.NS [--window 1h]`: the recent trouble of the pods
 * (restarts, termination reasons, failing probes, Warning events). Exit codes: 0 quiet, 1
 * trouble found, 2 usage, 3 could not ask.
 */
const command = readingStepCommand<EventsFlagValues>(
  'events',
  'Exit codes: 0 no trouble, 1 trouble found, 2 usage error, 3 Kubernetes could not be asked.',
);

export const runEventsCommand = command.run;
export const register = command.register;
