import { loadRunbooks } from '../../../../src/runbooks/load-runbooks.js';
import {
  decodeRunbookButton,
  encodeRunbookButton,
  type RunbookButtonValue,
} from '../../../../src/slack/runbook/runbook-button-value.js';
import { runFromButton } from '../../../../src/slack/runbook/runbook-thread.js';

const catalog = loadRunbooks();
const stale = catalog.get('stale-endpoints')!;

const value = (over: Partial<RunbookButtonValue> = {}): RunbookButtonValue => ({
  v: 1,
  op: 'confirm',
  rb: 'stale-endpoints',
  h: stale.hash,
  t: 'web-svc.emojivoto',
  c: 'prod-eu',
  by: 'U0ALICE',
  th: '1700000000.000100',
  st: 1_700_000_000_000,
  s: 'scale-test',
  r: [
    { o: 'p', a: 1_700_000_000_000, d: 300, k: 'Linkerd is healthy' },
    { o: 'f', a: 1_700_000_000_400, d: 80, k: '1 stale address\n10.1.0.5:8080 is served but gone' },
    { o: 'e', a: 1_700_000_000_500, d: 10, k: 'Prometheus could not be reached' },
  ],
  n: '0123456789abcdef',
  exp: 2_000_000_000_000,
  ...over,
});

describe('runbook buttons', () => {
  it('round-trip the run, recorded with the cluster it started on', () => {
    const raw = encodeRunbookButton(value());
    expect(raw.length).toBeLessThanOrEqual(2000);
    const back = decodeRunbookButton(raw, 1_800_000_000_000);
    expect(back).toEqual(value());
    const run = runFromButton(catalog, back, 'C1');
    expect(run.cluster).toBe('prod-eu');
    expect(run.entries.map((e) => e.o).join('')).toBe('pfe');
  });

  it('cut the key evidence to fit 2000 characters, oldest detail first', () => {
    const long = 'x'.repeat(400);
    const r = Array.from({ length: 12 }, (_, i) => ({ o: 'p' as const, a: i, d: 1, k: long }));
    const raw = encodeRunbookButton(value({ r }));
    expect(raw.length).toBeLessThanOrEqual(2000);
  });

  it('say so when expired, and refuse what meshbot did not write', () => {
    expect(() => decodeRunbookButton(encodeRunbookButton(value({ exp: 1000 })), 2000)).toThrow(
      /these buttons expired at 1970-01-01T00:00:01.000Z/,
    );
    expect(() => decodeRunbookButton('{"v":1}')).toThrow(/no valid runbook step/);
    expect(() => decodeRunbookButton(JSON.stringify({ ...value(), t: 'web; rm -rf /' }))).toThrow(
      /no valid runbook step/,
    );
  });

  // Regression: a decision before any step had run skipped the hash check.
  it('refuse a changed runbook even before the first step ran', () => {
    expect(() =>
      runFromButton(catalog, value({ r: [], s: 'destination-health', h: '0000000000000000' }), 'C1'),
    ).toThrow(/the stale-endpoints runbook changed since this run began/);
    expect(() => runFromButton(catalog, value({ h: '0000000000000000' }), 'C1')).toThrow(/changed since/);
  });
});
