import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { LogLevelRecoveryReport } from '../../steps/proxy-log-level/recover-proxy-log-levels.js';
import { startRecoverySweeps } from '../../steps/scale-test/recovery-sweeps.js';
import { renderNotice } from '../render/render-notice.js';
import { slackErrorCode } from '../slack-error.js';
import type { LogLevelRunner } from './log-level-runner.js';

/** proxy-log-level records are swept this often (the scale test's are watched). */
export const LOG_LEVEL_SWEEP_MS = 5000;

/**
 * While `serve` runs: puts back the pods of proxy-log-level changes whose holder stopped (a
 * crashed replica), at start and then every few seconds, with the scale test's sweep loop, and
 * says so in the configured channel and the log. `stop()` ends the sweeps at shutdown.
 */
export function startLogLevelRecovery(deps: {
  runner: LogLevelRunner;
  client: webApi.WebClient;
  channel?: string | undefined;
  logger: Logger;
  /** How often the records are swept (no watch of them yet); default 5 s. */
  intervalMs?: number;
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
    resyncMs: deps.intervalMs ?? LOG_LEVEL_SWEEP_MS,
    onError: (err) =>
      deps.logger.error(
        { err: err instanceof Error ? err.message : String(err) },
        'proxy log level recovery failed',
      ),
  });
}
