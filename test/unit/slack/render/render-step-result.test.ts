import type { StepResult } from '../../../../src/domain/step-result.js';
import { renderStepResult, tableSection } from '../../../../src/slack/render/render-step-result.js';
import { renderFinishedParent, renderRunningParent } from '../../../../src/slack/render/render-run-parent.js';
import { checkBlocks } from '../../../../src/sandbox/slack/check-blocks.js';
import { decodeButtonValue } from '../../../../src/slack/button-value.js';
import { runnable } from '../../../support/runnable-command.js';

function result(over: Partial<StepResult> = {}): StepResult {
  return {
    step: 'endpoints',
    target: 'web-svc.emojivoto',
    status: 'fail',
    summary: 'one stale address',
    findings: [
      { severity: 'fail', code: 'stale', message: '10.0.0.1:80 is stale', hint: 'restart the destination' },
    ],
    evidence: [{ title: 'Destination', columns: ['address', 'pod'], rows: [['10.0.0.1:80', 'web-1']] }],
    next: [
      { label: 'Metrics', command: runnable('metrics web-svc.emojivoto') },
      { label: 'Look at the destination pods', description: 'kubectl -n linkerd get pods' },
    ],
    data: null,
    startedAt: '2026-11-23T18:00:00.000Z',
    durationMs: 42,
    ...over,
  };
}

const ctx = { commandText: 'endpoints web-svc.emojivoto', requestedBy: 'U0ALICE' };
const json = (x: unknown): string => JSON.stringify(x);

describe('renderStepResult', () => {
  it('renders header, status with emoji and word, findings with hints, tables as code, next steps', () => {
    const r = renderStepResult(result(), ctx);
    expect(r.truncated).toBe(false);
    expect(r.messages).toHaveLength(2);
    const [main, evidence] = r.messages;
    expect(main!.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'endpoints web-svc.emojivoto' },
    });
    expect(json(main!.blocks)).toContain(':x: Fail');
    expect(json(main!.blocks)).toContain('_Hint:_ restart the destination');
    expect(json(main!.blocks)).toContain('kubectl -n linkerd get pods');
    expect(json(evidence!.blocks)).toContain('```');
    expect(json(evidence!.blocks)).toContain('10.0.0.1:80');
    const actions = main!.blocks.find((b) => b.type === 'actions') as unknown as {
      elements: { action_id: string; value: string; text: { text: string } }[];
    };
    expect(actions.elements.map((e) => e.text.text)).toEqual(['Run again', 'Metrics']);
    expect(decodeButtonValue(actions.elements[1]!.value)).toEqual({
      v: 1,
      kind: 'run',
      command: 'metrics web-svc.emojivoto',
      requestedBy: 'U0ALICE',
      origin: 'next-step',
    });
    for (const m of r.messages) expect(checkBlocks(m.blocks)).toBeUndefined();
  });

  it('escapes mrkdwn in data it did not write', () => {
    const r = renderStepResult(
      result({
        summary: '<!channel> & <@U1>',
        findings: [{ severity: 'warn', code: 'x', message: '<https://evil|click>' }],
      }),
      ctx,
    );
    const text = json(r.messages[0]!.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;@U1&gt;');
    expect(text).not.toContain('<https://evil|click>');
  });

  it('keeps within 50 blocks and says how many findings it left out', () => {
    const findings = Array.from({ length: 200 }, (_, i) => ({
      severity: 'fail' as const,
      code: 'stale',
      message: `addr ${i}`,
    }));
    const r = renderStepResult(result({ findings }), ctx);
    const main = r.messages[0]!;
    expect(main.blocks.length).toBeLessThanOrEqual(50);
    const shown = main.blocks.filter((b) => json(b).includes('addr ')).length;
    expect(json(main.blocks)).toContain(`...and ${200 - shown} more findings`);
    expect(r.omitted.findings).toBe(200 - shown);
    expect(r.truncated).toBe(true);
    expect(r.fullDetail.content).toContain('addr 199');
    expect(checkBlocks(main.blocks)).toBeUndefined();
  });

  it('keeps each section within 3000 characters: long findings are cut, long tables lose rows', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [
      `10.1.${i >> 8}.${i & 255}:8080`,
      `web-${'x'.repeat(20)}-${i}`,
    ]);
    const r = renderStepResult(
      result({
        findings: [{ severity: 'fail', code: 'x', message: 'm'.repeat(5000) }],
        evidence: [{ title: 'Big', columns: ['address', 'pod'], rows }],
      }),
      ctx,
    );
    for (const m of r.messages) {
      expect(checkBlocks(m.blocks)).toBeUndefined();
      for (const b of m.blocks) {
        const t = (b as { text?: { text?: string } }).text?.text;
        if (t) expect(t.length).toBeLessThanOrEqual(3000);
      }
    }
    expect(r.omitted.rows).toBeGreaterThan(900);
    expect(json(r.messages[1]!.blocks)).toContain(`...and ${r.omitted.rows} more rows`);
    expect(r.fullDetail.content).toContain('10.1.3.231:8080');
  });

  it('counts tables beyond 50 blocks', () => {
    const evidence = Array.from({ length: 60 }, (_, i) => ({
      title: `t${i}`,
      columns: ['a'],
      rows: [['1']],
    }));
    const r = renderStepResult(result({ evidence }), ctx);
    expect(r.messages[1]!.blocks.length).toBeLessThanOrEqual(50);
    expect(r.omitted.tables).toBe(12);
    expect(json(r.messages[1]!.blocks)).toContain('...and 12 more tables');
  });

  it('offers a command too long for a button value as text, and caps next-step buttons', () => {
    const next = [
      {
        label: 'huge',
        command: { name: 'endpoints' as const, target: { service: 'a'.repeat(1990), namespace: 'ns' } },
      },
      ...Array.from({ length: 8 }, (_, i) => ({ label: `n${i}`, command: runnable(`metrics s${i}.ns`) })),
    ];
    const r = renderStepResult(result({ next }), ctx);
    const main = r.messages[0]!;
    expect(checkBlocks(main.blocks)).toBeUndefined();
    const actions = main.blocks.find((b) => b.type === 'actions') as unknown as {
      elements: { value: string }[];
    };
    expect(actions.elements.length).toBe(6); // Run again + 5 next steps
    for (const e of actions.elements) expect(e.value.length).toBeLessThanOrEqual(2000);
    expect(json(main.blocks)).toContain('/mesh endpoints aaaa');
  });

  it('renders the table with padded columns', () => {
    const s = tableSection({
      title: 'T',
      columns: ['address', 'pod'],
      rows: [
        ['10.0.0.1:80', 'web-1'],
        ['10.0.0.22:8080', 'w'],
      ],
    });
    expect(s.text).toContain('ADDRESS         POD\n');
    expect(s.text).toContain('10.0.0.1:80     web-1\n');
    expect(s.omittedRows).toBe(0);
  });
});

describe('parent message', () => {
  it('says what runs and who asked, then the final status and summary', () => {
    const running = renderRunningParent(
      { commandText: 'endpoints web-svc.emojivoto', requestedBy: 'U0ALICE' },
      'asking the destination · 6 s so far',
    );
    expect(json(running.blocks)).toContain('Running');
    expect(json(running.blocks)).toContain('<@U0ALICE>');
    expect(json(running.blocks)).toContain('6 s so far');
    const done = renderFinishedParent(
      { commandText: 'endpoints web-svc.emojivoto', requestedBy: 'U0ALICE' },
      result(),
    );
    expect(json(done.blocks)).toContain(':x: Fail');
    expect(json(done.blocks)).toContain('one stale address');
  });
});
