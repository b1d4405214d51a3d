import type { ClusterFlagValues } from '../cluster-flags.js';
import { readingStepCommand } from '../reading-step-command.js';

export interface TapFlagValues extends ClusterFlagValues {
  to?: string;
  path?: string;
  method?: string;
  duration?: string;
  max?: string;
  output?: string;
}

/**
 * `meshbot tap deploy/NAME.NS [--to svc/NAME.NS] [--path PREFIX] [--method GET] [--duration 10s]
 * [--max 100]`: a bounded sample of the workload's live requests through linkerd-viz tap,
 * summarized per route; `--output json` carries every request. Exit codes: 0 healthy, 1 a
 * failing route (or no requests), 2 usage, 3 could not tap (viz missing, forbidden, unreachable).
 */
const command = readingStepCommand<TapFlagValues>(
  'tap',
  'Exit codes: 0 every route healthy, 1 a failing route or no requests, 2 usage error, 3 no tap (linkerd-viz missing, forbidden, unreachable).',
);

export const runTapCommand = command.run;
export const register = command.register;
