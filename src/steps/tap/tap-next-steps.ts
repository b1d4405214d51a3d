/** What to look at after a tap, by what was tapped: the commands that take that target. */
import type { NextStep } from '../../domain/step-result.js';
import { meshCommands } from '../../grammar/mesh-commands.js';
import type { TapTarget } from '../../grammar/tap-target.js';

export function nextStepsOfTap(target: TapTarget): NextStep[] {
  switch (target.kind) {
    case 'deployment':
    case 'statefulset':
      return [
        {
          label: 'See the workload events',
          command: meshCommands.events({ kind: target.kind, name: target.name, namespace: target.namespace }),
        },
      ];
    case 'pod':
      return [
        {
          label: "Read the pod's proxy log",
          command: meshCommands.proxyLogs({ kind: 'pod', name: target.name, namespace: target.namespace }),
        },
      ];
    default:
      // daemonsets and namespaces: no other command takes them yet.
      return [];
  }
}
