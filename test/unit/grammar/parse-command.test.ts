import { buildCommand, parseCommand } from '../../../src/grammar/parse-command.js';

const message = (text: string): string => {
  try {
    parseCommand(text);
  } catch (err) {
    return (err as Error).message;
  }
  return 'parsed';
};

describe('parseCommand', () => {
  it('parses every command, aliases and both flag forms', () => {
    expect(parseCommand('ep web-svc.emojivoto:80')).toEqual({
      name: 'endpoints',
      target: { service: 'web-svc', namespace: 'emojivoto', port: 80 },
    });
    expect(parseCommand('check -n shop')).toEqual({ name: 'check', proxy: true, namespace: 'shop' });
    expect(parseCommand('check --proxy')).toEqual({ name: 'check', proxy: true });
    expect(parseCommand('metrics a.b --window=1h')).toMatchObject({ windowSeconds: 3600 });
    expect(parseCommand('metrics a.b -w 2h')).toMatchObject({ windowSeconds: 7200 });
    expect(parseCommand('scale-test deploy/web.shop')).toEqual({
      name: 'scale-test',
      target: { kind: 'deployment', name: 'web', namespace: 'shop' },
    });
    expect(parseCommand('')).toEqual({ name: 'help' });
    expect(parseCommand('help metrics')).toEqual({ name: 'help', topic: 'metrics' });
    expect(parseCommand('report')).toEqual({ name: 'report', action: 'list' });
    expect(parseCommand('reports LIST')).toEqual({ name: 'report', action: 'list' });
    expect(parseCommand('report run mesh-drift')).toEqual({
      name: 'report',
      action: 'run',
      report: 'mesh-drift',
    });
  });

  it('says what was wrong with flags and arguments', () => {
    expect(message('check --bogus')).toBe('unknown option "--bogus" for check');
    expect(message('endpoints a.b --proxy')).toBe('unknown option "--proxy" for endpoints');
    expect(message('check --namespace')).toBe('--namespace needs a value');
    expect(message('check -n --proxy')).toBe('-n needs a value');
    expect(message('events')).toBe('events needs a target');
    expect(message('restart statefulset/db.x')).toBe('restart takes a deployment');
    expect(message('runbook stale-endpoints')).toBe('runbook stale-endpoints needs a target');
    expect(message('runbook Bad_Name x.y')).toBe('"Bad_Name" is not a runbook name');
    expect(message('runbook a b c')).toBe('runbook takes 2 arguments, got "c" too');
    expect(message('report lst')).toBe('unknown report action "lst"; did you mean "list"?');
    expect(message('report run')).toBe('report run needs a report name');
    expect(message('report run Bad_Name')).toBe('"Bad_Name" is not a report name');
    expect(message('report list x')).toBe('report list takes no name');
    // Without a target, metrics is the destination controller cluster-wide.
    expect(parseCommand('metrics')).toEqual({ name: 'metrics', windowSeconds: 1800 });
    expect(message('endpoints a.b c.d')).toBe('endpoints takes 1 argument, got "c.d" too');
    expect(message('endpont a.b')).toMatch(/unknown command "endpont"; did you mean "endpoints"\?/);
  });

  it('builds the same command from CLI values as from text', () => {
    expect(buildCommand('metrics', ['web-svc.emojivoto'], { window: '1h' })).toEqual(
      parseCommand('metrics web-svc.emojivoto --window 1h'),
    );
    expect(buildCommand('check', [], { namespace: 'shop' })).toEqual(parseCommand('check -n shop'));
  });
});
