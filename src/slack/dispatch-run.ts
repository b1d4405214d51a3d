import type { Logger } from 'pino';
import type { AuditEntry, AuditLog } from './audit-log.js';
import type { ChannelDirectory } from './channel-directory.js';
import { authorize, type AuthorizationPolicy, type Decision, type UserGroupMembership } from './authorize.js';
import type { RunnableCommand } from './command-executor.js';
import type { RateLimiter } from './rate-limit.js';
import { renderNotice, renderNotInChannel } from './render/render-notice.js';
import type { SlackMessageBody } from './render/slack-block.js';
import { runInThread, type ThreadRunDeps } from './run-in-thread.js';
import { askScaleTestConfirmation } from './scale-test-confirmation.js';
import type { ScaleTestRunner } from './scale-test-runner.js';
import { slackErrorCode } from './slack-error.js';
import { dispatchRunbook } from './runbook/dispatch-runbook.js';
import { askLogLevelConfirmation } from './proxy-log-level/ask-log-level-confirmation.js';
import type { LogLevelRunner } from './proxy-log-level/log-level-runner.js';
import { describeError } from '../errors.js';
import { renderClusterPicker } from './render/render-cluster-picker.js';
import { policyForCluster, resolveCluster, type SlackClusters } from './resolve-cluster.js';
import type { SlackRunbooks } from './runbook/runbook-thread.js';

/** Everything a run needs besides the request; built once by createSlackApp. */
export interface DispatchDeps extends Omit<ThreadRunDeps, 'client'> {
  policy: AuthorizationPolicy;
  groups: UserGroupMembership;
  channels: ChannelDirectory;
  rateLimiter: RateLimiter;
  audit: AuditLog;
  logger: Logger;
  /** The scale test: with it, `scale-test` asks for a confirmation instead of running (scale-test-confirmation.ts). */
  scaleTests?: ScaleTestRunner;
  /** Guided runbooks in threads (src/slack/runbook/); without them `runbook` is not available. */
  runbooks?: SlackRunbooks;
  /** proxy-log-level: with it, the command asks for a confirmation (src/slack/proxy-log-level/). */
  logLevels?: LogLevelRunner;
  /** The cluster proxy-log-level runs against (the pool's default until commands name one). */
  logLevelCluster?: string;
  /** The clusters served (docs/clusters.md); without them no cluster is resolved (one cluster). */
  clusters?: SlackClusters;
}

export interface DispatchRequest {
  kind: 'command' | 'click';
  action?: string;
  userId: string;
  userName?: string;
  channel: { id: string; name?: string };
  team?: string;
  commandText: string;
  command: RunnableCommand;
  via?: string;
  triggerId?: string;
  botUserId?: string;
  client: ThreadRunDeps['client'];
  /** Ephemeral answer to the person (response_url). */
  respond: (message: SlackMessageBody) => Promise<unknown>;
}

/**
 * Authorization (channel, namespace, mutating actions) for the person, then the per-user rate
 * limit. A refusal is audited and answered; true when the run may go on. Every run passes
 * here: commands, next-step clicks and a scale test's Confirm alike.
 */
export async function passGates(
  deps: Pick<DispatchDeps, 'policy' | 'groups' | 'rateLimiter' | 'audit' | 'clusters'>,
  req: { userId: string; channel: { id: string; name?: string }; command: RunnableCommand },
  base: Omit<AuditEntry, 'outcome'>,
  reply: (m: SlackMessageBody) => Promise<void>,
): Promise<boolean> {
  const decision = await authorizeOnCluster(deps, req);
  if (!decision.allowed) {
    deps.audit.record({ ...base, outcome: 'refused', reason: decision.code });
    await reply(renderNotice(':no_entry:', `Refused: ${decision.reason}`));
    return false;
  }
  const rate = deps.rateLimiter.take(req.userId);
  if (!rate.allowed) {
    const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
    deps.audit.record({ ...base, outcome: 'rate-limited', reason: `retry after ${seconds} s` });
    await reply(
      renderNotice(
        ':hourglass:',
        `You have run many commands in a short time; please try again in ${seconds} s.`,
        'The limit protects the cluster from bursts.',
      ),
    );
    return false;
  }
  return true;
}

/**
 * Authorization as the command's cluster has it (its own `authorization`, else the top-level
 * one); a refusal names the cluster when several are configured.
 */
export async function authorizeOnCluster(
  deps: Pick<DispatchDeps, 'policy' | 'groups' | 'clusters'>,
  req: { userId: string; channel: { id: string; name?: string }; command: RunnableCommand },
): Promise<Decision> {
  const cluster = req.command.cluster;
  const decision = await authorize(
    policyForCluster(deps.clusters, deps.policy, cluster),
    { userId: req.userId, channel: req.channel, command: req.command },
    deps.groups,
  );
  if (decision.allowed || !deps.clusters?.configured || cluster === undefined) return decision;
  return { ...decision, reason: `on cluster "${cluster}", ${decision.reason}` };
}

/**
 * The gate every run passes, for commands and clicks alike: authorization (channel,
 * namespace, mutating actions), the per-user rate limit, the run itself in a thread, and
 * one audit line with the outcome.
 */
export async function dispatchRun(deps: DispatchDeps, req: DispatchRequest): Promise<void> {
  const base: Omit<AuditEntry, 'outcome'> = {
    kind: req.kind,
    user: req.userId,
    channel: req.channel.id,
    command: req.commandText,
    ...(req.userName ? { userName: req.userName } : {}),
    ...(req.channel.name ? { channelName: req.channel.name } : {}),
    ...(req.team ? { team: req.team } : {}),
    ...(req.action ? { action: req.action } : {}),
  };
  const started = Date.now();
  const reply = (m: SlackMessageBody): Promise<void> =>
    req.respond(m).then(
      () => undefined,
      (err: unknown) =>
        deps.logger.warn({ err: slackErrorCode(err) ?? String(err) }, 'could not send an ephemeral answer'),
    );

  // Which cluster: --cluster, the channel's default, the only one; else ask, never guess.
  const resolution = resolveCluster(deps.clusters, deps.policy, req.channel, req.command, req.commandText);
  if (resolution.kind === 'unknown') {
    const { message, hint } = describeError(resolution.error);
    deps.audit.record({ ...base, outcome: 'usage-error', reason: message });
    await reply(renderNotice(':warning:', message, hint));
    return;
  }
  if (resolution.kind === 'ask') {
    deps.audit.record({ ...base, outcome: 'help', reason: 'asked which cluster' });
    await reply(renderClusterPicker(req.commandText, resolution.clusters, req.userId));
    return;
  }
  req = { ...req, command: resolution.command, commandText: resolution.commandText };
  base.command = req.commandText;

  if (!(await passGates(deps, req, base, reply))) return;

  if ((req.command.name === 'runbook' || req.command.name === 'restart') && deps.runbooks) {
    await dispatchRunbook(
      { ...deps, runbooks: deps.runbooks },
      { ...req, command: req.command },
      base,
      reply,
    );
    return;
  }

  if (req.command.name === 'proxy-log-level') {
    if (!deps.logLevels) {
      deps.audit.record({ ...base, outcome: 'refused', reason: 'not-available' });
      await reply(renderNotice(':no_entry:', 'proxy-log-level is not available in this meshbot.'));
      return;
    }
    await askLogLevelConfirmation(
      {
        ...deps,
        logLevels: deps.logLevels,
        cluster: req.command.cluster ?? deps.logLevelCluster ?? 'default',
      },
      { ...req, command: req.command },
      base,
      reply,
    );
    return;
  }

  if (req.command.name === 'scale-test' && deps.scaleTests) {
    await askScaleTestConfirmation(
      { ...deps, scaleTests: deps.scaleTests },
      { ...req, command: req.command },
      base,
      reply,
    );
    return;
  }

  const outcome = await runInThread(
    { client: req.client, execute: deps.execute, logger: deps.logger, progressAfterMs: deps.progressAfterMs },
    {
      channelId: req.channel.id,
      userId: req.userId,
      commandText: req.commandText,
      command: req.command,
      ...(req.via ? { via: req.via } : {}),
      ...(req.triggerId ? { triggerId: req.triggerId } : {}),
    },
  );
  const durationMs = Date.now() - started;
  switch (outcome.outcome) {
    case 'ran':
      deps.audit.record({
        ...base,
        outcome: 'ran',
        status: outcome.result.status,
        summary: outcome.result.summary,
        thread: outcome.thread,
        durationMs,
      });
      return;
    case 'not-in-channel':
      deps.audit.record({ ...base, outcome: 'not-in-channel', durationMs });
      await reply(renderNotInChannel(req.botUserId));
      return;
    case 'failed': {
      const code =
        slackErrorCode(outcome.error) ??
        (outcome.error instanceof Error ? outcome.error.message : String(outcome.error));
      deps.audit.record({
        ...base,
        outcome: 'failed',
        reason: code,
        durationMs,
        ...(outcome.thread ? { thread: outcome.thread } : {}),
        ...(outcome.result ? { status: outcome.result.status } : {}),
      });
      await reply(
        renderNotice(
          ':exclamation:',
          `meshbot could not post the results in this channel (${code}).`,
          'Try again in a moment; if it persists, tell the meshbot admins.',
        ),
      );
      return;
    }
  }
}
