import type { Logger } from 'pino';
import { configSchema, type MeshbotConfig } from '../../config/config-schema.js';
import { createLogger } from '../../logging/create-logger.js';
import type { AuditLog } from '../../slack/audit-log.js';
import type { CommandExecutor } from '../../slack/command-executor.js';
import { createSlackApp, type SlackApp } from '../../slack/create-app.js';
import type { SlackCallObserver } from '../../slack/count-slack-calls.js';
import type { LogLevelRunner } from '../../slack/proxy-log-level/log-level-runner.js';
import type { ScaleTestRunner } from '../../slack/scale-test-runner.js';
import type { SlackRunbooks } from '../../slack/runbook/runbook-thread.js';
import { startSlackDouble, type SlackDouble, type SlackDoubleOptions } from './start-slack-double.js';

export interface BotWithDoubleOptions {
  mode: 'socket' | 'http';
  execute: CommandExecutor;
  /** Config beyond the Slack settings (authorization, rateLimit, ...), as in the config file. */
  config?: Record<string, unknown>;
  logger?: Logger;
  audit?: AuditLog;
  double?: SlackDoubleOptions;
  /** The scale test's runner; without it `scale-test` is refused as in createSlackApp. */
  scaleTests?: ScaleTestRunner;
  /** proxy-log-level's runner and the cluster it defaults to (serve: the pool's first). */
  logLevels?: LogLevelRunner;
  logLevelCluster?: string;
  /** Guided runbooks; without them `/mesh runbook` is not available. */
  runbooks?: SlackRunbooks;
  /** Retry policy of the bot's WebClient (tests keep it short). */
  retryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
  /** Lines /readyz adds (the unreachable clusters). */
  readinessNotes?: () => string[];
  /** Told of the bot's Slack API errors and rate-limit retries (meshbot's metrics). */
  slackCalls?: SlackCallObserver;
}

export interface BotWithDouble {
  double: SlackDouble;
  bot: SlackApp;
  config: MeshbotConfig;
  /** The bot's HTTP port (events and probes in HTTP mode, probes in Socket Mode). */
  port: number;
  stop(): Promise<void>;
}

/**
 * The Slack double and a real meshbot Bolt app wired to it, in Socket Mode or HTTP mode,
 * with the double's fake tokens. Used by the tests and `meshbot demo`.
 */
export async function startBotWithDouble(options: BotWithDoubleOptions): Promise<BotWithDouble> {
  const double = await startSlackDouble(options.double);
  try {
    const config = configSchema.parse({
      port: 0,
      ...options.config,
      slack: {
        botToken: double.botToken,
        apiUrl: double.apiUrl,
        ...(options.mode === 'socket'
          ? { appToken: double.appToken }
          : { signingSecret: double.signingSecret }),
      },
    });
    const bot = createSlackApp({
      config,
      execute: options.execute,
      logger: options.logger ?? createLogger({ level: 'silent' }),
      ...(options.audit ? { audit: options.audit } : {}),
      ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
      ...(options.scaleTests ? { scaleTests: options.scaleTests } : {}),
      ...(options.runbooks ? { runbooks: options.runbooks } : {}),
      ...(options.logLevels ? { logLevels: options.logLevels } : {}),
      ...(options.logLevelCluster ? { logLevelCluster: options.logLevelCluster } : {}),
      ...(options.readinessNotes ? { readinessNotes: options.readinessNotes } : {}),
      ...(options.slackCalls ? { slackCalls: options.slackCalls } : {}),
    });
    const { port } = await bot.start();
    if (options.mode === 'http') double.setEventsUrl(`http://127.0.0.1:${port}/slack/events`);
    else await double.socketConnected();
    return {
      double,
      bot,
      config,
      port,
      async stop() {
        await bot.stop();
        await double.close();
      },
    };
  } catch (err) {
    await double.close();
    throw err;
  }
}
