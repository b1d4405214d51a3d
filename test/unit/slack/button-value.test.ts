import { decodeButtonValue, encodeButtonValue } from '../../../src/slack/button-value.js';
import { UsageError } from '../../../src/errors.js';

describe('button value', () => {
  const value = {
    v: 1 as const,
    kind: 'run' as const,
    command: 'endpoints web-svc.emojivoto',
    requestedBy: 'U0ALICE',
    origin: 'rerun' as const,
  };

  it('round-trips', () => {
    expect(decodeButtonValue(encodeButtonValue(value))).toEqual(value);
  });

  it('refuses values over 2000 characters', () => {
    expect(() =>
      encodeButtonValue({ ...value, command: 'x'.repeat(1000), requestedBy: 'U0ALICE' }),
    ).not.toThrow();
    expect(() => decodeButtonValue('x'.repeat(2001))).toThrow(UsageError);
  });

  it('rejects anything meshbot did not write', () => {
    for (const raw of [
      undefined,
      '',
      'not json',
      '[]',
      '{"v":2}',
      JSON.stringify({ ...value, extra: 1, requestedBy: '<@U1>' }),
      JSON.stringify({ ...value, kind: 'delete' }),
    ]) {
      expect(() => decodeButtonValue(raw)).toThrow(/no valid meshbot action/);
    }
  });
});
