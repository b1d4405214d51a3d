/**
 * The target a runbook runs on, and how it fills a step's command: `{{service}}` and
 * `{{namespace}}` for a service target (`web-svc.emojivoto`); `{{workload}}` (`deploy/web`),
 * `{{name}}` and `{{namespace}}` for a workload target (`deploy/web.emojivoto`).
 */
import { UsageError } from '../errors.js';
import {
  formatServiceTarget,
  formatWorkloadTarget,
  parseServiceTarget,
  parseWorkloadTarget,
  printable,
  type ServiceTarget,
  type WorkloadTarget,
} from '../grammar/targets.js';

export type RunbookTargetKind = 'service' | 'workload';

export type RunbookTarget =
  { type: 'service'; service: ServiceTarget } | { type: 'workload'; workload: WorkloadTarget };

/** The placeholders each kind of target fills. */
export const PLACEHOLDERS: Record<RunbookTargetKind, readonly string[]> = {
  service: ['service', 'namespace'],
  workload: ['workload', 'name', 'namespace'],
};

/** Stand-ins used to parse a runbook's commands when it is loaded, before any real target. */
export const SAMPLE_TARGETS: Record<RunbookTargetKind, RunbookTarget> = {
  service: { type: 'service', service: { service: 'sample-svc', namespace: 'sample-ns' } },
  workload: { type: 'workload', workload: { kind: 'deployment', name: 'sample', namespace: 'sample-ns' } },
};

/** Parses the target given to a runbook of this kind; a usage error says what it takes. */
export function parseRunbookTarget(kind: RunbookTargetKind, raw: string, runbookId: string): RunbookTarget {
  if (kind === 'service') {
    if (raw.includes('/')) {
      throw new UsageError(
        `the ${runbookId} runbook takes a service, not "${printable(raw)}"`,
        'Give it as SERVICE.NAMESPACE, e.g. web-svc.emojivoto.',
      );
    }
    return { type: 'service', service: parseServiceTarget(raw) };
  }
  if (!raw.includes('/')) {
    throw new UsageError(
      `the ${runbookId} runbook takes a workload, not "${printable(raw)}"`,
      'Give it as deploy/NAME.NAMESPACE, e.g. deploy/web.emojivoto.',
    );
  }
  return { type: 'workload', workload: parseWorkloadTarget(raw) };
}

export function formatRunbookTarget(t: RunbookTarget): string {
  return t.type === 'service' ? formatServiceTarget(t.service) : formatWorkloadTarget(t.workload);
}

export function targetNamespace(t: RunbookTarget): string {
  return t.type === 'service' ? t.service.namespace : t.workload.namespace;
}

function valuesOf(t: RunbookTarget): Record<string, string> {
  if (t.type === 'service') {
    return { service: t.service.service, namespace: t.service.namespace };
  }
  const w = t.workload;
  return {
    workload: `${w.kind === 'deployment' ? 'deploy' : 'statefulset'}/${w.name}`,
    name: w.name,
    namespace: w.namespace,
  };
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*\}\}/g;

/** The placeholder names a command uses. */
export function placeholdersIn(command: string): string[] {
  return [...command.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** The command with the target's values in place of its placeholders (unknown ones left as they are). */
export function fillCommand(command: string, target: RunbookTarget): string {
  const values = valuesOf(target);
  return command.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}
