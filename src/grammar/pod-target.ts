import { UsageError } from '../errors.js';
import {
  checkNamespace,
  formatWorkloadTarget,
  parseWorkloadTarget,
  printable,
  type WorkloadTarget,
} from './targets.js';

/** `pod/NAME.NAMESPACE`: one pod. */
export interface PodTarget {
  kind: 'pod';
  name: string;
  namespace: string;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const EXAMPLE = 'pod/web-5f7c9d8b4-x2x9q.emojivoto or deploy/web.emojivoto';

/**
 * `pod/NAME.NS` (the namespace after the last dot: a pod's name may hold dots, a namespace
 * may not), or a workload as `parseWorkloadTarget` reads it.
 */
export function parsePodOrWorkloadTarget(raw: string): PodTarget | WorkloadTarget {
  if (raw.length > 300) throw new UsageError('the target is too long', `Give it as ${EXAMPLE}.`);
  const m = /^(po|pod|pods)\/(.*)$/i.exec(raw);
  if (!m) {
    if (!raw.includes('/')) {
      throw new UsageError(`"${printable(raw)}" names no pod or workload`, `Give it as ${EXAMPLE}.`);
    }
    return parseWorkloadTarget(raw);
  }
  const rest = m[2]!;
  const dot = rest.lastIndexOf('.');
  if (dot <= 0 || dot === rest.length - 1) {
    throw new UsageError(`"${printable(raw)}" needs a namespace`, `Give it as ${EXAMPLE}.`);
  }
  const name = rest.slice(0, dot);
  const namespace = checkNamespace(rest.slice(dot + 1));
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    throw new UsageError(
      `"${printable(name)}" is not a pod name`,
      `Pod names are lowercase letters, digits, "-" and ".". Give it as ${EXAMPLE}.`,
    );
  }
  return { kind: 'pod', name, namespace };
}

export function formatPodOrWorkloadTarget(t: PodTarget | WorkloadTarget): string {
  return t.kind === 'pod' ? `pod/${t.name}.${t.namespace}` : formatWorkloadTarget(t);
}
