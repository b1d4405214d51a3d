import type { OpenAlert } from '../../../src/drift/alert-state.js';
import { formatCommand } from '../../../src/grammar/format-command.js';
import { nextStepFor } from '../../../src/slack/report-notifier.js';

const alert = (over: Partial<OpenAlert>): OpenAlert => ({
  fingerprint: 'f1',
  cluster: 'prod',
  kind: 'stale-in-destination',
  subject: 'web-svc.emojivoto:80',
  severity: 'fail',
  message: 'stale',
  source: 'endpoints',
  firstSeen: '2026-11-30T06:00:00Z',
  lastSeen: '2026-11-30T06:00:00Z',
  ...over,
});

const step = (over: Partial<OpenAlert>) => {
  const s = nextStepFor(alert(over));
  return [s.label, formatCommand(s.command)];
};

describe("a report finding's first button", () => {
  it('starts the stale-endpoints runbook for stale or missing addresses', () => {
    for (const kind of ['stale-in-destination', 'missing-from-destination']) {
      expect(step({ kind })).toEqual([
        'Start the stale-endpoints runbook',
        'runbook stale-endpoints web-svc.emojivoto',
      ]);
    }
  });

  it('keeps the matching command for the other findings', () => {
    expect(step({ kind: 'destination-unavailable' })).toEqual([
      'endpoints web-svc.emojivoto:80',
      'endpoints web-svc.emojivoto:80',
    ]);
    expect(
      step({ kind: 'l5d-data-plane-version', source: 'control-plane', subject: 'web-1.emojivoto' }),
    ).toEqual(['check --proxy', 'check --proxy']);
    expect(
      step({ kind: 'l5d-identity-issuer-not-expiring-soon', source: 'control-plane', subject: 'issuer' }),
    ).toEqual(['check', 'check']);
  });
});
