import { formatCommand } from '../../../src/grammar/format-command.js';
import { COMMANDS, flagsOf, parseCommand } from '../../../src/grammar/parse-command.js';

describe('--cluster, a flag every command has', () => {
  it('is in every command table entry but help, by construction', () => {
    for (const spec of COMMANDS) {
      expect(flagsOf(spec).map((f) => f.name)).toContain('cluster');
    }
  });

  it.each(COMMANDS.filter((c) => c.name !== 'help').map((c) => c.example))('%s --cluster east', (example) => {
    const parsed = parseCommand(`${example} --cluster east`);
    expect(parsed.cluster).toBe('east');
    expect(formatCommand(parsed)).toMatch(/ --cluster east$/);
    expect(parseCommand(formatCommand(parsed))).toEqual(parsed);
  });

  it('is optional: without it the command names no cluster', () => {
    expect(parseCommand('endpoints web-svc.emojivoto').cluster).toBeUndefined();
  });

  it('refuses a value that is not a cluster name, and a missing value', () => {
    expect(() => parseCommand('endpoints web-svc.emojivoto --cluster Prod_EU!')).toThrow(
      /"Prod_EU!" is not a cluster name/,
    );
    expect(() => parseCommand('endpoints web-svc.emojivoto --cluster')).toThrow(/--cluster needs a value/);
  });

  it('lists --cluster among the options a command takes', () => {
    expect(() => parseCommand('endpoints web-svc.emojivoto --bogus')).toThrow(/unknown option/);
    try {
      parseCommand('endpoints web-svc.emojivoto --bogus');
    } catch (err) {
      expect((err as { hint?: string }).hint).toMatch(/--cluster/);
    }
  });
});
