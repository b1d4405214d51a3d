/**
 * The one runner of checks, as `linkerd check`'s: categories in order, a check waits for its
 * prerequisites (the fatal checks of the categories it depends on, the fatal checks listed
 * before it in its category, and the checks it `requires`) and is skipped with the reason when
 * one did not pass. Independent checks run concurrently, at most `concurrency` at once, each
 * within `checkTimeoutMs`. A check that throws is an `error` result (a 403 carries the RBAC
 * rule as its hint), never the end of the run.
 */
import { createConcurrencyLimit } from '../../adapters/concurrency-limit.js';
import { describeError, MeshbotError } from '../../errors.js';
import { CheckProblem, type CheckContext } from './check-context.js';
import { prerequisitesOf, validateCheckGraph } from './check-graph.js';
import {
  docsUrlFor,
  type CategoryDefinition,
  type CategoryResult,
  type CheckDefinition,
  type CheckOptions,
  type CheckResult,
  type CheckResultStatus,
} from './check-types.js';

export interface RunChecksOptions {
  categories: readonly CategoryDefinition[];
  checks: readonly CheckDefinition[];
  options: CheckOptions;
  context: CheckContext;
  /** Checks running at once at most; default 4. */
  concurrency?: number;
  /** Time limit of one check, ms; default 10 s. */
  checkTimeoutMs?: number;
  /** Ends every check still running (each check also gets its own signal, aborted at its time limit). */
  signal?: AbortSignal;
  /** Called as each check settles (for progress output). */
  onResult?: (check: CheckDefinition, result: CheckResult) => void;
}

const PASSED: ReadonlySet<CheckResultStatus> = new Set(['pass', 'warn']);

const RANK: Record<CategoryResult['status'], number> = { skipped: 0, pass: 1, warn: 2, fail: 3, error: 4 };

export async function runChecks(run: RunChecksOptions): Promise<CategoryResult[]> {
  const limit = createConcurrencyLimit(run.concurrency ?? 4);
  const timeoutMs = run.checkTimeoutMs ?? 10_000;
  const categories = run.categories.filter((c) => !c.when || c.when(run.options));
  const enabled = new Set(categories.map((c) => c.id));
  const checks = run.checks.filter((c) => enabled.has(c.category));
  validateCheckGraph(categories, checks);
  const prerequisites = prerequisitesOf(categories, checks);
  const results = new Map<string, Promise<CheckResult>>();

  const resultOf = (check: CheckDefinition): Promise<CheckResult> => {
    let p = results.get(check.id);
    if (!p) {
      p = settle(check);
      results.set(check.id, p);
    }
    return p;
  };

  async function settle(check: CheckDefinition): Promise<CheckResult> {
    const base = { id: check.id, description: check.description, docsUrl: docsUrlFor(check.hintAnchor) };
    for (const pre of prerequisites.get(check.id) ?? []) {
      const r = await resultOf(pre);
      if (!PASSED.has(r.status)) {
        const result: CheckResult = {
          ...base,
          status: 'skipped',
          message: `skipped: "${pre.description}" (${pre.category}) did not pass`,
          durationMs: 0,
        };
        run.onResult?.(check, result);
        return result;
      }
    }
    const result = await limit.run(() => runOne(check, base));
    run.onResult?.(check, result);
    return result;
  }

  async function runOne(
    check: CheckDefinition,
    base: Pick<CheckResult, 'id' | 'description' | 'docsUrl'>,
  ): Promise<CheckResult> {
    const started = Date.now();
    // The check's own signal ends it at its time limit, or when the whole run is cancelled.
    const own = new AbortController();
    const timer = setTimeout(() => own.abort(), timeoutMs);
    const signal = run.signal ? AbortSignal.any([own.signal, run.signal]) : own.signal;
    const ends: Array<() => void> = [];
    const stopped = new Promise<'timeout' | 'cancelled'>((resolve) => {
      const onAbort = (): void => resolve(own.signal.aborted ? 'timeout' : 'cancelled');
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      ends.push(() => signal.removeEventListener('abort', onAbort));
    });
    try {
      const outcome = await Promise.race([check.run(guarded(run.context, signal), signal), stopped]);
      const durationMs = Date.now() - started;
      if (outcome === 'timeout') {
        return {
          ...base,
          status: 'error',
          message: `did not finish within ${timeoutMs} ms`,
          hint: 'The Kubernetes API server is slow to answer; retry with a longer --timeout.',
          errorKind: 'timeout',
          durationMs,
        };
      }
      if (outcome === 'cancelled') {
        return { ...base, status: 'error', message: 'cancelled', errorKind: 'cancelled', durationMs };
      }
      const result: CheckResult = { ...base, status: outcome.status, message: outcome.message, durationMs };
      if (outcome.hint && outcome.status !== 'pass') result.hint = outcome.hint;
      if (outcome.details && outcome.details.length > 0) result.details = outcome.details;
      return result;
    } catch (err) {
      if (err instanceof CheckProblem) {
        const result: CheckResult = {
          ...base,
          status: 'fail',
          message: err.message,
          durationMs: Date.now() - started,
        };
        if (err.hint) result.hint = err.hint;
        return result;
      }
      const { message, hint } = describeError(err);
      const result: CheckResult = { ...base, status: 'error', message, durationMs: Date.now() - started };
      if (hint) result.hint = hint;
      result.errorKind = err instanceof MeshbotError ? err.kind : 'internal';
      return result;
    } finally {
      clearTimeout(timer);
      for (const end of ends) end();
      // A check still running is told to stop; its reads refuse to start from now on.
      if (!own.signal.aborted) own.abort();
    }
  }

  const settled = await Promise.all(checks.map((c) => resultOf(c)));
  const resultById = new Map(settled.map((r) => [r.id, r]));
  return categories
    .map((category): CategoryResult => {
      const own = checks.filter((c) => c.category === category.id).map((c) => resultById.get(c.id)!);
      const status = own.reduce<CategoryResult['status']>(
        (worst, r) => (RANK[r.status] > RANK[worst] ? r.status : worst),
        'skipped',
      );
      return { id: category.id, title: category.title, status, checks: own };
    })
    .filter((c) => c.checks.length > 0);
}

/**
 * The context a check sees: the shared one, whose reader refuses to start a read once the
 * check's signal has aborted, so a check past its limit stops at its next read.
 */
function guarded(context: CheckContext, signal: AbortSignal): CheckContext {
  const reader = new Proxy(context.reader, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        signal.throwIfAborted();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { ...context, reader };
}
