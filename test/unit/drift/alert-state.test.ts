import { evaluateRun, formatOpenFor, type OpenAlert, type Snooze } from '../../../src/drift/alert-state.js';
import { fingerprintOf } from '../../../src/drift/fingerprint.js';
import type { SweepFinding } from '../../../src/steps/sweep/sweep-types.js';

const T0 = new Date('2026-11-30T08:00:00Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

const finding = (subject: string, extra: Partial<SweepFinding> = {}): SweepFinding => ({
  severity: 'fail',
  code: 'stale-in-destination',
  kind: 'stale-in-destination',
  subject,
  cluster: 'prod',
  fingerprint: fingerprintOf('prod', 'stale-in-destination', subject),
  source: 'endpoints',
  message: `${subject} is stale`,
  addresses: ['10.0.0.1:80'],
  ...extra,
});

/** Runs the findings of successive runs, carrying the open alerts along. */
function runs(
  steps: Array<{ at: Date; findings: SweepFinding[]; partial?: boolean; snoozes?: Record<string, Snooze> }>,
  repeatIntervalMs?: number,
) {
  let open: Record<string, OpenAlert> = {};
  return steps.map((s) => {
    const e = evaluateRun(open, s.findings, {
      now: s.at,
      ...(repeatIntervalMs ? { repeatIntervalMs } : {}),
      ...(s.snoozes ? { snoozes: s.snoozes } : {}),
      ...(s.partial ? { partial: true } : {}),
    });
    open = e.open;
    return e;
  });
}

describe('evaluateRun', () => {
  const web = finding('web.shop:80');
  const issuer = finding('linkerd', {
    kind: 'l5d-identity-issuer-not-expiring-soon',
    source: 'control-plane',
    fingerprint: fingerprintOf('prod', 'l5d-identity-issuer-not-expiring-soon', 'linkerd'),
    severity: 'warn',
  });

  it('posts a new finding once, then stays quiet while it is unchanged', () => {
    const [first, second, third] = runs([
      { at: at(0), findings: [web] },
      { at: at(5), findings: [web] },
      { at: at(10), findings: [web] },
    ]);
    expect(first!.changes.map((c) => c.type)).toEqual(['new']);
    expect(first!.toPost.map((a) => a.fingerprint)).toEqual([web.fingerprint]);
    expect(second!.changes.map((c) => c.type)).toEqual(['unchanged']);
    expect(second!.toPost).toEqual([]);
    expect(third!.toRemind).toEqual([]);
    expect(third!.open[web.fingerprint]!.firstSeen).toBe(at(0).toISOString());
  });

  it('posts again when a finding worsens (more addresses, higher severity)', () => {
    const [, more, worse] = runs([
      { at: at(0), findings: [finding('web.shop:80', { severity: 'warn' })] },
      {
        at: at(1),
        findings: [finding('web.shop:80', { severity: 'warn', addresses: ['10.0.0.1:80', '10.0.0.2:80'] })],
      },
      { at: at(2), findings: [finding('web.shop:80', { addresses: ['10.0.0.1:80', '10.0.0.2:80'] })] },
    ]);
    expect(more!.changes[0]!.type).toBe('worsened');
    expect(worse!.changes[0]!.type).toBe('worsened');
    expect(worse!.toPost).toHaveLength(1);
  });

  it('reminds once per repeat interval (default 4 h), not at every run', () => {
    const results = runs([
      { at: at(0), findings: [web] },
      { at: at(239), findings: [web] },
      { at: at(240), findings: [web] },
      { at: at(250), findings: [web] },
      { at: at(480), findings: [web] },
    ]);
    expect(results.map((r) => r.changes[0]!.type)).toEqual([
      'new',
      'unchanged',
      'reminder',
      'unchanged',
      'reminder',
    ]);
  });

  it('honours a configured repeat interval', () => {
    const results = runs(
      [
        { at: at(0), findings: [web] },
        { at: at(30), findings: [web] },
      ],
      30 * 60_000,
    );
    expect(results[1]!.toRemind).toHaveLength(1);
  });

  it('resolves a finding that cleared, with how long it was open', () => {
    const [, cleared, after] = runs([
      { at: at(0), findings: [web] },
      { at: at(14), findings: [] },
      { at: at(20), findings: [] },
    ]);
    expect(cleared!.toResolve).toHaveLength(1);
    expect(cleared!.toResolve[0]!.openForMs).toBe(14 * 60_000);
    expect(formatOpenFor(cleared!.toResolve[0]!.openForMs!)).toBe('14 min');
    expect(cleared!.open).toEqual({});
    expect(after!.changes).toEqual([]);
  });

  it('posts a finding that comes back as new (a flap is a new alert)', () => {
    const results = runs([
      { at: at(0), findings: [web] },
      { at: at(1), findings: [] },
      { at: at(2), findings: [web] },
    ]);
    expect(results[2]!.changes[0]!.type).toBe('new');
  });

  it('holds a snoozed finding back, and posts it once the snooze ended and it is still there', () => {
    const snoozes = {
      [web.fingerprint]: {
        fingerprint: web.fingerprint,
        until: at(60).toISOString(),
        by: 'U1',
        at: at(0).toISOString(),
      },
    };
    const results = runs([
      { at: at(0), findings: [web], snoozes },
      { at: at(30), findings: [web], snoozes },
      { at: at(61), findings: [web], snoozes },
    ]);
    expect(results[0]!.toPost).toEqual([]);
    expect(results[0]!.changes[0]!.snoozed).toBe(true);
    expect(results[1]!.toPost).toEqual([]);
    expect(results[2]!.toPost).toHaveLength(1);
  });

  it('does not remind of a snoozed finding, and does not announce the resolution of one never posted', () => {
    const snoozes = {
      [web.fingerprint]: {
        fingerprint: web.fingerprint,
        until: at(600).toISOString(),
        by: 'U1',
        at: at(0).toISOString(),
      },
    };
    const results = runs([
      { at: at(0), findings: [web], snoozes },
      { at: at(300), findings: [web], snoozes },
      { at: at(301), findings: [], snoozes },
    ]);
    expect(results[1]!.toRemind).toEqual([]);
    expect(results[2]!.toResolve).toEqual([]);
    expect(results[2]!.open).toEqual({});
  });

  it('keeps open endpoint alerts a partial run could not see, and resolves control-plane ones it did check', () => {
    const [, partial] = runs([
      { at: at(0), findings: [web, issuer] },
      { at: at(5), findings: [], partial: true },
    ]);
    expect(Object.keys(partial!.open)).toEqual([web.fingerprint]);
    expect(partial!.toResolve.map((c) => c.alert.fingerprint)).toEqual([issuer.fingerprint]);
  });

  it("keeps every open alert of a cluster that was not swept at all, and resolves the other cluster's", () => {
    const other = finding('web.shop:80', {
      cluster: 'staging',
      fingerprint: fingerprintOf('staging', 'stale-in-destination', 'web.shop:80'),
    });
    let open: Record<string, OpenAlert> = {};
    open = evaluateRun(open, [web, issuer, other], { now: at(0) }).open;
    const e = evaluateRun(open, [], {
      now: at(5),
      partialClusters: new Set(['prod']),
      swept: new Set(['staging']),
    });
    expect(Object.keys(e.open).sort()).toEqual([web.fingerprint, issuer.fingerprint].sort());
    expect(e.toResolve.map((c) => c.alert.fingerprint)).toEqual([other.fingerprint]);
  });

  it('ignores info findings', () => {
    const [r] = runs([{ at: at(0), findings: [finding('x', { severity: 'info' })] }]);
    expect(r!.changes).toEqual([]);
  });
});
