import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { LogLevelRecoveryReport } from '../../steps/proxy-log-level/recover-proxy-log-levels.js';
import { startRecoverySweeps } from '../../steps/scale-test/recovery-sweeps.js';
import { renderNotice } from '../render/render-notice.js';
import { slackErrorCode } from '../slack-error.js';
import type { LogLevelRunner } from './log-level-runner.js';

/**
 * While `serve` runs: puts back the pods of proxy-log-level changes whose holder stopped (a
 * crashed replica), at start and then when a watched record goes stale (its heartbeat stopped,
 * or its expiry and a margin passed: a timer per record, re-armed by every change the watch
 * sees), with the scale test's loop (recovery-sweeps.ts: a sweep at least every minute as well),
 * and says so in the configured channel and the log. `stop()` ends the loop and its watches.
 */
export function startLogLevelRecovery(deps: {
  runner: LogLevelRunner;
  client: webApi.WebClient;
  channel?: string | undefined;
  logger: Logger;
  /** Longest time between two sweeps, ms (default 60 s); records going stale sweep sooner. */
  resyncMs?: number;
}): { stop(): Promise<void> } {
  const notify = async (text: string, report: LogLevelRecoveryReport): Promise<void> => {
    deps.logger.warn({ report }, `interrupted proxy log levels: ${text}`);
    if (!deps.channel) return;
    const body = renderNotice(
      ':recycle:',
      'meshbot put back proxy log levels an interrupted change left:',
      text,
    );
    await deps.client.chat.postMessage({ channel: deps.channel, ...body }).catch((err: unknown) => {
      deps.logger.warn(
        { err: slackErrorCode(err) ?? String(err) },
        'could not post the log level recovery report',
      );
    });
  };
  return startRecoverySweeps<LogLevelRecoveryReport>(() => deps.runner.recover({ notify }), {
    watchRecords: (handlers) => deps.runner.watchRecords(handlers),
    ...(deps.resyncMs !== undefined ? { resyncMs: deps.resyncMs } : {}),
    onError: (err) =>
      deps.logger.error(
        { err: err instanceof Error ? err.message : String(err) },
        'proxy log level recovery failed',
      ),
  });
}
