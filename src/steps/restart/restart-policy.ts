/**
 * Which workloads meshbot may restart: an allow-list of `deploy/NAME.NAMESPACE` entries, where
 * NAME may be `*` (every deployment of the namespace). The default is the Linkerd control
 * plane's deployments. Everything else is refused with the reason.
 */
import { MeshbotError } from '../../errors.js';
import { formatWorkloadTarget, type WorkloadTarget } from '../../grammar/targets.js';

export const CONTROL_PLANE_DEPLOYMENTS = [
  'linkerd-destination',
  'linkerd-identity',
  'linkerd-proxy-injector',
];

export function defaultRestartAllowList(controlPlaneNamespace = 'linkerd'): string[] {
  return CONTROL_PLANE_DEPLOYMENTS.map((d) => `deploy/${d}.${controlPlaneNamespace}`);
}

function matches(entry: string, target: WorkloadTarget): boolean {
  const m = /^(?:deploy|deployment)\/(\*|[a-z0-9.-]+)\.([a-z0-9-]+)$/.exec(entry);
  if (!m) return false;
  return (m[1] === '*' || m[1] === target.name) && m[2] === target.namespace;
}

/** Throws MeshbotError `refused` unless the target may be restarted. */
export function checkRestartAllowed(target: WorkloadTarget, allow: readonly string[]): void {
  const text = formatWorkloadTarget(target);
  if (target.kind !== 'deployment') {
    throw new MeshbotError('refused', `meshbot restarts deployments only, not ${text}`);
  }
  if (!allow.some((e) => matches(e, target))) {
    throw new MeshbotError(
      'refused',
      `${text} is not on meshbot's restart allow-list (${allow.join(', ') || 'empty'})`,
      'Only allow-listed workloads may be restarted; an admin adds entries to restart.allow in the config (docs/restart.md).',
    );
  }
}
