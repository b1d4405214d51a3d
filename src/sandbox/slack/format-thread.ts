import type { DoubleMessage, DoubleThread } from './slack-double-types.js';

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  x: '❌',
  warning: '⚠️',
  exclamation: '❗',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  information_source: 'ℹ️',
  no_entry: '⛔',
  wave: '👋',
};

interface TextObject {
  text?: string;
}
interface AnyBlock {
  type: string;
  text?: TextObject;
  elements?: { type?: string; text?: TextObject | string }[];
  fields?: TextObject[];
}

/** mrkdwn as a terminal shows it: mentions by name, entities decoded, known emoji drawn. */
export function mrkdwnToText(
  text: string,
  userName: (id: string) => string | undefined = () => undefined,
): string {
  return (
    text
      .replace(/<@([A-Z0-9]+)>/g, (_, id: string) => `@${userName(id) ?? id}`)
      .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
      .replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m)
      // *bold* and _italic_ as plain words (a terminal has no mrkdwn)
      .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;])/gm, '$1$2')
      .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;])/gm, '$1$2')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  );
}

function blockLines(block: AnyBlock, userName: (id: string) => string | undefined): string[] {
  const t = (s: string | undefined): string => mrkdwnToText(s ?? '', userName);
  switch (block.type) {
    case 'header':
      return [`== ${t(block.text?.text)} ==`];
    case 'section': {
      const lines: string[] = [];
      let inCode = false;
      for (const line of t(block.text?.text).split('\n')) {
        if (line.trim() === '```') {
          inCode = !inCode;
          continue;
        }
        lines.push(inCode ? `  ${line}` : line);
      }
      for (const f of block.fields ?? []) lines.push(t(f.text));
      return lines;
    }
    case 'context':
      return [
        `(${(block.elements ?? []).map((e) => t(typeof e.text === 'string' ? e.text : e.text?.text)).join(' · ')})`,
      ];
    case 'actions':
      return [
        (block.elements ?? [])
          .map((e) => `[ ${t(typeof e.text === 'string' ? e.text : e.text?.text)} ]`)
          .join(' '),
      ];
    case 'divider':
      return ['---'];
    default:
      return [`(${block.type} block)`];
  }
}

/** One message as readable lines: its blocks, or its text when it has none, and its files. */
export function messageLines(
  m: DoubleMessage,
  userName: (id: string) => string | undefined = () => undefined,
): string[] {
  const lines = m.blocks.length
    ? (m.blocks as AnyBlock[]).flatMap((b) => blockLines(b, userName))
    : m.text
      ? [mrkdwnToText(m.text, userName)]
      : [];
  for (const f of m.files ?? []) lines.push(`📎 ${f.name} (${f.title}, ${f.content.length} bytes)`);
  return lines;
}

/** A thread as a person would read it in Slack, for the terminal. */
export function formatThread(
  thread: DoubleThread,
  opts: { channelName?: string; userName?: (id: string) => string | undefined; asked?: string } = {},
): string {
  const userName = opts.userName ?? (() => undefined);
  const out: string[] = [`#${opts.channelName ?? thread.channel}`];
  if (opts.asked) out.push(opts.asked, '');
  const name = (id: string): string => userName(id) ?? id;
  out.push(`${name(thread.parent.user)}:`, ...messageLines(thread.parent, userName).map((l) => `  ${l}`));
  for (const r of thread.replies) {
    out.push(
      '',
      `  ↳ ${name(r.user)} (in the thread):`,
      ...messageLines(r, userName).map((l) => `      ${l}`),
    );
  }
  return `${out.join('\n')}\n`;
}
