import { formatThread, mrkdwnToText } from '../../../../src/sandbox/slack/format-thread.js';

describe('formatThread', () => {
  it('shows mrkdwn as plain text: mentions, emoji, bold, entities', () => {
    expect(
      mrkdwnToText('*:x: Fail* asked by <@U1> &lt;x&gt; _Hint:_ do', (id) =>
        id === 'U1' ? 'alice' : undefined,
      ),
    ).toBe('❌ Fail asked by @alice <x> Hint: do');
  });

  it('prints the parent and its replies, code blocks indented, buttons bracketed, files listed', () => {
    const text = formatThread(
      {
        channel: 'C1',
        parent: {
          channel: 'C1',
          ts: '1.1',
          user: 'UB',
          text: 'x',
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'parent' } }],
          updates: 1,
        },
        replies: [
          {
            channel: 'C1',
            ts: '1.2',
            thread_ts: '1.1',
            user: 'UB',
            text: '',
            updates: 0,
            blocks: [
              { type: 'header', text: { type: 'plain_text', text: 'H' } },
              { type: 'section', text: { type: 'mrkdwn', text: 'T\n```\nA  B\n```' } },
              {
                type: 'actions',
                elements: [{ type: 'button', text: { type: 'plain_text', text: 'Run again' } }],
              },
            ],
          },
          {
            channel: 'C1',
            ts: '1.3',
            thread_ts: '1.1',
            user: 'UB',
            text: 'full',
            blocks: [],
            updates: 0,
            files: [{ id: 'F1', name: 'a.txt', title: 'A', content: 'abc' }],
          },
        ],
      },
      { channelName: 'incidents', userName: (id) => (id === 'UB' ? 'meshbot' : undefined) },
    );
    expect(text).toContain('#incidents\nmeshbot:\n  parent');
    expect(text).toContain('== H ==');
    expect(text).toContain('        A  B');
    expect(text).toContain('[ Run again ]');
    expect(text).toContain('📎 a.txt (A, 3 bytes)');
  });
});
