import type { MeshCommand } from '../grammar/parse-command.js';

/**
 * Whether a command changes the cluster: such a step of a runbook always waits for an
 * authorized person's confirmation (Slack's Confirm, the CLI's --yes).
 * TODO(issue 9): read this from the step registry once it lands on main.
 */
export function changesCluster(cmd: MeshCommand): boolean {
  return cmd.name === 'scale-test' || cmd.name === 'restart';
}
