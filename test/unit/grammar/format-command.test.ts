import { formatCommand } from '../../../src/grammar/format-command.js';
import { COMMANDS, parseCommand, type MeshCommand } from '../../../src/grammar/parse-command.js';

/** At least one of every command kind and every optional part. */
const TEXTS = [
  'help',
  'help metrics',
  'endpoints web-svc.emojivoto',
  'endpoints web-svc.emojivoto:8080',
  'endpoints web-svc.emojivoto:http',
  'check',
  'check --proxy',
  'check --namespace emojivoto',
  'check -n emojivoto --proxy',
  'metrics web-svc.emojivoto',
  'metrics web-svc.emojivoto --window 1h',
  'metrics web-svc.emojivoto --window 90s',
  'metrics web-svc.emojivoto -w 1.5h',
  'metrics web-svc.emojivoto --window 61.5s',
  'scale-test deploy/web.emojivoto',
  'scale-test statefulset/db.payments',
  'scale-test web-svc.emojivoto',
  'metrics',
  'metrics --window 1h',
  'events deploy/web.emojivoto',
  'events web-svc.emojivoto --window 2h',
  'restart deploy/linkerd-destination.linkerd',
  'runbook',
  'runbook stale-endpoints web-svc.emojivoto',
  'report list',
  'report run mesh-drift',
  'clusters',
  'clusters --cluster west',
  'endpoints web-svc.emojivoto:80 --cluster east',
  'check --proxy --cluster prod-eu',
  'scale-test deploy/web.emojivoto --cluster west',
  'routes svc/web-svc.emojivoto',
  'routes web-svc.emojivoto --window 10m',
  'routes web-svc.emojivoto --cluster east',
  'tap deploy/web.emojivoto',
  'tap statefulset/db.payments --to svc/voting-svc.emojivoto --path /api --method post -d 1.5s --max 200',
  'tap deploy/web.emojivoto --duration 2m --to deploy/voting.emojivoto',
  'proxy-logs pod/web-5f7c9d8b4-x2x9q.emojivoto',
  'proxy-logs deploy/web.emojivoto --since 10m --tail 50',
  'proxy-logs statefulset/db.payments --since 61.5s',
  'proxy-log-level deploy/web.emojivoto debug',
  'proxy-log-level deploy/web.emojivoto warn,linkerd=debug --for 30m',
  'tap deploy/web.emojivoto --cluster west',
  'tap ds/node-agent.monitoring --to ns/emojivoto',
  'tap pod/web-5f7c9d8b4-x2x9q.emojivoto --to pod/voting-7d9c-x.emojivoto',
  'tap ns/emojivoto --to daemonset/node-agent.monitoring --method GET',
  'tap namespaces/emojivoto --to statefulset/db.payments',
];

describe('formatCommand', () => {
  it.each(TEXTS)('round-trips %s: parse(format(c)) equals c', (text) => {
    const c = parseCommand(text);
    expect(parseCommand(formatCommand(c))).toEqual(c);
  });

  it('covers every command kind', () => {
    const kinds = new Set(TEXTS.map((t) => parseCommand(t).name));
    expect([...kinds].sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  it('writes the canonical form, leaving defaults out', () => {
    const metrics: MeshCommand = {
      name: 'metrics',
      target: { service: 'web-svc', namespace: 'emojivoto' },
      windowSeconds: 1800,
    };
    expect(formatCommand(metrics)).toBe('metrics web-svc.emojivoto');
    expect(formatCommand({ ...metrics, windowSeconds: 7200 })).toBe('metrics web-svc.emojivoto --window 2h');
    expect(formatCommand(parseCommand('ep web-svc.emojivoto:80'))).toBe('endpoints web-svc.emojivoto:80');
    expect(formatCommand(parseCommand('check -n shop'))).toBe('check --namespace shop');
  });
});
