import type { StepResult } from '../../../src/domain/step-result.js';
import { renderStepResultJson } from '../../../src/render/json/render-step-result-json.js';
import { formatTable } from '../../../src/render/text/format-table.js';
import { renderStepResultText } from '../../../src/render/text/render-step-result-text.js';
import { useColor } from '../../../src/render/text/use-color.js';
import { runnable } from '../../support/runnable-command.js';
import { formatCommand } from '../../../src/grammar/format-command.js';

const result: StepResult<{ n: number }> = {
  step: 'endpoints',
  target: 'web-svc.emojivoto',
  status: 'fail',
  summary: 'web-svc.emojivoto: 1 stale address in the destination',
  findings: [
    { severity: 'info', code: 'no-selector', message: 'informational' },
    {
      severity: 'fail',
      code: 'stale-in-destination',
      message: '10.0.0.9:8080 is stale',
      hint: 'restart it',
      subject: '10.0.0.9:8080',
    },
  ],
  evidence: [
    {
      title: 'web-svc.emojivoto port 80',
      columns: ['ADDRESS', 'POD', 'EMPTY', 'VERDICT'],
      rows: [
        ['10.0.0.1:8080', 'web-1', '', 'ok'],
        ['10.0.0.9:8080', 'web-gone-abcdef', '', 'STALE'],
      ],
    },
  ],
  next: [
    { label: "Check the destination controller's metrics", command: runnable('metrics web-svc.emojivoto') },
    { label: 'Check the control plane', command: runnable('check') },
  ],
  data: { n: 1 },
  startedAt: '2026-11-23T18:00:00.000Z',
  durationMs: 42,
};

describe('formatTable', () => {
  it('aligns columns like kubectl and drops columns empty in every row', () => {
    expect(formatTable(result.evidence[0]!)).toEqual([
      'ADDRESS         POD               VERDICT',
      '10.0.0.1:8080   web-1             ok',
      '10.0.0.9:8080   web-gone-abcdef   STALE',
    ]);
  });
});

describe('renderStepResultText', () => {
  const text = renderStepResultText(result, { color: false });

  it('starts with the status line and the summary', () => {
    expect(text.split('\n').slice(0, 2)).toEqual([
      'FAIL  endpoints web-svc.emojivoto  (42 ms)',
      'web-svc.emojivoto: 1 stale address in the destination',
    ]);
  });
  it('lists findings worst first, with hints', () => {
    const findings = text.slice(text.indexOf('Findings'));
    expect(findings.indexOf('FAIL ')).toBeLessThan(findings.indexOf('INFO '));
    expect(findings).toContain('hint: restart it');
  });
  it('prints next steps as commands to type', () => {
    expect(text).toContain('meshbot metrics web-svc.emojivoto');
    expect(text).toMatch(/meshbot check\s+Check the control plane/);
  });
  it('has no escape codes without colour, and some with', () => {
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\u001b\[/);
    // eslint-disable-next-line no-control-regex
    expect(renderStepResultText(result, { color: true })).toMatch(/\u001b\[31m/);
  });
});

describe('useColor', () => {
  it('colours a TTY only, and never under NO_COLOR', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({}, {})).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });
});

describe('renderStepResultJson', () => {
  it('prints the StepResult object itself', () => {
    const next = result.next.map((n) => (n.command ? { ...n, command: formatCommand(n.command) } : n));
    expect(JSON.parse(renderStepResultJson(result))).toEqual({ ...result, next });
    expect(next.map((n) => n.command)).toEqual(['metrics web-svc.emojivoto', 'check']);
  });
});
