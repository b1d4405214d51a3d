/**
 * The live countdown of a raised proxy log level: the thread's "logs at LEVEL until TIME"
 * message (with its Stop button) is updated in place with the time left, at a bounded rate
 * (every `everyMs`, a minute in `serve`; never two updates in flight), until the change ends;
 * then `finish` stops the ticks and leaves the message in its final state (put back, and why).
 * A failed update is logged and the next tick tries again.
 */
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackMessageBody } from '../render/slack-block.js';
import { slackErrorCode } from '../slack-error.js';

/** How often the countdown is updated by default. */
export const LOG_LEVEL_COUNTDOWN_MS = 60_000;

export interface LogLevelCountdown {
  /** Stops the ticks, waits for one in flight, and updates the message one last time. */
  finish(body: SlackMessageBody): Promise<void>;
}

export function startLogLevelCountdown(options: {
  client: webApi.WebClient;
  channel: string;
  ts: string;
  everyMs: number;
  /** The message at a tick (the time left as of now). */
  render(now: number): SlackMessageBody;
  /** No tick after this (ms since epoch): the change is putting its pods back. */
  until: number;
  logger: Logger;
}): LogLevelCountdown {
  let inFlight: Promise<void> | undefined;
  let finished = false;
  const update = (body: SlackMessageBody): Promise<void> =>
    options.client.chat
      .update({ channel: options.channel, ts: options.ts, ...body })
      .then(() => undefined)
      .catch((err: unknown) =>
        options.logger.warn(
          { err: slackErrorCode(err) ?? String(err) },
          'could not update the proxy log level countdown',
        ),
      );
  const tick = (): void => {
    const now = Date.now();
    if (finished || inFlight) return;
    if (now >= options.until) clearInterval(timer);
    inFlight = update(options.render(now)).finally(() => (inFlight = undefined));
  };
  const timer = setInterval(tick, options.everyMs);
  return {
    async finish(body) {
      finished = true;
      clearInterval(timer);
      await inFlight;
      await update(body);
    },
  };
}
