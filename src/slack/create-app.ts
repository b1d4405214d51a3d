import bolt from '@slack/bolt';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { slackMode, type MeshbotConfig, type SlackMode } from '../config/config-schema.js';
import { createAuditLog, type AuditLog } from './audit-log.js';
import { boltLogger } from './bolt-logger.js';
import type { CommandExecutor } from './command-executor.js';
import type { DispatchDeps } from './dispatch-run.js';
import { handleMeshCommand } from './handle-mesh-command.js';
import { handleRunButton } from './handle-run-button.js';
import {
  healthResponse,
  startHealthServer,
  writeHealth,
  writeMetrics,
  type MetricsSource,
} from './health-server.js';
import { createRateLimiter } from './rate-limit.js';
import { createUserGroupMembership } from './user-group-membership.js';
import { createChannelDirectory } from './channel-directory.js';
import { RUN_ACTION_ID } from './button-value.js';
import { handleReportActions, type ReportActions } from './handle-report-actions.js';
import { REPORT_ACTION_IDS } from './report-button-value.js';
import { handleScaleTestActions } from './handle-scale-test-actions.js';
import { SCALE_TEST_ACTION_IDS } from './scale-test-button-value.js';
import type { ScaleTestRunner } from './scale-test-runner.js';
import { handleRunbookActions } from './runbook/handle-runbook-actions.js';
import { handleLogLevelActions } from './proxy-log-level/handle-log-level-actions.js';
import { LOG_LEVEL_ACTION_IDS } from './proxy-log-level/log-level-button-value.js';
import type { LogLevelRunner } from './proxy-log-level/log-level-runner.js';
import { RUNBOOK_ACTION_IDS } from './runbook/runbook-button-value.js';
import type { SlackRunbooks } from './runbook/runbook-thread.js';
import type { SlackClusters } from './resolve-cluster.js';

import { countingSlackAdapter, type SlackCallObserver } from './count-slack-calls.js';

const { App, LogLevel } = bolt;

export interface SlackAppOptions {
  config: MeshbotConfig;
  execute: CommandExecutor;
  logger: Logger;
  /** Audit lines; default: `logger`'s child with `audit: true`. */
  audit?: AuditLog;
  /** The slash command, default `/mesh`. */
  commandName?: string;
  /** Extra readiness condition (e.g. the cluster adapters are open). */
  isReady?: () => boolean;
  /** meshbot's own metrics, served at /metrics on the HTTP port. */
  metrics?: MetricsSource;
  /** The scheduled reports' Snooze and Run again buttons. */
  reportActions?: ReportActions;
  /** WebClient retry policy; default Bolt's (which honours Retry-After on `ratelimited`). */
  retryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
  /** How long stop() waits for runs in flight; default 15 s. */
  drainTimeoutMs?: number;
  /** Told of every Slack Web API error and rate-limit retry, from every WebClient Bolt makes. */
  slackCalls?: SlackCallObserver;
  /** The scale test (confirmation, then the run); without it `scale-test` runs like any command. */
  scaleTests?: ScaleTestRunner;
  /** Guided runbooks in threads; without them `/mesh runbook` is not available. */
  runbooks?: SlackRunbooks;
  /** proxy-log-level (confirmation, the change, Stop); without it the command is refused. */
  logLevels?: LogLevelRunner;
  /** The cluster proxy-log-level runs against. */
  logLevelCluster?: string;
  /**
   * The clusters served (serve passes its pool's names). Default: the config's `clusters:`;
   * without either, no cluster is resolved (one cluster, as before).
   */
  clusters?: { names: readonly string[]; configured: boolean };
  /** Lines /readyz adds to its body (e.g. the unreachable clusters); they never fail readiness. */
  readinessNotes?: () => string[];
}

export interface SlackApp {
  app: InstanceType<typeof App>;
  mode: SlackMode;
  /** Starts serving; resolves with the HTTP port (events + probes, or probes only in Socket Mode). */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  isReady(): boolean;
}

/**
 * The Bolt app: Socket Mode when an app token is configured, HTTP mode (`/slack/events`,
 * requests verified with the signing secret by Bolt) otherwise. The same handlers serve
 * both; they never know which transport delivered the event.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { config, logger } = options;
  const mode = slackMode(config);
  let started = false;
  const isReady = (): boolean => started && (options.isReady?.() ?? true);
  const probe =
    (path: string) =>
    (_req: unknown, res: Parameters<typeof writeHealth>[0]): void => {
      writeHealth(res, healthResponse(path, isReady, options.readinessNotes)!);
    };
  const clientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
    ...(options.slackCalls ? { adapter: countingSlackAdapter(options.slackCalls) } : {}),
  };
  const common = {
    token: config.slack.botToken,
    logger: boltLogger(logger),
    logLevel: LogLevel.INFO,
    clientOptions,
    // start() runs init(): a token Slack refuses fails the start instead of a stray rejection.
    deferInitialization: true,
  };
  const app =
    mode === 'socket'
      ? new App({ ...common, socketMode: true, appToken: config.slack.appToken! })
      : new App({
          ...common,
          signingSecret: config.slack.signingSecret!,
          endpoints: '/slack/events',
          customRoutes: [
            { path: '/healthz', method: ['GET'], handler: probe('/healthz') },
            { path: '/readyz', method: ['GET'], handler: probe('/readyz') },
            ...(options.metrics
              ? [
                  {
                    path: '/metrics',
                    method: ['GET'],
                    handler: (_req: unknown, res: Parameters<typeof writeMetrics>[0]) =>
                      writeMetrics(res, options.metrics!),
                  },
                ]
              : []),
          ],
        });

  const reportScopes = Object.fromEntries(config.reports.map((r) => [r.name, r.scope.namespaces]));
  const clusterNames =
    options.clusters ??
    (config.clusters ? { names: config.clusters.map((c) => c.name), configured: true } : undefined);
  const clusters: SlackClusters | undefined = clusterNames && {
    ...clusterNames,
    policies: Object.fromEntries(
      (config.clusters ?? []).flatMap((c) =>
        c.authorization ? [[c.name, { ...c.authorization, reportScopes }] as const] : [],
      ),
    ),
  };
  const deps: DispatchDeps = {
    execute: options.execute,
    logger,
    progressAfterMs: config.progressAfterSeconds * 1000,
    policy: { ...config.authorization, reportScopes },
    ...(clusters ? { clusters } : {}),
    groups: createUserGroupMembership(app.client),
    channels: createChannelDirectory(app.client),
    rateLimiter: createRateLimiter({
      max: config.rateLimit.commands,
      windowMs: config.rateLimit.perSeconds * 1000,
    }),
    audit: options.audit ?? createAuditLog(logger),
    ...(options.scaleTests ? { scaleTests: options.scaleTests } : {}),
    ...(options.logLevels ? { logLevels: options.logLevels } : {}),
    ...(options.logLevelCluster ? { logLevelCluster: options.logLevelCluster } : {}),
    ...(options.runbooks ? { runbooks: options.runbooks } : {}),
  };
  // Runs in flight, so stop() can let them finish (a parent left at "Running" helps no one).
  const inflight = new Set<Promise<unknown>>();
  const tracked =
    <A>(handler: (args: A) => Promise<void>) =>
    (args: A): Promise<void> => {
      const p = handler(args);
      inflight.add(p);
      void p.then(
        () => inflight.delete(p),
        () => inflight.delete(p),
      );
      return p;
    };
  app.command(options.commandName ?? '/mesh', tracked(handleMeshCommand(deps)));
  app.action<bolt.BlockAction<bolt.ButtonAction>>(
    { type: 'block_actions', action_id: new RegExp(`^${RUN_ACTION_ID}(:|$)`) },
    tracked(handleRunButton(deps)),
  );
  if (options.logLevels) {
    app.action<bolt.BlockAction<bolt.ButtonAction>>(
      { type: 'block_actions', action_id: LOG_LEVEL_ACTION_IDS },
      tracked(handleLogLevelActions({ ...deps, logLevels: options.logLevels })),
    );
  }
  if (options.scaleTests) {
    app.action<bolt.BlockAction<bolt.ButtonAction>>(
      { type: 'block_actions', action_id: SCALE_TEST_ACTION_IDS },
      tracked(handleScaleTestActions({ ...deps, scaleTests: options.scaleTests })),
    );
  }
  if (options.runbooks) {
    app.action<bolt.BlockAction<bolt.ButtonAction>>(
      { type: 'block_actions', action_id: RUNBOOK_ACTION_IDS },
      tracked(handleRunbookActions({ ...deps, runbooks: options.runbooks })),
    );
  }
  if (options.reportActions) {
    app.action<bolt.BlockAction<bolt.ButtonAction>>(
      { type: 'block_actions', action_id: REPORT_ACTION_IDS },
      tracked(handleReportActions(deps, options.reportActions)),
    );
  }
  app.error(async (err) => {
    logger.error({ err: err.message, code: err.code }, 'unhandled error in a Slack listener');
  });

  let health: { port: number; close(): Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;
  async function stopOnce(): Promise<void> {
    started = false;
    await app
      .stop()
      .catch((err: unknown) => logger.warn({ err: String(err) }, 'error while stopping the Slack app'));
    // No new events arrive now; let the runs in flight post their results.
    if (inflight.size > 0) {
      logger.info({ runs: inflight.size }, 'waiting for runs in flight');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inflight]),
        new Promise((r) => (timer = setTimeout(r, options.drainTimeoutMs ?? 15_000))),
      ]);
      clearTimeout(timer);
    }
    await health?.close();
    health = undefined;
  }

  return {
    app,
    mode,
    isReady,
    async start() {
      // auth.test: a bad token stops the start with Slack's reason.
      await app.init();
      if (mode === 'socket') {
        health = await startHealthServer(
          config.port,
          isReady,
          undefined,
          options.metrics,
          options.readinessNotes,
        );
        await app.start();
        started = true;
        logger.info({ mode, port: health.port }, 'meshbot is connected to Slack (Socket Mode)');
        return { port: health.port };
      }
      const server = (await app.start(config.port)) as Server;
      started = true;
      const port = (server.address() as AddressInfo).port;
      logger.info({ mode, port }, 'meshbot is listening for Slack requests on /slack/events');
      return { port };
    },
    stop() {
      stopping ??= stopOnce();
      return stopping;
    },
  };
}
