/**
 * The `check` step: runs the catalog of checks against a cluster through a ControlPlaneReader
 * and returns a StepResult<CheckData> grouped by category, each warning and failure a finding
 * with its hint and a link to Linkerd's documentation.
 *
 * Status: `error` when Kubernetes could not be asked (the API check failed, or a read was
 * unreachable or unauthenticated); else
 * the worst check, where a check that could not ask (a 403, a timeout) counts as `fail`.
 */
import type { ClusterOptions } from '../../adapters/cluster-options.js';
import type { ControlPlaneReader } from '../../adapters/kube/control-plane-reader.js';
import type { EvidenceTable, Finding, NextStep, StepResult, StepStatus } from '../../domain/step-result.js';
import { worstStatus } from '../../domain/step-result.js';
import { certificateLabel, evaluateValidity, iso, type ParsedCertificate } from './certificates.js';
import { CHECK_CATEGORIES, CHECKS } from './check-catalog.js';
import { CONTROL_PLANE_COMPONENT_LABEL, createCheckContext, type SeenObjects } from './check-context.js';
import type {
  CategoryDefinition,
  CategoryResult,
  CheckData,
  CheckDefinition,
  CheckOptions,
  CheckResult,
  CheckResultStatus,
} from './check-types.js';
import { evaluatePod } from './pod-health.js';
import { runChecks } from './run-checks.js';

export interface CheckRequest {
  proxy: boolean;
  namespace?: string;
  /** Default: the adapters' ClusterOptions.controlPlaneNamespace, then `linkerd`. */
  controlPlaneNamespace?: string;
}

/** What the step needs of the adapters (openAdapters' Adapters is one). */
export interface CheckAdapters {
  options: ClusterOptions;
  controlPlane: ControlPlaneReader;
}

export interface CheckStepOptions {
  /** The time certificates are judged at; default now. */
  now?: Date;
  concurrency?: number;
  checkTimeoutMs?: number;
  /** Window of recent events, ms; default 15 min. */
  eventWindowMs?: number;
  /** A certificate expiring within this many days is a warning; default 60 (linkerd check). */
  certificateWarningDays?: number;
  onResult?: (check: CheckDefinition, result: CheckResult) => void;
  /** Cancels the checks still running. */
  signal?: AbortSignal;
  /** Replaces the catalog (tests). */
  categories?: readonly CategoryDefinition[];
  checks?: readonly CheckDefinition[];
}

export const DEFAULT_CONTROL_PLANE_NAMESPACE = 'linkerd';

export async function runCheckStep(
  request: CheckRequest,
  adapters: CheckAdapters,
  stepOptions: CheckStepOptions = {},
): Promise<StepResult<CheckData>> {
  const startedAt = new Date();
  const reader = adapters.controlPlane;
  const checkTimeoutMs = stepOptions.checkTimeoutMs ?? adapters.options.timeoutMs;
  const options: CheckOptions = {
    controlPlaneNamespace:
      request.controlPlaneNamespace ??
      adapters.options.controlPlaneNamespace ??
      DEFAULT_CONTROL_PLANE_NAMESPACE,
    proxy: request.proxy || request.namespace !== undefined,
    ...(request.namespace ? { namespace: request.namespace } : {}),
  };
  const context = createCheckContext(reader, options, {
    ...(stepOptions.now ? { now: stepOptions.now } : {}),
    ...(stepOptions.eventWindowMs ? { eventWindowMs: stepOptions.eventWindowMs } : {}),
    ...(stepOptions.certificateWarningDays !== undefined
      ? { certificateWarningDays: stepOptions.certificateWarningDays }
      : {}),
  });
  const categories = await runChecks({
    categories: stepOptions.categories ?? CHECK_CATEGORIES,
    checks: stepOptions.checks ?? CHECKS,
    options,
    context,
    ...(stepOptions.concurrency ? { concurrency: stepOptions.concurrency } : {}),
    ...(checkTimeoutMs ? { checkTimeoutMs } : {}),
    ...(stepOptions.onResult ? { onResult: stepOptions.onResult } : {}),
    ...(stepOptions.signal ? { signal: stepOptions.signal } : {}),
  });

  const all = categories.flatMap((c) => c.checks);
  const counts: Record<CheckResultStatus, number> = { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 };
  for (const r of all) counts[r.status]++;
  const seen = context.seen();
  const data: CheckData = {
    controlPlaneNamespace: options.controlPlaneNamespace,
    categories,
    counts,
  };
  if (options.proxy) data.dataPlane = options.namespace ?? 'all namespaces';
  if (seen.controlPlaneVersion) data.controlPlaneVersion = seen.controlPlaneVersion.version;

  const status = stepStatus(categories);
  return {
    step: 'check',
    target: `${options.controlPlaneNamespace}${options.proxy ? ` + data plane in ${options.namespace ?? 'all namespaces'}` : ''}`,
    status,
    summary: summarize(status, counts, all.length, options.controlPlaneNamespace),
    findings: findingsOf(categories),
    evidence: [checksTable(categories), ...evidenceOf(seen, context.now)],
    next: nextSteps(categories),
    data,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
}

/** Errors that mean Kubernetes as a whole could not be asked, not just one read. */
const CLUSTER_WIDE_ERRORS: ReadonlySet<string> = new Set(['unreachable', 'unauthenticated']);

function stepStatus(categories: readonly CategoryResult[]): StepStatus {
  const api = categories.find((c) => c.id === 'kubernetes-api');
  if (api?.checks.some((c) => c.status === 'error' || c.status === 'fail')) return 'error';
  const all = categories.flatMap((c) => c.checks);
  if (all.some((r) => r.status === 'error' && CLUSTER_WIDE_ERRORS.has(r.errorKind ?? ''))) return 'error';
  return worstStatus(
    ...categories.flatMap((c) =>
      c.checks.map((r): StepStatus =>
        r.status === 'skipped' ? 'pass' : r.status === 'error' ? 'fail' : r.status,
      ),
    ),
  );
}

function summarize(
  status: StepStatus,
  counts: Record<CheckResultStatus, number>,
  total: number,
  namespace: string,
): string {
  if (status === 'error') {
    return counts.pass > 0
      ? `Could not ask Kubernetes for everything: ${counts.error} check${counts.error === 1 ? '' : 's'} could not reach it or were not let in; ${counts.pass} of ${total} passed.`
      : 'Could not ask Kubernetes: the API did not answer; no Linkerd check ran.';
  }
  const problems = [
    counts.fail ? `${counts.fail} failed` : '',
    counts.error ? `${counts.error} could not be asked` : '',
    counts.warn ? `${counts.warn} warning${counts.warn === 1 ? '' : 's'}` : '',
    counts.skipped ? `${counts.skipped} skipped` : '',
  ].filter(Boolean);
  const lead =
    status === 'pass'
      ? 'Linkerd is healthy'
      : status === 'warn'
        ? 'Linkerd works, with warnings'
        : 'Linkerd has problems';
  return `${lead} (control plane in ${namespace}): ${counts.pass} of ${total} checks passed${problems.length ? `, ${problems.join(', ')}` : ''}.`;
}

function detailsText(details: readonly string[] | undefined): string {
  if (!details || details.length === 0) return '';
  const shown = details.slice(0, MAX_FINDING_DETAILS).join('; ');
  const more = details.length - MAX_FINDING_DETAILS;
  return ` (${shown}${more > 0 ? `; and ${more} more` : ''})`;
}

function findingsOf(categories: readonly CategoryResult[]): Finding[] {
  return categories.flatMap((category) =>
    category.checks.flatMap((r): Finding[] => {
      if (r.status === 'pass' || r.status === 'skipped') return [];
      const finding: Finding = {
        severity: r.status,
        code: r.id,
        message: `${r.description}: ${r.message}${detailsText(r.details)}`,
        docsUrl: r.docsUrl,
        subject: category.title,
      };
      if (r.hint) finding.hint = r.hint;
      return [finding];
    }),
  );
}

const RESULT_WORD: Record<CheckResultStatus, string> = {
  pass: 'ok',
  warn: 'WARN',
  fail: 'FAIL',
  error: 'ERROR',
  skipped: 'skipped',
};

/** Every check and its result, grouped by category: the overview `linkerd check` prints. */
function checksTable(categories: readonly CategoryResult[]): EvidenceTable {
  return {
    title: 'Checks',
    columns: ['result', 'category', 'check'],
    // The category only on its first row, as the grouped text output (and shorter in Slack).
    rows: categories.flatMap((c) =>
      c.checks.map((r, i) => [RESULT_WORD[r.status], i === 0 ? c.title : '', r.description]),
    ),
  };
}

const MAX_FINDING_DETAILS = 3;

function certificateRow(role: string, c: ParsedCertificate, now: Date): string[] {
  const v = evaluateValidity(c, now);
  return [
    role,
    certificateLabel(c),
    `${c.publicKeyAlgorithm}, ${c.signatureAlgorithm}`,
    iso(c.notAfter),
    String(v.daysLeft),
    v.state,
  ];
}

function evidenceOf(seen: SeenObjects, now: Date): EvidenceTable[] {
  const tables: EvidenceTable[] = [];
  if (seen.controlPlanePods && seen.controlPlanePods.length > 0) {
    tables.push({
      title: 'Control-plane pods',
      columns: ['pod', 'component', 'phase', 'ready', 'restarts', 'proxy version'],
      rows: seen.controlPlanePods.map((p) => {
        const h = evaluatePod(p);
        return [
          h.name,
          p.metadata?.labels?.[CONTROL_PLANE_COMPONENT_LABEL] ?? '',
          h.unschedulable ? 'Unschedulable' : h.phase,
          h.ready ? 'yes' : 'no',
          String(h.restarts),
          h.proxyVersion ?? '',
        ];
      }),
    });
  }
  const certs = [
    ...(seen.trustAnchors ?? []).map((c) => certificateRow('trust anchor', c, now)),
    ...(seen.issuer ? [certificateRow('issuer', seen.issuer.certificate, now)] : []),
  ];
  if (certs.length > 0) {
    tables.push({
      title: 'Identity certificates',
      columns: ['role', 'certificate', 'algorithm', 'not after', 'days left', 'state'],
      rows: certs,
    });
  }
  return tables;
}

function nextSteps(categories: readonly CategoryResult[]): NextStep[] {
  /** Whether a check of the category found a problem (not merely could not ask). */
  const bad = (id: string): boolean =>
    categories.some((c) => c.id === id && c.checks.some((r) => r.status === 'fail' || r.status === 'warn'));
  const next: NextStep[] = [];
  if (bad('linkerd-destination')) {
    // Advice, not buttons: check knows no service to name, and a button must run as it is.
    next.push({
      label: 'Compare what destination serves with Kubernetes',
      description:
        'For a service that fails fast: does the destination controller still serve its endpoints? Run `endpoints SERVICE.NAMESPACE` for it.',
    });
    next.push({
      label: "Look at the destination's own numbers",
      description:
        'Informer lag and endpoint updates from Prometheus: run `metrics SERVICE.NAMESPACE` for the service.',
    });
  }
  if (bad('linkerd-identity')) {
    next.push({
      label: 'Rotate the identity certificates',
      description: 'https://linkerd.io/2/tasks/manually-rotating-control-plane-tls-credentials/',
    });
  }
  return next;
}
