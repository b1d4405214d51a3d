/**
 * The control-plane findings that drift over time, from the check step's own checks (not a
 * second copy of them): trust anchor, issuer and proxy-injector webhook certificate validity
 * and expiry, proxies older than the control plane, destination pods ready.
 */
import { fingerprintOf } from '../../drift/fingerprint.js';
import { CHECKS } from '../check/check-catalog.js';
import { runCheckStep, type CheckAdapters } from '../check/run-check-step.js';
import type { NotAsked, SweepFinding } from './sweep-types.js';

/** The checks a sweep runs, with the read checks they require. */
export const DRIFT_CHECK_IDS: readonly string[] = [
  'l5d-identity-trust-anchors-readable',
  'l5d-identity-trust-anchors-time-valid',
  'l5d-identity-trust-anchors-not-expiring-soon',
  'l5d-identity-issuer-readable',
  'l5d-identity-issuer-time-valid',
  'l5d-identity-issuer-not-expiring-soon',
  'l5d-existence-mwc',
  'l5d-proxy-injector-webhook-cert-valid',
  'l5d-proxy-injector-webhook-cert-not-expiring-soon',
  'l5d-destination-ready',
  'l5d-data-plane-version',
];

export interface ControlPlaneDrift {
  findings: SweepFinding[];
  notAsked: NotAsked[];
}

/**
 * Runs the drift checks; a check that could not ask becomes a NotAsked, a warning or failure a
 * finding keyed by the check id and the control-plane namespace.
 */
export async function controlPlaneDrift(
  cluster: string,
  adapters: CheckAdapters,
  scope: { namespace?: string; now?: Date },
): Promise<ControlPlaneDrift> {
  const ids = new Set(DRIFT_CHECK_IDS);
  const result = await runCheckStep(
    { proxy: true, ...(scope.namespace ? { namespace: scope.namespace } : {}) },
    adapters,
    { checks: CHECKS.filter((c) => ids.has(c.id)), ...(scope.now ? { now: scope.now } : {}) },
  );
  const cpNamespace = result.data.controlPlaneNamespace;
  const findings: SweepFinding[] = [];
  const notAsked: NotAsked[] = [];
  for (const f of result.findings) {
    if (f.severity === 'error') {
      const n: NotAsked = { what: `check ${f.code}`, reason: f.message, services: 0 };
      if (f.hint) n.hint = f.hint;
      notAsked.push(n);
      continue;
    }
    if (f.severity === 'info') continue;
    const subject =
      f.code === 'l5d-data-plane-version'
        ? `data plane in ${scope.namespace ?? 'all namespaces'}`
        : cpNamespace;
    const out: SweepFinding = {
      ...f,
      kind: f.code,
      subject,
      cluster,
      fingerprint: fingerprintOf(cluster, f.code, subject),
      source: 'control-plane',
    };
    findings.push(out);
  }
  return { findings, notAsked };
}
