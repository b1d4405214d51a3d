/**
 * The sweep's judgement (pure): which endpoint differences count as drift, whether a second
 * look confirms them, and how one port's findings become fingerprinted sweep findings.
 */
import { fingerprintOf } from '../../drift/fingerprint.js';
import type { Finding } from '../../domain/step-result.js';
import type { SweepFinding } from './sweep-types.js';

/**
 * Endpoint findings that say the destination disagrees with Kubernetes. Not-ready and
 * terminating endpoints both sides agree on, and services without ready endpoints, are the
 * workload's state, not drift.
 */
export const DRIFT_CODES: ReadonlySet<string> = new Set([
  'stale-in-destination',
  'missing-from-destination',
  'unknown-to-destination',
  'not-ready-in-destination',
  'terminating-in-destination',
]);

export function driftFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => DRIFT_CODES.has(f.code));
}

const keyOf = (f: Finding): string => `${f.code}\0${f.subject ?? ''}`;

/**
 * The differences of the second look that the first look saw too, provided Kubernetes did not
 * change in between (a rollout in flight is not drift): none when it changed.
 */
export function confirmDrift(
  first: readonly Finding[],
  second: readonly Finding[],
  kubernetesChanged: boolean,
): Finding[] {
  if (kubernetesChanged) return [];
  const seen = new Set(first.map(keyOf));
  return second.filter((f) => seen.has(keyOf(f)));
}

/** Whether two lists of `NAME@RESOURCEVERSION` differ. */
export function versionsChanged(a: readonly string[], b: readonly string[]): boolean {
  return a.length !== b.length || a.some((v, i) => v !== b[i]);
}

const SEVERITY_RANK: Record<Finding['severity'], number> = { info: 0, warn: 1, fail: 2, error: 3 };

/**
 * One sweep finding per kind for a service port (subject `SVC.NS:PORT`), listing its addresses:
 * the first finding's message, with how many more addresses share it.
 */
export function groupPortFindings(
  cluster: string,
  service: string,
  port: number,
  findings: readonly Finding[],
): SweepFinding[] {
  const byCode = new Map<string, Finding[]>();
  for (const f of findings) {
    let list = byCode.get(f.code);
    if (!list) byCode.set(f.code, (list = []));
    list.push(f);
  }
  const subject = `${service}:${port}`;
  return [...byCode.entries()].map(([code, list]) => {
    const first = list[0]!;
    const addresses = list.map((f) => f.subject).filter((a): a is string => a !== undefined && a !== '');
    const more = list.length - 1;
    const severity = list.reduce<Finding['severity']>(
      (worst, f) => (SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst] ? f.severity : worst),
      'info',
    );
    const out: SweepFinding = {
      severity,
      code,
      kind: code,
      subject,
      cluster,
      fingerprint: fingerprintOf(cluster, code, subject),
      source: 'endpoints',
      message:
        more > 0 ? `${first.message} (and ${more} more address${more === 1 ? '' : 'es'})` : first.message,
      addresses: [...new Set(addresses)].sort(),
      service,
      port,
    };
    if (first.hint) out.hint = first.hint;
    return out;
  });
}
