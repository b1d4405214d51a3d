import { parseLabelSelector } from '../../../src/grammar/label-selector.js';

describe('parseLabelSelector', () => {
  it.each([
    'app=web',
    'app==web,tier!=db',
    'env in (prod, staging)',
    '!canary',
    'app.kubernetes.io/name=web',
    'a,b=c',
  ])('accepts %s', (s) => expect(parseLabelSelector(s)).toBe(s));
  it.each(['', 'app in (', 'app=we b', '=web', 'app=web,,x'])('refuses %p', (s) =>
    expect(() => parseLabelSelector(s)).toThrow(/label selector/),
  );
});
