/**
 * A scheduled report's voice in its channel: one message per run that found something new (a
 * line per new or worsened finding), each finding's detail in that message's thread with a
 * button for its matching command, reminders and "resolved after N min" replies in the thread,
 * and the finding's line in the run message rewritten when it resolves.
 */
import type { webApi } from '@slack/bolt';
import type { ReportConfig } from '../config/reports-schema.js';
import { formatOpenFor, type AlertChange, type OpenAlert } from '../drift/alert-state.js';
import type { PostedRun, ReportNotifier } from '../drift/run-report.js';
import type { RunMessage } from '../drift/report-state-store.js';
import { formatCommand } from '../grammar/format-command.js';
import { meshCommands } from '../grammar/mesh-commands.js';
import type { RunnableCommand } from '../grammar/parse-command.js';
import { parseServiceTarget } from '../grammar/targets.js';
import { encodeButtonValue, RUN_ACTION_ID } from './button-value.js';
import { SLACK_LIMITS } from './render/slack-limits.js';
import { encodeReportButton, REPORT_RUN_ACTION, REPORT_SNOOZE_ACTION } from './report-button-value.js';

type WebClient = webApi.WebClient;

const SEVERITY_MARK: Record<OpenAlert['severity'], string> = {
  error: ':x:',
  fail: ':red_circle:',
  warn: ':warning:',
  info: ':information_source:',
};

/** Slack user id the report's buttons are attributed to (any clicker is authorized again). */
const REPORT_REQUESTER = 'USLACKBOT';

const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Findings the stale-endpoints runbook is for: the destination serves what Kubernetes does not have, or misses what it has. */
const STALE_ENDPOINT_KINDS = new Set([
  'stale-in-destination',
  'missing-from-destination',
  'unknown-to-destination',
  'exists-only-in-destination',
]);

/**
 * A finding's first button: the guided stale-endpoints runbook for its service when the
 * destination serves stale or missing addresses (as the endpoints step offers it), otherwise
 * its matching command (the endpoints comparison of its service port, or the checks).
 */
export function nextStepFor(alert: OpenAlert): { label: string; command: RunnableCommand } {
  if (alert.source === 'endpoints') {
    const target = parseServiceTarget(alert.subject);
    if (STALE_ENDPOINT_KINDS.has(alert.kind)) {
      return {
        label: 'Start the stale-endpoints runbook',
        command: meshCommands.runbook('stale-endpoints', target),
      };
    }
    const command = meshCommands.endpoints(target);
    return { label: formatCommand(command), command };
  }
  const command: RunnableCommand =
    alert.kind === 'l5d-data-plane-version' ? { name: 'check', proxy: true } : meshCommands.check();
  return { label: formatCommand(command), command };
}

function lineOf(alert: OpenAlert, named: boolean): string {
  return `${SEVERITY_MARK[alert.severity]} *${alert.kind}* ${named ? `[${alert.cluster}] ` : ''}${alert.subject}`;
}

function renderMessage(m: RunMessage): string {
  const lines = m.lines.map((l) => (l.resolved ? `~${l.text}~ :white_check_mark: ${l.resolved}` : l.text));
  return cut([m.header, ...lines].join('\n'), SLACK_LIMITS.sectionText);
}

function detailBlocks(alert: OpenAlert, report: string, named: boolean): unknown[] {
  const lines = [
    `${SEVERITY_MARK[alert.severity]} *${alert.kind}* in ${alert.cluster}: ${alert.subject}`,
    alert.message,
    ...(alert.addresses?.length ? [`Addresses: ${alert.addresses.join(', ')}`] : []),
    `Fingerprint \`${alert.fingerprint}\`, first seen ${alert.firstSeen}`,
  ];
  const next = nextStepFor(alert);
  const command = formatCommand(next.command);
  return [
    { type: 'section', text: { type: 'mrkdwn', text: cut(lines.join('\n'), SLACK_LIMITS.sectionText) } },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: `${RUN_ACTION_ID}:report`,
          text: { type: 'plain_text', text: cut(next.label, 75) },
          value: encodeButtonValue({
            v: 1,
            kind: 'run',
            command,
            requestedBy: REPORT_REQUESTER,
            origin: 'next-step',
            // Configured clusters: the command runs where the finding was found.
            ...(named ? { cluster: alert.cluster } : {}),
          }),
        },
        ...([1, 24] as const).map((hours) => ({
          type: 'button',
          action_id: `${REPORT_SNOOZE_ACTION}:${hours}`,
          text: { type: 'plain_text', text: hours === 1 ? 'Snooze 1 h' : 'Snooze 1 day' },
          value: encodeReportButton({ v: 1, kind: 'snooze', report, fingerprint: alert.fingerprint, hours }),
        })),
        {
          type: 'button',
          action_id: REPORT_RUN_ACTION,
          text: { type: 'plain_text', text: 'Run again' },
          value: encodeReportButton({ v: 1, kind: 'run', report }),
        },
      ],
    },
  ];
}

/**
 * `namedClusters`: meshbot serves configured clusters (`clusters:`): lines name each finding's
 * cluster and a finding's command button carries it.
 */
export function createSlackReportNotifier(
  client: WebClient,
  options: { namedClusters?: boolean } = {},
): ReportNotifier {
  const named = options.namedClusters === true;
  return {
    async postRun(report: ReportConfig, alerts: OpenAlert[], summary: string): Promise<PostedRun> {
      const message: RunMessage = {
        channel: report.channel,
        header: `*Report ${report.name}*: ${alerts.length} new or worse finding${alerts.length === 1 ? '' : 's'}. ${summary}`,
        lines: alerts.map((a) => ({ fingerprint: a.fingerprint, text: lineOf(a, named) })),
      };
      const text = renderMessage(message);
      const posted = await client.chat.postMessage({
        channel: report.channel,
        text,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
      });
      const ts = posted.ts!;
      for (const alert of alerts) {
        await client.chat.postMessage({
          channel: report.channel,
          thread_ts: ts,
          text: `${alert.kind} ${alert.subject}: ${cut(alert.message, 300)}`,
          blocks: detailBlocks(alert, report.name, named) as never[],
        });
      }
      return { channel: report.channel, ts, message };
    },

    async postAllClear(report, summary) {
      await client.chat.postMessage({
        channel: report.channel,
        text: `Report ${report.name}: nothing new. ${summary}`,
      });
    },

    async postReminder(report, alert) {
      if (!alert.post) return;
      await client.chat.postMessage({
        channel: alert.post.channel,
        thread_ts: alert.post.threadTs ?? alert.post.ts,
        reply_broadcast: true,
        text: `Still open (report ${report.name}, first seen ${alert.firstSeen}): ${alert.kind} ${alert.subject}: ${cut(alert.message, 300)}`,
      });
    },

    async postResolved(_report, change: AlertChange, message) {
      const post = change.alert.post;
      if (!post) return message;
      const after = `resolved after ${formatOpenFor(change.openForMs ?? 0)}`;
      await client.chat.postMessage({
        channel: post.channel,
        thread_ts: post.threadTs ?? post.ts,
        text: `:white_check_mark: ${change.alert.kind} ${change.alert.subject} ${after}.`,
      });
      if (!message) return message;
      const updated: RunMessage = {
        ...message,
        lines: message.lines.map((l) =>
          l.fingerprint === change.alert.fingerprint ? { ...l, resolved: after } : l,
        ),
      };
      const text = renderMessage(updated);
      await client.chat.update({
        channel: post.channel,
        ts: post.ts,
        text,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
      });
      return updated;
    },
  };
}
