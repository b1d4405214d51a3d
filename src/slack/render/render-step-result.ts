import { BlockCollection, Blocks, Elements, type BlockBuilder } from 'slack-block-builder';
import {
  resultHeading,
  type EvidenceTable,
  type Finding,
  type StepResult,
} from '../../domain/step-result.js';
import { encodeButtonValue, RUN_ACTION_ID } from '../button-value.js';
import { renderFullDetail } from './render-full-detail.js';
import { asSlackBlocks, type SlackMessageBody } from './slack-block.js';
import { andMore, escapeMrkdwn, SLACK_LIMITS, truncate } from './slack-limits.js';
import { severityEmoji, statusLabel } from './status-label.js';
import { tableLines } from './render-table.js';
import { formatCommand } from '../../grammar/format-command.js';

export interface ResultContext {
  /** The command as typed after `/mesh`, normalized. */
  commandText: string;
  /** Slack user id of the person who asked. */
  requestedBy: string;
}

export interface RenderedResult {
  /** Thread replies, in order: the result, then the evidence (when there is any). */
  messages: SlackMessageBody[];
  /** True when something did not fit and `fullDetail` should go up as a file. */
  truncated: boolean;
  omitted: { findings: number; tables: number; rows: number; nextSteps: number };
  /** Everything, as plain text, for a file in the thread. */
  fullDetail: { filename: string; title: string; content: string };
}

/** Next-step buttons shown at most (besides "Run again"). */
const MAX_NEXT_BUTTONS = 5;

/** The text of one finding as mrkdwn, within a section's limit. */
export function findingText(f: Finding): string {
  const parts = [`${severityEmoji(f.severity)} ${escapeMrkdwn(f.message)}`];
  if (f.subject) parts.push(`Subject: \`${escapeMrkdwn(f.subject)}\``);
  if (f.hint) parts.push(`_Hint:_ ${escapeMrkdwn(f.hint)}`);
  if (f.docsUrl && /^https:\/\/[^\s<>|]+$/.test(f.docsUrl)) parts.push(`<${f.docsUrl}|Documentation>`);
  return truncate(parts.join('\n'), SLACK_LIMITS.sectionText);
}

/**
 * A table as a code block inside one section (3000 characters). Rows that do not fit are
 * left out and counted.
 */
export function tableSection(table: EvidenceTable): { text: string; omittedRows: number } {
  const title = `*${escapeMrkdwn(truncate(table.title, 200))}*`;
  const { header, rows } = tableLines(table);
  const esc = (l: string): string => escapeMrkdwn(truncate(l, 500));
  const fence = '```';
  const build = (n: number): string => {
    const body = [...header, ...rows.slice(0, n)].map(esc);
    if (rows.length === 0) body.push('(none)');
    const more = rows.length - n;
    return `${title}\n${fence}\n${body.join('\n')}\n${fence}${more > 0 ? `\n${andMore(more, 'row')}` : ''}`;
  };
  let n = rows.length;
  let text = build(n);
  while (text.length > SLACK_LIMITS.sectionText && n > 0) {
    // Drop rows in proportion to the excess, then one at a time.
    const excess = text.length - SLACK_LIMITS.sectionText;
    const perRow = Math.max(1, Math.floor(text.length / Math.max(1, n + header.length)));
    n = Math.max(0, n - Math.max(1, Math.ceil(excess / perRow)));
    text = build(n);
  }
  return { text: truncate(text, SLACK_LIMITS.sectionText), omittedRows: rows.length - n };
}

function runButton(
  index: number,
  label: string,
  command: string,
  requestedBy: string,
  origin: 'rerun' | 'next-step',
  cluster: string | undefined,
): BlockBuilder[] | undefined {
  let value: string;
  try {
    // The cluster the result came from: a click acts where the question was asked.
    value = encodeButtonValue({
      v: 1,
      kind: 'run',
      command,
      requestedBy,
      origin,
      ...(cluster !== undefined ? { cluster } : {}),
    });
  } catch {
    return undefined; // a command too long for a button is offered as text instead
  }
  return [
    Elements.Button({
      text: truncate(label, SLACK_LIMITS.buttonText),
      // Unique within the message, as Slack requires; handlers match the prefix.
      actionId: `${RUN_ACTION_ID}:${index}`,
      value,
    }) as unknown as BlockBuilder,
  ];
}

/**
 * A StepResult as thread replies: a result message (header, status, summary, findings,
 * next steps) and an evidence message (tables as code blocks). Each stays within Slack's
 * limits; what does not fit is counted ("...and N more") and `truncated` asks for the
 * full detail as a file.
 */
export function renderStepResult(result: StepResult, ctx: ResultContext): RenderedResult {
  const omitted = { findings: 0, tables: 0, rows: 0, nextSteps: 0 };
  const header = truncate(resultHeading(result), SLACK_LIMITS.headerText);
  const statusText = truncate(
    `*${statusLabel(result.status)}*  ${escapeMrkdwn(result.summary)}`,
    SLACK_LIMITS.sectionText,
  );

  // Next steps: commands become buttons, the rest context lines.
  const buttons: BlockBuilder[] = [];
  const rerun = runButton(0, 'Run again', ctx.commandText, ctx.requestedBy, 'rerun', result.cluster);
  if (rerun) buttons.push(...rerun);
  const textSteps: string[] = [];
  let nextButtons = 0;
  for (const step of result.next) {
    const b =
      step.command && nextButtons < MAX_NEXT_BUTTONS
        ? runButton(
            nextButtons + 1,
            step.label,
            formatCommand(step.command),
            ctx.requestedBy,
            'next-step',
            result.cluster,
          )
        : undefined;
    if (b) {
      buttons.push(...b);
      nextButtons++;
    }
    if (!b || step.description) {
      const cmd = step.command && !b ? ` \`/mesh ${escapeMrkdwn(formatCommand(step.command))}\`` : '';
      textSteps.push(
        `*${escapeMrkdwn(step.label)}*${cmd}${step.description ? `: ${escapeMrkdwn(step.description)}` : ''}`,
      );
    }
  }
  // Context blocks hold 10 elements; further next steps are counted.
  const shownTextSteps = textSteps.slice(0, SLACK_LIMITS.contextElements - 1);
  omitted.nextSteps = textSteps.length - shownTextSteps.length;
  if (omitted.nextSteps > 0) shownTextSteps.push(andMore(omitted.nextSteps, 'next step'));

  const footer = `Asked by <@${ctx.requestedBy}> · ${result.durationMs} ms · \`/mesh ${escapeMrkdwn(truncate(ctx.commandText, 200))}\``;

  // Fixed blocks: header, status, (more-findings note), next-steps context, actions, footer.
  const fixed = 2 + 1 + (shownTextSteps.length ? 1 : 0) + (buttons.length ? 1 : 0) + 1;
  const findingRoom = SLACK_LIMITS.blocksPerMessage - fixed;
  const shownFindings = result.findings.slice(0, findingRoom);
  omitted.findings = result.findings.length - shownFindings.length;

  const resultBlocks: BlockBuilder[] = [
    Blocks.Header({ text: header }),
    Blocks.Section({ text: statusText }),
    ...(result.findings.length === 0 ? [Blocks.Section({ text: '_No findings._' })] : []),
    ...shownFindings.map((f) => Blocks.Section({ text: findingText(f) })),
  ];
  if (omitted.findings > 0) {
    resultBlocks.push(
      Blocks.Context().elements(
        `${andMore(omitted.findings, 'finding')}: the full detail is in the file below.`,
      ),
    );
  }
  if (shownTextSteps.length)
    resultBlocks.push(
      Blocks.Context().elements(...shownTextSteps.map((t) => truncate(t, SLACK_LIMITS.sectionText))),
    );
  if (buttons.length) resultBlocks.push(Blocks.Actions().elements(...(buttons as never[])));
  resultBlocks.push(Blocks.Context().elements(footer));

  const messages: SlackMessageBody[] = [
    {
      text: truncate(`${resultHeading(result)}: ${result.status}: ${result.summary}`, 3000),
      blocks: asSlackBlocks(BlockCollection(...resultBlocks)),
    },
  ];

  if (result.evidence.length > 0) {
    const room = SLACK_LIMITS.blocksPerMessage - 2; // header and the "more" note
    const shown = result.evidence.slice(0, room);
    omitted.tables = result.evidence.length - shown.length;
    const sections = shown.map((t) => {
      const s = tableSection(t);
      omitted.rows += s.omittedRows;
      return Blocks.Section({ text: s.text });
    });
    const evidenceBlocks: BlockBuilder[] = [
      Blocks.Header({ text: truncate(`Evidence: ${header}`, SLACK_LIMITS.headerText) }),
      ...sections,
    ];
    if (omitted.tables > 0) {
      evidenceBlocks.push(
        Blocks.Context().elements(
          `${andMore(omitted.tables, 'table')}: the full detail is in the file below.`,
        ),
      );
    }
    messages.push({
      text: `Evidence for ${resultHeading(result)}`,
      blocks: asSlackBlocks(BlockCollection(...evidenceBlocks)),
    });
  }

  const truncated = omitted.findings + omitted.tables + omitted.rows + omitted.nextSteps > 0;
  return {
    messages,
    truncated,
    omitted,
    fullDetail: {
      filename: `${result.step}-${result.target.replace(/[^A-Za-z0-9.-]+/g, '_')}.txt`,
      title: `Full detail: ${resultHeading(result)}`,
      content: renderFullDetail(result, ctx.commandText),
    },
  };
}
