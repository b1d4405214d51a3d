import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { RecoveryReport } from '../steps/scale-test/recover-interrupted-scale-tests.js';
import { renderNotice } from './render/render-notice.js';
import type { ScaleTestRunner } from './scale-test-runner.js';
import { slackErrorCode } from './slack-error.js';

/**
 * At `serve` start: puts back workloads that a scale test interrupted by a crash left changed
 * (their `meshbot.io/scale-test` record), and says so in the configured channel (and the log).
 * Records of tests that may still run on another replica are restored once they cannot be.
 * Runs in the background; `stop()` ends the waiting at shutdown.
 */
export function startScaleTestRecovery(deps: {
  runner: ScaleTestRunner;
  client: webApi.WebClient;
  /** Channel id for the report; absent: the log only. */
  channel?: string | undefined;
  logger: Logger;
}): { done: Promise<RecoveryReport | undefined>; stop(): void } {
  const stop = new AbortController();
  const notify = async (text: string, report: RecoveryReport): Promise<void> => {
    deps.logger.warn({ report }, `interrupted scale tests: ${text}`);
    if (!deps.channel) return;
    const body = renderNotice(
      ':recycle:',
      'meshbot started and put back what interrupted scale tests left:',
      text,
    );
    await deps.client.chat.postMessage({ channel: deps.channel, ...body }).catch((err: unknown) => {
      deps.logger.warn(
        { err: slackErrorCode(err) ?? String(err) },
        'could not post the scale-test recovery report',
      );
    });
  };
  const done = deps.runner
    .recover({ notify, waitForRunning: true, signal: stop.signal })
    .catch((err: unknown) => {
      deps.logger.error(
        { err: err instanceof Error ? err.message : String(err) },
        'scale-test recovery failed',
      );
      return undefined;
    });
  return { done, stop: () => stop.abort() };
}
