import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { RecoveryReport } from '../steps/scale-test/recover-interrupted-scale-tests.js';
import { startRecoverySweeps } from '../steps/scale-test/recovery-sweeps.js';
import { renderNotice } from './render/render-notice.js';
import type { ScaleTestRunner } from './scale-test-runner.js';
import { slackErrorCode } from './slack-error.js';

/**
 * While `serve` runs: puts back workloads that a scale test interrupted by a crash left changed
 * (their `meshbot.io/scale-test` record), at start and then when a watched record goes stale
 * (recovery-sweeps.ts; a sweep at least every minute as well), and says so in the configured
 * channel (and the log). A record whose heartbeat is fresh (a test running here or on another
 * replica) is left alone; one whose heartbeat stopped (or, for a record without one, whose test
 * is past its limit) is restored by the first sweep to see it.
 * `stop()` ends the sweeps at shutdown and waits for the one in flight.
 */
export function startScaleTestRecovery(deps: {
  runner: ScaleTestRunner;
  client: webApi.WebClient;
  /** Channel id for the report; absent: the log only. */
  channel?: string | undefined;
  logger: Logger;
  /** Longest time between two sweeps, ms (default 60 s); records going stale sweep sooner. */
  resyncMs?: number;
  /** Counts workloads put back (and failures) in meshbot's own metrics. */
  onRestored?: (report: RecoveryReport) => void;
}): { firstSweep: Promise<RecoveryReport | undefined>; stop(): Promise<void> } {
  let sweeps = 0;
  let resolveFirst: (r: RecoveryReport | undefined) => void = () => undefined;
  const firstSweep = new Promise<RecoveryReport | undefined>((resolve) => (resolveFirst = resolve));
  const notify = async (text: string, report: RecoveryReport): Promise<void> => {
    deps.onRestored?.(report);
    deps.logger.warn({ report }, `interrupted scale tests: ${text}`);
    if (!deps.channel) return;
    const body = renderNotice(
      ':recycle:',
      sweeps === 0
        ? 'meshbot started and put back what interrupted scale tests left:'
        : 'meshbot put back what an interrupted scale test left (its process stopped):',
      text,
    );
    await deps.client.chat.postMessage({ channel: deps.channel, ...body }).catch((err: unknown) => {
      deps.logger.warn(
        { err: slackErrorCode(err) ?? String(err) },
        'could not post the scale-test recovery report',
      );
    });
  };
  const loop = startRecoverySweeps((signal) => deps.runner.recover({ notify, signal }), {
    watchRecords: (handlers) => deps.runner.watchRecords(handlers),
    ...(deps.resyncMs !== undefined ? { resyncMs: deps.resyncMs } : {}),
    onSweep: (report) => {
      if (sweeps++ === 0) resolveFirst(report);
    },
    onError: (err) => {
      deps.logger.error(
        { err: err instanceof Error ? err.message : String(err) },
        'scale-test recovery failed',
      );
      if (sweeps++ === 0) resolveFirst(undefined);
    },
  });
  return {
    firstSweep,
    async stop() {
      await loop.stop();
      resolveFirst(undefined);
    },
  };
}
