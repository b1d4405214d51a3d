/**
 * The tap step: a bounded sample of a workload's live requests through linkerd-viz tap, and its
 * summary. The sample stops at the first of: the duration, the request count, the caller's
 * abort, or the server ending the stream; the stream is closed in every case. The operator's
 * caps (TapLimits) bound both. Viz not installed is a finding, not a crash.
 */
import { TapUnavailableError, type TapClient } from '../../adapters/tap/tap-client.js';
import type { TapRequestSpec } from '../../adapters/tap/tap-wire.js';
import {
  statusFromFindings,
  type EvidenceTable,
  type Finding,
  type StepResult,
} from '../../domain/step-result.js';
import { UsageError } from '../../errors.js';
import { formatDuration } from '../../grammar/duration.js';
import { meshCommands } from '../../grammar/mesh-commands.js';
import type { TapCommand } from '../../grammar/tap-command.js';
import { formatTapTarget } from '../../grammar/tap-target.js';
import { nextStepsOfTap } from './tap-next-steps.js';
import { createRequestJoiner } from './join-tap-events.js';
import { formatMs, formatRate, groupRoutes, judgeRoutes, requestRow, routeRows } from './summarize-tap.js';
import type { TapEventJson } from '../../adapters/tap/tap-wire.js';
import { DEFAULT_TAP_LIMITS, TAP_EVENTS_PER_REQUEST, type TapData, type TapLimits } from './tap-types.js';

export interface TapStepAdapters {
  tap: TapClient;
  /** The cluster's name in the adapter pool, recorded in the result. */
  cluster?: string;
}

export interface TapStepOptions {
  limits?: TapLimits;
  signal?: AbortSignal;
  onProgress?(text: string): void;
}

/** Requests per second the tap server inspects at most (the linkerd CLI's default --max-rps). */
const TAP_MAX_RPS = 100;

/** The command within the operator's caps. @throws UsageError naming the cap and its setting. */
export function checkTapLimits(command: TapCommand, limits: TapLimits): void {
  if (command.durationSeconds > limits.maxDurationSeconds) {
    throw new UsageError(
      `--duration ${formatDuration(command.durationSeconds)} is above the cap of ${formatDuration(limits.maxDurationSeconds)}`,
      `Ask for at most --duration ${formatDuration(limits.maxDurationSeconds)} (the operator's setting tap.maxDurationSeconds).`,
    );
  }
  if (command.maxRequests > limits.maxRequests) {
    throw new UsageError(
      `--max ${command.maxRequests} is above the cap of ${limits.maxRequests} requests`,
      `Ask for at most --max ${limits.maxRequests} (the operator's setting tap.maxRequests).`,
    );
  }
}

export function tapRequestOf(command: TapCommand): TapRequestSpec {
  const spec: TapRequestSpec = {
    target: { namespace: command.target.namespace, type: command.target.kind, name: command.target.name },
    maxRps: TAP_MAX_RPS,
  };
  if (command.to) spec.to = { namespace: command.to.namespace, type: command.to.kind, name: command.to.name };
  const http: NonNullable<TapRequestSpec['http']> = {};
  if (command.path !== undefined) http.path = command.path;
  if (command.method !== undefined) http.method = command.method;
  if (Object.keys(http).length) spec.http = http;
  return spec;
}

function unavailableResult(command: TapCommand, err: TapUnavailableError, started: Date): StepResult<null> {
  return {
    step: 'tap',
    target: formatTapTarget(command.target),
    status: 'error',
    summary:
      err.reason === 'not-installed'
        ? 'No tap: linkerd-viz is not installed on this cluster'
        : 'No tap: the linkerd-viz tap API is not serving',
    findings: [
      {
        severity: 'error',
        code: err.reason === 'not-installed' ? 'viz-not-installed' : 'tap-unavailable',
        message: err.message,
        ...(err.hint ? { hint: err.hint } : {}),
      },
    ],
    evidence: [],
    next: [
      { label: 'Check the control plane', command: meshCommands.check() },
      ...nextStepsOfTap(command.target),
    ],
    data: null,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  };
}

export async function runTapStep(
  command: TapCommand,
  adapters: TapStepAdapters,
  options: TapStepOptions = {},
): Promise<StepResult<TapData | null>> {
  const started = new Date();
  checkTapLimits(command, options.limits ?? DEFAULT_TAP_LIMITS);
  const targetText = formatTapTarget(command.target);
  const stop = new AbortController();
  let ended = 'duration' as TapData['ended'];
  const stopWith = (why: TapData['ended']): void => {
    if (stop.signal.aborted) return;
    ended = why;
    stop.abort();
  };
  const timer = setTimeout(() => stopWith('duration'), command.durationSeconds * 1000);
  const onCallerAbort = (): void => stopWith('aborted');
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.signal?.aborted) stopWith('aborted');
  const t0 = Date.now();
  const joiner = createRequestJoiner(() => Date.now() - t0);
  let completed = 0;
  let lastProgress = 0;
  // The raw events, bounded by the sample's own limit: three per request of --max.
  const events: TapEventJson[] = [];
  const maxEvents = TAP_EVENTS_PER_REQUEST * command.maxRequests;
  let eventsDropped = 0;
  options.onProgress?.(`tapping ${targetText} for up to ${formatDuration(command.durationSeconds)}`);
  try {
    const end = await adapters.tap.watch(
      tapRequestOf(command),
      (event, json) => {
        if (stop.signal.aborted) return;
        if (events.length < maxEvents) events.push(json);
        else eventsDropped++;
        if (!joiner.add(event)) return;
        completed++;
        if (completed >= command.maxRequests) stopWith('count');
        else if (Date.now() - lastProgress >= 1000) {
          lastProgress = Date.now();
          options.onProgress?.(`tapping ${targetText}: ${completed} requests so far`);
        }
      },
      stop.signal,
    );
    if (end === 'server-closed') ended = 'server-closed';
    // Aborted from outside the step (the adapter set closing at shutdown).
    else if (!stop.signal.aborted) ended = 'aborted';
  } catch (err) {
    if (err instanceof TapUnavailableError) return unavailableResult(command, err, started);
    throw err;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
    stop.abort();
  }

  const requests = joiner.requests();
  const done = requests.filter((r) => r.complete);
  const routes = groupRoutes(done);
  const data: TapData = {
    ...(adapters.cluster !== undefined ? { cluster: adapters.cluster } : {}),
    match: {
      ...(command.to ? { to: formatTapTarget(command.to) } : {}),
      ...(command.path !== undefined ? { path: command.path } : {}),
      ...(command.method !== undefined ? { method: command.method } : {}),
    },
    durationSeconds: command.durationSeconds,
    maxRequests: command.maxRequests,
    ended,
    requestCount: done.length,
    inFlight: joiner.inFlight(),
    routes,
    requests,
    events,
    eventsDropped,
  };
  const elapsed = formatDuration(Math.max(0.001, (Date.now() - t0) / 1000));
  const findings: Finding[] = judgeRoutes(routes);
  if (done.length === 0) {
    findings.push({
      severity: 'warn',
      code: 'no-requests',
      message: `No requests ${Object.keys(data.match).length ? 'matched ' : ''}in ${elapsed} of tapping ${targetText}`,
      hint: 'Is the workload receiving or sending traffic? Widen the match (--to, --path, --method) or tap longer (--duration).',
    });
  } else if (findings.length === 0) {
    findings.push({
      severity: 'info',
      code: 'routes-healthy',
      message: `Every route of ${targetText} succeeded at ${formatRate(0.99)} or better`,
    });
  }
  const failing = done.filter((r) => r.success === false);
  const slowest = [...done].sort((a, b) => (b.latencyMs ?? 0) - (a.latencyMs ?? 0)).slice(0, 5);
  const requestColumns = ['At', 'Method', 'Path', 'Source', 'Destination', 'Status', 'Latency'];
  const evidence: EvidenceTable[] = [
    {
      title: `Routes of ${targetText} (${done.length} requests in ${elapsed})`,
      columns: [
        'Method',
        'Path',
        'Destination',
        'Direction',
        'Count',
        'Success',
        'p50',
        'p95',
        'Max',
        'Statuses',
      ],
      rows: routeRows(routes),
    },
  ];
  if (failing.length) {
    evidence.push({
      title: `Failing requests (${failing.length}; the first 5)`,
      columns: requestColumns,
      rows: failing.slice(0, 5).map(requestRow),
    });
  }
  if (slowest.length) {
    evidence.push({ title: 'Slowest requests', columns: requestColumns, rows: slowest.map(requestRow) });
  }
  const stopped =
    ended === 'count'
      ? `stopped at ${command.maxRequests} requests`
      : ended === 'server-closed'
        ? 'the tap server ended the stream'
        : ended === 'aborted'
          ? `stopped after ${elapsed}`
          : `over ${elapsed}`;
  const problem = findings.find((f) => f.severity === 'fail' || f.severity === 'warn');
  const summary =
    done.length === 0
      ? `No requests seen tapping ${targetText} (${stopped})`
      : problem && problem.code === 'route-failing'
        ? `Worst route of ${targetText}: ${problem.message} (${done.length} requests, ${stopped})`
        : `${done.length} requests of ${targetText} over ${routes.length} route${routes.length === 1 ? '' : 's'}, all healthy (${stopped}); slowest p95 ${formatMs(Math.max(...routes.map((r) => r.p95Ms)))}`;
  return {
    step: 'tap',
    target: targetText,
    status: statusFromFindings(findings),
    summary,
    findings,
    evidence,
    next: nextStepsOfTap(command.target),
    data,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  };
}
