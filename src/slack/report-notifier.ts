/**
 * A scheduled report's voice in its channel: one message per run that found something new (a
 * line per new or worsened finding), each finding's detail in that message's thread with a
 * button for its matching command, reminders and "resolved after N min" replies in the thread,
 * and the finding's line in the run message rewritten when it resolves.
 */
import type { webApi } from '@slack/bolt';
import * as z from 'zod';
import type { AlertChange, OpenAlert } from '../drift/alert-state.js';
import { resolvedText, type FoundNotes, type PostedRun, type ReportNotifier } from '../drift/run-report.js';
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

/** The event type of the metadata every report message carries (its run marker). */
export const REPORT_EVENT_TYPE = 'meshbot_report';

type Note = 'run' | 'detail' | 'reminder' | 'resolved';

const markerSchema = z.object({
  event_type: z.literal(REPORT_EVENT_TYPE),
  event_payload: z.object({
    report: z.string(),
    run: z.string(),
    note: z.enum(['run', 'detail', 'reminder', 'resolved']),
    fingerprint: z.string().optional(),
  }),
});

function marker(report: string, run: string, note: Note, fingerprint?: string) {
  return {
    event_type: REPORT_EVENT_TYPE,
    event_payload: { report, run, note, ...(fingerprint ? { fingerprint } : {}) },
  };
}

/** Pages of conversations.history / replies read when looking for a run's messages. */
const MAX_PAGES = 10;

/**
 * `namedClusters`: meshbot serves configured clusters (`clusters:`): lines name each finding's
 * cluster and a finding's command button carries it.
 */
export function createSlackReportNotifier(
  client: WebClient,
  options: { namedClusters?: boolean } = {},
): ReportNotifier {
  const named = options.namedClusters === true;
  /** Messages of `channel` (top level, or a thread's replies) since `oldest`, with their metadata. */
  async function read(
    channel: string,
    oldest: string,
    thread?: string,
  ): Promise<Array<{ ts?: string; metadata?: unknown }>> {
    const out: Array<{ ts?: string; metadata?: unknown }> = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const args = {
        channel,
        oldest,
        limit: 200,
        include_all_metadata: true,
        ...(cursor ? { cursor } : {}),
      };
      const res = thread
        ? await client.conversations.replies({ ...args, ts: thread })
        : await client.conversations.history(args);
      out.push(...((res.messages ?? []) as Array<{ ts?: string; metadata?: unknown }>));
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return out;
  }

  return {
    composeRun(report, alerts, summary): RunMessage {
      return {
        channel: report.channel,
        header: `*Report ${report.name}*: ${alerts.length} new or worse finding${alerts.length === 1 ? '' : 's'}. ${summary}`,
        lines: alerts.map((a) => ({ fingerprint: a.fingerprint, text: lineOf(a, named) })),
      };
    },

    async postRun(report, message, run): Promise<PostedRun> {
      const text = renderMessage(message);
      const posted = await client.chat.postMessage({
        channel: report.channel,
        text,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
        metadata: marker(report.name, run, 'run'),
      });
      return { channel: report.channel, ts: posted.ts! };
    },

    async postDetails(report, posted, alerts, run) {
      for (const alert of alerts) {
        await client.chat.postMessage({
          channel: posted.channel,
          thread_ts: posted.ts,
          text: `${alert.kind} ${alert.subject}: ${cut(alert.message, 300)}`,
          blocks: detailBlocks(alert, report.name, named) as never[],
          metadata: marker(report.name, run, 'detail', alert.fingerprint),
        });
      }
    },

    async postAllClear(report, summary) {
      await client.chat.postMessage({
        channel: report.channel,
        text: `Report ${report.name}: nothing new. ${summary}`,
      });
    },

    async postReminder(report, alert, run) {
      if (!alert.post) return;
      await client.chat.postMessage({
        channel: alert.post.channel,
        thread_ts: alert.post.threadTs ?? alert.post.ts,
        reply_broadcast: true,
        text: `Still open (report ${report.name}, first seen ${alert.firstSeen}): ${alert.kind} ${alert.subject}: ${cut(alert.message, 300)}`,
        metadata: marker(report.name, run, 'reminder', alert.fingerprint),
      });
    },

    async postResolved(report, change: AlertChange, run) {
      const post = change.alert.post;
      if (!post) return;
      await client.chat.postMessage({
        channel: post.channel,
        thread_ts: post.threadTs ?? post.ts,
        text: `:white_check_mark: ${change.alert.kind} ${change.alert.subject} ${resolvedText(change)}.`,
        metadata: marker(report.name, run, 'resolved', change.alert.fingerprint),
      });
    },

    async updateRun(_report, ts, message) {
      const text = renderMessage(message);
      await client.chat.update({
        channel: message.channel,
        ts,
        text,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
      });
    },

    async findPosted(report, intent, threads): Promise<FoundNotes> {
      // Slack's ts are seconds; a minute's margin for clocks between replicas and Slack.
      const oldest = String(Math.floor(Date.parse(intent.at) / 1000) - 60);
      const found: FoundNotes = { details: new Set(), reminders: new Set(), resolved: new Set() };
      const take = (messages: Array<{ ts?: string; metadata?: unknown }>): void => {
        for (const m of messages) {
          const parsed = markerSchema.safeParse(m.metadata);
          if (!parsed.success) continue;
          const p = parsed.data.event_payload;
          if (p.report !== report.name || p.run !== intent.run) continue;
          if (p.note === 'run' && m.ts) found.runTs = m.ts;
          else if (p.fingerprint && p.note === 'detail') found.details.add(p.fingerprint);
          else if (p.fingerprint && p.note === 'reminder') found.reminders.add(p.fingerprint);
          else if (p.fingerprint && p.note === 'resolved') found.resolved.add(p.fingerprint);
        }
      };
      if (intent.message && !intent.ts) take(await read(intent.channel, oldest));
      const runTs = intent.ts ?? found.runTs;
      if (runTs) found.runTs = runTs;
      for (const thread of new Set([...(runTs ? [runTs] : []), ...threads])) {
        take(await read(intent.channel, oldest, thread));
      }
      return found;
    },
  };
}
