import { parseContextToken } from '../../../../src/sandbox/destination/parse-context-token.js';

describe('parseContextToken', () => {
  it('reads the JSON form', () => {
    expect(parseContextToken('{"ns":"emojivoto","nodeName":"node-1","pod":"web-1"}')).toEqual({
      form: 'json',
      token: { ns: 'emojivoto', nodeName: 'node-1', pod: 'web-1' },
    });
  });

  it('accepts partial JSON', () => {
    expect(parseContextToken('{"nodeName":"node-2"}')).toEqual({
      form: 'json',
      token: { nodeName: 'node-2' },
    });
  });

  it('reads the old ns:NAME form', () => {
    expect(parseContextToken('ns:emojivoto')).toEqual({ form: 'legacy', token: { ns: 'emojivoto' } });
  });

  it('treats empty as no token', () => {
    expect(parseContextToken('')).toEqual({ form: 'empty', token: {} });
  });

  it.each(['garbage', 'ns:a:b', 'pod:web', '{"ns":3}', '[1,2]', '"text"'])('ignores %s', (raw) => {
    expect(parseContextToken(raw)).toEqual({ form: 'invalid', token: {} });
  });
});
