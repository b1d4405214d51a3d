import { exitCodeForCheck } from '../../../../src/cli/commands/check.js';
import type { StepResult } from '../../../../src/domain/step-result.js';
import { renderCheckText } from '../../../../src/render/text/render-check-text.js';
import type { CheckData, CheckResult } from '../../../../src/steps/check/check-types.js';
import { runnable } from '../../../support/runnable-command.js';

function r(id: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult {
  return {
    id,
    description: `${id} is fine`,
    status,
    message: status === 'pass' ? 'ok' : `${id} is not fine`,
    docsUrl: `https://linkerd.io/2/checks/#${id}`,
    durationMs: 1,
    ...extra,
  };
}

const skipped = 'skipped: "ns is fine" (linkerd-existence) did not pass';

const result: StepResult<CheckData> = {
  step: 'check',
  target: 'linkerd',
  status: 'fail',
  summary:
    'Linkerd has problems (control plane in linkerd): 1 of 6 checks passed, 1 failed, 1 could not be asked, 1 warning, 2 skipped.',
  findings: [],
  evidence: [],
  next: [{ label: 'Compare endpoints', command: runnable('endpoints web-svc.emojivoto') }],
  data: {
    controlPlaneNamespace: 'linkerd',
    categories: [
      {
        id: 'linkerd-existence',
        title: 'linkerd-existence',
        status: 'fail',
        checks: [
          r('api', 'pass'),
          r('pods', 'fail', { details: ['pod/a CrashLoopBackOff'], hint: 'read the logs' }),
          r('issuer', 'error', { message: 'Kubernetes forbids meshbot to get secrets', hint: 'Grant it' }),
          r('expiry', 'warn'),
        ],
      },
      {
        id: 'linkerd-identity',
        title: 'linkerd-identity',
        status: 'skipped',
        checks: [r('a', 'skipped', { message: skipped }), r('b', 'skipped', { message: skipped })],
      },
    ],
    counts: { pass: 1, warn: 1, fail: 1, error: 1, skipped: 2 },
  },
  startedAt: '2026-11-23T12:00:00.000Z',
  durationMs: 12,
};

describe('renderCheckText', () => {
  it('groups by category with linkerd check marks, indented messages, hints and doc links', () => {
    expect(renderCheckText(result)).toBe(
      [
        'linkerd-existence',
        '-----------------',
        '√ api is fine',
        '× pods is fine',
        '    pods is not fine',
        '      pod/a CrashLoopBackOff',
        '    hint: read the logs',
        '    see https://linkerd.io/2/checks/#pods for hints',
        '× issuer is fine',
        '    could not check: Kubernetes forbids meshbot to get secrets',
        '    hint: Grant it',
        '    see https://linkerd.io/2/checks/#issuer for hints',
        '‼ expiry is fine',
        '    expiry is not fine',
        '    see https://linkerd.io/2/checks/#expiry for hints',
        '',
        'linkerd-identity',
        '----------------',
        '- a is fine',
        '- b is fine',
        `    ${skipped}`,
        '',
        'Status check results are ×',
        result.summary,
        'next: Compare endpoints (meshbot endpoints web-svc.emojivoto)',
        '',
      ].join('\n'),
    );
  });

  it('shows what passing checks saw with verbose, and colours marks only when asked', () => {
    expect(renderCheckText(result, { verbose: true })).toContain('√ api is fine\n    ok\n');
    const coloured = renderCheckText(result, { color: true });
    expect(coloured).toContain('\u001b[32m√\u001b[39m api is fine');
    expect(coloured).toContain('\u001b[31m×\u001b[39m pods is fine');
  });
});

describe('exitCodeForCheck', () => {
  it('is 0 for pass and warnings (as linkerd check), 1 for a failure, 3 when it could not ask', () => {
    expect([
      exitCodeForCheck('pass'),
      exitCodeForCheck('warn'),
      exitCodeForCheck('fail'),
      exitCodeForCheck('error'),
    ]).toEqual([0, 0, 1, 3]);
  });
});
