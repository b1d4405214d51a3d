import * as z from 'zod';
import {
  channelRuleFields,
  clusterNameSchema,
  clustersSchema,
  hasIdOrName,
  mutatorsSchema,
} from './clusters-schema.js';
import { leaderElectionSchema, reportsConfigSchema } from './reports-schema.js';
import { routesConfigSchema } from './routes-schema.js';

/**
 * meshbot's configuration: one schema for the config file (YAML) and the environment.
 * The environment wins over the file for the Slack settings and the port. Tokens belong in
 * the environment (a Secret); the file holds policy.
 */
/** A top-level channel rule: a cluster's rule, plus the channel's default cluster. */
export const channelRuleSchema = channelRuleFields
  .extend({
    /** The cluster this channel's commands run against without --cluster (docs/clusters.md). */
    defaultCluster: clusterNameSchema.optional(),
  })
  .strict()
  .refine(hasIdOrName, { message: 'a channel rule needs an id or a name' });

export const MODE_MISSING = 'missing: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)';

export const configSchema = z
  .object({
    slack: z
      .object({
        botToken: z
          .string({ error: 'missing: set SLACK_BOT_TOKEN to the bot token (xoxb-...)' })
          .regex(/^xoxb-[A-Za-z0-9-]+$/, 'must be a bot token (xoxb-...)'),
        appToken: z
          .string()
          .regex(/^xapp-[A-Za-z0-9-]+$/, 'must be an app-level token (xapp-...)')
          .optional(),
        signingSecret: z
          .string()
          .regex(/^[A-Za-z0-9]{16,128}$/, 'must be the signing secret from the app page (letters and digits)')
          .optional(),
        apiUrl: z
          .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://slack.com/api/' })
          .transform((u) => (u.endsWith('/') ? u : `${u}/`))
          .optional(),
      })
      .strict(),
    port: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0)
      .max(65535, 'must be at most 65535')
      .default(3000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    authorization: z
      .object({
        channels: z.array(channelRuleSchema).optional(),
        mutators: mutatorsSchema,
      })
      .strict()
      .default({ mutators: { users: [], userGroups: [] } }),
    rateLimit: z
      .object({
        commands: z.number().int().min(1).max(10_000).default(10),
        perSeconds: z.number().int().min(1).max(86_400).default(60),
      })
      .strict()
      .default({ commands: 10, perSeconds: 60 }),
    /** After how long a running command's parent message starts showing progress. */
    progressAfterSeconds: z.number().min(0.1).max(600).default(5),
    /** The scale test's limits (docs/scale-test.md). */
    scaleTest: z
      .object({
        maxReplicas: z.number().int().min(1).max(1000).default(20),
        stageTimeoutSeconds: z.number().min(1).max(600).default(30),
        overallTimeoutSeconds: z.number().min(5).max(3600).default(120),
        namespaces: z
          .array(
            z.union([
              z.literal('*'),
              z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace (DNS-1123 label) or *'),
            ]),
          )
          .default(['*']),
        /** Where the report of interrupted tests put back at start goes. */
        notifyChannel: z
          .string()
          .regex(/^[CG][A-Z0-9]{2,20}$/, 'a channel id such as C012AB3CD')
          .optional(),
      })
      .strict()
      .default({ maxReplicas: 20, stageTimeoutSeconds: 30, overallTimeoutSeconds: 120, namespaces: ['*'] }),
    /** A directory of the operator's own runbooks (docs/runbooks.md), loaded and checked at start. */
    runbooksDir: z.string().min(1, 'must be a directory path').optional(),
    /** How long a runbook thread's buttons may be clicked. */
    runbookButtonTtlHours: z
      .number()
      .min(0.01)
      .max(24 * 14)
      .default(12),
    /** The restart step (docs/runbooks.md): what may be restarted and how long a rollout may take. */
    restart: z
      .object({
        allow: z
          .array(
            z
              .string()
              .regex(
                /^deploy\/(\*|[a-z0-9.-]+)\.[a-z0-9-]+$/,
                'deploy/NAME.NAMESPACE, or deploy/*.NAMESPACE for every deployment of a namespace',
              ),
          )
          .optional(),
        timeoutSeconds: z.number().min(5).max(3600).default(120),
      })
      .strict()
      .default({ timeoutSeconds: 120 }),
    /** The operator's caps on tap (docs/tap.md): no command samples longer or more. */
    tap: z
      .object({
        maxDurationSeconds: z.number().min(1).max(300).default(60),
        maxRequests: z.number().int().min(1).max(10_000).default(1000),
      })
      .strict()
      .default({ maxDurationSeconds: 60, maxRequests: 1000 }),
    /** proxy-log-level (docs/proxy-log-level.md): the longest --for, the most pods, where recoveries are told. */
    proxyLogLevel: z
      .object({
        maxDurationSeconds: z.number().int().min(10).max(86400).default(3600),
        maxPods: z.number().int().min(1).max(500).default(50),
        notifyChannel: z
          .string()
          .regex(/^[CG][A-Z0-9]{2,20}$/, 'a channel id such as C012AB3CD')
          .optional(),
      })
      .strict()
      .default({ maxDurationSeconds: 3600, maxPods: 50 }),
    /** Scheduled drift reports (docs/reports.md). */
    reports: reportsConfigSchema,
    /** The routes step's verdict thresholds (docs/routes.md). */
    routes: routesConfigSchema,
    /** Who runs the reports when several replicas run (docs/reports.md). */
    leaderElection: leaderElectionSchema,
    /** The clusters one meshbot serves (docs/clusters.md); absent: one, from flags and environment. */
    clusters: clustersSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = (c.clusters ?? []).map((k) => k.name);
    c.reports.forEach((report, i) => {
      const named =
        report.cluster !== undefined
          ? [report.cluster]
          : Array.isArray(report.clusters)
            ? report.clusters
            : [];
      for (const name of named) {
        if (!names.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['reports', i, report.cluster !== undefined ? 'cluster' : 'clusters'],
            message: names.length
              ? `no cluster "${name}" in clusters: (${names.join(', ')})`
              : 'a report names a cluster only with a clusters: section',
          });
        }
      }
    });
    (c.authorization.channels ?? []).forEach((rule, i) => {
      if (rule.defaultCluster !== undefined && !names.includes(rule.defaultCluster)) {
        ctx.addIssue({
          code: 'custom',
          path: ['authorization', 'channels', i, 'defaultCluster'],
          message: names.length
            ? `no cluster "${rule.defaultCluster}" in clusters: (${names.join(', ')})`
            : 'defaultCluster needs a clusters: section naming that cluster',
        });
      }
    });
    if (!c.slack.appToken && !c.slack.signingSecret) {
      ctx.addIssue({
        code: 'custom',
        path: ['slack', 'appToken'],
        message: MODE_MISSING,
      });
    }
  });

export type MeshbotConfig = z.infer<typeof configSchema>;
export type SlackMode = 'socket' | 'http';

export function slackMode(config: MeshbotConfig): SlackMode {
  return config.slack.appToken ? 'socket' : 'http';
}

/** Where each setting can come from in the environment, for messages. */
export const ENV_NAMES: Record<string, string> = {
  'slack.botToken': 'SLACK_BOT_TOKEN',
  'slack.appToken': 'SLACK_APP_TOKEN',
  'slack.signingSecret': 'SLACK_SIGNING_SECRET',
  'slack.apiUrl': 'SLACK_API_URL',
  port: 'PORT',
  logLevel: 'LOG_LEVEL',
};
