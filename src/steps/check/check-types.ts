/**
 * Checks as data, as Linkerd's `pkg/healthcheck`: each check has an id, a category, a
 * description, a hint anchor in Linkerd's documentation and a function. The runner
 * (run-checks.ts) orders them, bounds their concurrency and time, and skips the dependants
 * of a failed fatal check; the renderers group the results by category.
 */
import type { CheckContext } from './check-context.js';

export const CHECKS_DOCS_URL = 'https://linkerd.io/2/checks/';

/** What a check function says. */
export interface CheckOutcome {
  status: 'pass' | 'warn' | 'fail';
  /** One line: what was seen. */
  message: string;
  /** What to do about it (warn/fail). */
  hint?: string;
  /** One line per subject: pods, certificates, CRDs. */
  details?: string[];
}

export type CategoryId =
  | 'kubernetes-api'
  | 'kubernetes-version'
  | 'linkerd-existence'
  | 'linkerd-config'
  | 'linkerd-identity'
  | 'linkerd-webhooks-and-apisvc-tls'
  | 'linkerd-destination'
  | 'linkerd-data-plane';

export interface CategoryDefinition {
  id: CategoryId;
  /** Heading as `linkerd check` prints it, e.g. `kubernetes-api`. */
  title: string;
  /** Categories whose fatal checks must pass first; otherwise this category is skipped. */
  dependsOn: CategoryId[];
  /** Data-plane checks run only with --proxy or a namespace. */
  when?: (opts: CheckOptions) => boolean;
}

export interface CheckDefinition {
  /** Stable id, used in JSON and as the finding code, e.g. `l5d-identity-issuer-time-valid`. */
  id: string;
  category: CategoryId;
  description: string;
  /** Anchor in https://linkerd.io/2/checks/, e.g. `l5d-identity-issuer-cert-is-time-valid`. */
  hintAnchor: string;
  /** A failure skips the checks listed after it in its category and every dependent category. */
  fatal?: boolean;
  /** Ids of checks that must pass (or warn) first; otherwise this one is skipped. */
  requires?: string[];
  /** `signal` aborts when the check passes its time limit or the run is cancelled: stop then. */
  run(ctx: CheckContext, signal: AbortSignal): Promise<CheckOutcome>;
}

export interface CheckOptions {
  /** Linkerd control-plane namespace; default `linkerd`. */
  controlPlaneNamespace: string;
  /** Run the data-plane checks (`--proxy`, or implied by a namespace). */
  proxy: boolean;
  /** Limit the data-plane checks to one namespace; absent = every namespace. */
  namespace?: string;
}

/** `error`: the check could not ask (403, timeout, unreachable); `skipped`: a prerequisite failed. */
export type CheckResultStatus = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

export interface CheckResult {
  id: string;
  description: string;
  status: CheckResultStatus;
  message: string;
  hint?: string;
  /** `https://linkerd.io/2/checks/#<anchor>` */
  docsUrl: string;
  details?: string[];
  /** For `error`: the kind of MeshbotError (forbidden, unauthenticated, unreachable, timeout, ...). */
  errorKind?: string;
  durationMs: number;
}

export interface CategoryResult {
  id: CategoryId;
  title: string;
  /** Worst status of its checks (skipped counts as pass). */
  status: 'pass' | 'warn' | 'fail' | 'error' | 'skipped';
  checks: CheckResult[];
}

/** `data` of the check step's StepResult (docs/check.md). */
export interface CheckData {
  controlPlaneNamespace: string;
  /** Data-plane scope: a namespace, `all namespaces`, or absent when not asked. */
  dataPlane?: string;
  /** Control-plane version, when it could be determined. */
  controlPlaneVersion?: string;
  categories: CategoryResult[];
  counts: Record<CheckResultStatus, number>;
}

export function docsUrlFor(anchor: string): string {
  return `${CHECKS_DOCS_URL}#${anchor}`;
}
