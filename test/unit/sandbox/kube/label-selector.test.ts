import {
  formatLabelSelector,
  fromStructuredSelector,
  matchesLabelSelector,
  matchesSelectorMap,
  matchesStructuredSelector,
  parseLabelSelector,
} from '../../../../src/sandbox/kube/label-selector.js';
import { StatusError } from '../../../../src/sandbox/kube/status-error.js';

const web = { app: 'web', tier: 'front', version: '3' };
const db = { app: 'db' };

function matches(selector: string, labels: Record<string, string> | undefined): boolean {
  return matchesLabelSelector(parseLabelSelector(selector), labels);
}

function parseError(selector: string): StatusError {
  try {
    parseLabelSelector(selector);
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error(`expected ${selector} to be refused`);
}

describe('label selector strings', () => {
  it('matches everything when empty', () => {
    expect(matches('', web)).toBe(true);
    expect(matches('  ', undefined)).toBe(true);
    expect(parseLabelSelector(undefined).requirements).toEqual([]);
  });

  it('supports =, == and !=', () => {
    expect(matches('app=web', web)).toBe(true);
    expect(matches('app==web', web)).toBe(true);
    expect(matches('app=web', db)).toBe(false);
    expect(matches('app!=web', db)).toBe(true);
    expect(matches('tier!=front', db)).toBe(true); // absent key satisfies !=
    expect(matches('app!=web', web)).toBe(false);
    expect(matches('app=web,tier=front', web)).toBe(true);
    expect(matches('app=web,tier=back', web)).toBe(false);
    expect(matches('app=', { app: '' })).toBe(true);
    expect(matches('app=', web)).toBe(false);
  });

  it('supports in and notin', () => {
    expect(matches('app in (web,db)', web)).toBe(true);
    expect(matches('app in (db, cache)', web)).toBe(false);
    expect(matches('tier in (front)', db)).toBe(false);
    expect(matches('app notin (db)', web)).toBe(true);
    expect(matches('app notin (web,db)', web)).toBe(false);
    expect(matches('tier notin (front)', db)).toBe(true);
    expect(matches('app in (web),tier notin (back),version', web)).toBe(true);
  });

  it('supports existence and non-existence', () => {
    expect(matches('tier', web)).toBe(true);
    expect(matches('tier', db)).toBe(false);
    expect(matches('!tier', db)).toBe(true);
    expect(matches('!tier', web)).toBe(false);
    expect(matches('app,!tier', db)).toBe(true);
  });

  it('supports > and < on integer values', () => {
    expect(matches('version>2', web)).toBe(true);
    expect(matches('version<2', web)).toBe(false);
    expect(matches('version>2', db)).toBe(false);
  });

  it('accepts prefixed keys', () => {
    expect(matches('app.kubernetes.io/name=web', { 'app.kubernetes.io/name': 'web' })).toBe(true);
    expect(matches('kubernetes.io/service-name', { 'kubernetes.io/service-name': 'x' })).toBe(true);
  });

  it.each([
    ['app in (web', "found '', expected: ',' or ')'"],
    ['app in web', "expected: '('"],
    ['app in ()', "values set can't be empty"],
    ['app=web=x', "found '=', expected: ',' or 'end of string'"],
    ['app web', "found 'web', expected: '='"],
    [',app', "found ',', expected: identifier"],
    ['app=web,', "found '', expected: identifier"],
    ['Bad Key!=x', "found 'Key'"],
    ['app=bad value', "found 'value'"],
    ['-app=x', 'invalid label key "-app"'],
    ['app=-x', 'invalid label value: "-x"'],
    ['version>x', 'must be an integer'],
  ])('refuses %j with a 400 that says what is wrong', (selector, fragment) => {
    const err = parseError(selector);
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toContain(`unable to parse label selector "${selector}"`);
    expect(err.message).toContain(fragment);
  });
});

describe('structured label selectors', () => {
  it('matches matchLabels and matchExpressions', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'back'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'version', operator: 'Exists' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
      ],
    };
    expect(matchesStructuredSelector(sel, web)).toBe(true);
    expect(matchesStructuredSelector(sel, { ...web, canary: 'true' })).toBe(false);
    expect(matchesStructuredSelector(sel, { ...web, zone: 'b' })).toBe(false);
    expect(matchesStructuredSelector(sel, db)).toBe(false);
  });

  it('selects everything when empty and nothing when absent', () => {
    expect(matchesStructuredSelector({}, web)).toBe(true);
    expect(matchesStructuredSelector(undefined, web)).toBe(false);
    expect(matchesStructuredSelector(null, web)).toBe(false);
  });

  it('refuses an unknown operator or a misplaced value list', () => {
    expect(() =>
      fromStructuredSelector({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }),
    ).toThrow(StatusError);
    expect(() => fromStructuredSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] })).toThrow(
      StatusError,
    );
    expect(() =>
      fromStructuredSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
    ).toThrow(StatusError);
  });

  it('formats as the string form, sorted by key, and round-trips', () => {
    const text = formatLabelSelector({
      matchLabels: { tier: 'front', app: 'web' },
      matchExpressions: [
        { key: 'zone', operator: 'NotIn', values: ['b', 'a'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    expect(text).toBe('app=web,!canary,tier=front,zone notin (a,b)');
    expect(matches(text, { app: 'web', tier: 'front', zone: 'c' })).toBe(true);
  });

  it('matches Service-style selector maps, where empty selects nothing', () => {
    expect(matchesSelectorMap({ app: 'web' }, web)).toBe(true);
    expect(matchesSelectorMap({ app: 'web', tier: 'back' }, web)).toBe(false);
    expect(matchesSelectorMap({}, web)).toBe(false);
    expect(matchesSelectorMap(undefined, web)).toBe(false);
  });
});
