import type { Adapters } from '../adapters/open-adapters.js';
import type { StepResult } from '../domain/step-result.js';
import { MeshbotError } from '../errors.js';
import type { MeshCommand } from '../grammar/parse-command.js';
import { runCheckStep } from './check/run-check-step.js';
import { runEventsStep } from './events/run-events-step.js';
import { workloadScalingOf } from './scale-test/plan-scale-test.js';
import { runEndpointsStep } from './endpoints/run-endpoints-step.js';
import { runDestinationMetricsStep } from './metrics/run-destination-metrics-step.js';
import { runMetricsStep } from './metrics/run-metrics-step.js';

/**
 * Runs the step a parsed command names, over the given adapters. Every front end (CLI, Slack,
 * runbooks) goes through here; a command whose step has not landed yet is a usage error.
 * `help` is answered by the front ends themselves and is refused here.
 */
export async function runCommand(cmd: MeshCommand, adapters: Adapters): Promise<StepResult> {
  switch (cmd.name) {
    case 'endpoints':
      return runEndpointsStep(cmd.target, adapters);
    case 'metrics':
      return cmd.target
        ? runMetricsStep({ target: cmd.target, windowSeconds: cmd.windowSeconds }, adapters)
        : runDestinationMetricsStep({ windowSeconds: cmd.windowSeconds }, adapters);
    case 'check':
      return runCheckStep(cmd, adapters);
    case 'events':
      return runEventsStep(
        { target: cmd.target, windowSeconds: cmd.windowSeconds },
        { kube: adapters.kube, controlPlane: adapters.controlPlane, scaling: workloadScalingOf(adapters) },
      );
    case 'scale-test':
      // It changes the cluster: only after a confirmation (Slack's buttons, the CLI's --yes),
      // through runScaleTestStep (src/steps/scale-test/), never from this dispatcher.
      throw new MeshbotError(
        'refused',
        'scale-test changes the cluster and runs only after a confirmation',
        'In Slack, confirm it with the button; on the command line: meshbot scale-test TARGET --yes.',
      );
    default:
      throw new MeshbotError('usage', `${cmd.name} is not available yet`);
  }
}
