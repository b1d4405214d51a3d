import bolt from '@slack/bolt';
import type { Logger as PinoLogger } from 'pino';
import { redactText } from '../logging/create-logger.js';

const { LogLevel } = bolt;

function text(msg: unknown[]): string {
  return redactText(
    msg
      .map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m)))
      .join(' '),
  );
}

/**
 * Bolt's logger contract (@slack/logger), implemented over pino. Bolt and the Socket Mode
 * client log through it; their debug output can carry payloads, so lines pass through the
 * token redaction, and meshbot's logger decides the level.
 */
export function boltLogger(logger: PinoLogger): bolt.Logger {
  const child = logger.child({ component: 'bolt' });
  return {
    debug: (...m: unknown[]) => child.debug(text(m)),
    info: (...m: unknown[]) => child.info(text(m)),
    warn: (...m: unknown[]) => child.warn(text(m)),
    error: (...m: unknown[]) => child.error(text(m)),
    setLevel: () => undefined,
    getLevel: () =>
      child.level === 'debug' || child.level === 'trace'
        ? LogLevel.DEBUG
        : child.level === 'info'
          ? LogLevel.INFO
          : child.level === 'warn'
            ? LogLevel.WARN
            : LogLevel.ERROR,
    setName: () => undefined,
  };
}
