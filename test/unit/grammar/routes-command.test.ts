import { UsageError } from '../../../src/errors.js';
import { formatCommand } from '../../../src/grammar/format-command.js';
import { parseCommand } from '../../../src/grammar/parse-command.js';

function usage(text: string): UsageError {
  try {
    parseCommand(text);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error(`"${text}" parsed`);
}

describe('routes in the grammar', () => {
  it('takes svc/NAME.NS, service/NAME.NS or NAME.NS, and a window (default 1m, as linkerd viz routes)', () => {
    const target = { service: 'web-svc', namespace: 'emojivoto' };
    expect(parseCommand('routes svc/web-svc.emojivoto')).toEqual({
      name: 'routes',
      target,
      windowSeconds: 60,
    });
    expect(parseCommand('routes service/web-svc.emojivoto -w 10m')).toEqual({
      name: 'routes',
      target,
      windowSeconds: 600,
    });
    expect(parseCommand('route web-svc.emojivoto --window 30s')).toEqual({
      name: 'routes',
      target,
      windowSeconds: 30,
    });
    expect(formatCommand(parseCommand('routes web-svc.emojivoto --window 10m'))).toBe(
      'routes svc/web-svc.emojivoto --window 10m',
    );
  });

  it('refuses a bad window with what would work', () => {
    expect(usage('routes svc/web-svc.emojivoto --window soon').message).toBe(
      'window "soon" is not a duration',
    );
    const short = usage('routes svc/web-svc.emojivoto --window 5s');
    expect(short.message).toBe('window 5s is out of range');
    expect(short.hint).toBe('It must be between 10s and 24h.');
    expect(usage('routes svc/web-svc.emojivoto --window').message).toBe('--window needs a value');
  });

  it('refuses a target that is not a service', () => {
    expect(usage('routes').message).toBe('routes needs a target');
    const deploy = usage('routes deploy/web.emojivoto');
    expect(deploy.message).toBe('routes belong to a service, not to "deploy"');
    expect(deploy.hint).toBe('Give the service as svc/web-svc.emojivoto.');
    expect(usage('routes svc/web-svc.emojivoto:80').message).toBe(
      'routes covers every port of a service; "svc/web-svc.emojivoto:80" names port 80',
    );
    expect(usage('routes svc/web-svc').message).toBe('"web-svc" is not of the form SERVICE.NAMESPACE[:PORT]');
    expect(usage('routes svc/Web_Svc.emojivoto').message).toMatch(/not a valid DNS-1035 label/);
    expect(usage('routes svc/web-svc.emojivoto extra').message).toBe(
      'routes takes 1 argument, got "extra" too',
    );
  });
});
