import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/** Field paths that may hold a secret; pino replaces their values in every line. */
export const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  'slack.botToken',
  'slack.appToken',
  'slack.signingSecret',
  'headers.authorization',
  '*.headers.authorization',
];

/** Token-shaped strings (xoxb-, xapp-, xoxp-, ...) inside free text. */
const TOKEN_IN_TEXT = /\bxox[abeprs]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+/g;

export function redactText(text: string): string {
  return text.replace(TOKEN_IN_TEXT, '[redacted]');
}

/** meshbot's structured logger: JSON lines, secrets redacted by path and by shape. */
export function createLogger(
  options: { level?: LevelWithSilent; name?: string; destination?: DestinationStream } = {},
): Logger {
  return pino(
    {
      name: options.name ?? 'meshbot',
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as typeof args;
          method.apply(this, masked);
        },
      },
    },
    options.destination,
  );
}
