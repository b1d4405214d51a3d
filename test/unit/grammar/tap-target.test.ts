import { UsageError } from '../../../src/errors.js';
import { parseCommand } from '../../../src/grammar/parse-command.js';
import { formatTapTarget, parseTapDestination, parseTapTarget } from '../../../src/grammar/tap-target.js';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('tap targets', () => {
  it.each([
    ['deploy/web.emojivoto', { kind: 'deployment', name: 'web', namespace: 'emojivoto' }],
    ['deployments/web.emojivoto', { kind: 'deployment', name: 'web', namespace: 'emojivoto' }],
    ['sts/db.payments', { kind: 'statefulset', name: 'db', namespace: 'payments' }],
    ['ds/node-agent.monitoring', { kind: 'daemonset', name: 'node-agent', namespace: 'monitoring' }],
    ['DaemonSets/node-agent.monitoring', { kind: 'daemonset', name: 'node-agent', namespace: 'monitoring' }],
    [
      'po/web-5f7c9d8b4-x2x9q.emojivoto',
      { kind: 'pod', name: 'web-5f7c9d8b4-x2x9q', namespace: 'emojivoto' },
    ],
    ['pod/a.b.emojivoto', { kind: 'pod', name: 'a.b', namespace: 'emojivoto' }],
    ['ns/emojivoto', { kind: 'namespace', name: 'emojivoto', namespace: 'emojivoto' }],
    ['namespace/emojivoto', { kind: 'namespace', name: 'emojivoto', namespace: 'emojivoto' }],
  ])('reads %s with linkerd’s kind aliases', (raw, expected) => {
    expect(parseTapTarget(raw)).toEqual(expected);
  });

  it('writes each kind back in one form that reads the same', () => {
    for (const raw of [
      'deploy/web.emojivoto',
      'ds/node-agent.monitoring',
      'po/x-1.emojivoto',
      'ns/emojivoto',
    ]) {
      const t = parseTapTarget(raw);
      expect(parseTapTarget(formatTapTarget(t))).toEqual(t);
    }
    expect(formatTapTarget(parseTapTarget('ds/node-agent.monitoring'))).toBe(
      'daemonset/node-agent.monitoring',
    );
    expect(formatTapTarget(parseTapTarget('namespaces/emojivoto'))).toBe('ns/emojivoto');
  });

  it('suggests the kind meant when it is misspelt', () => {
    const e = usageError(() => parseTapTarget('deamonset/node-agent.monitoring'));
    expect(e.message).toBe('"deamonset" is not a kind tap can watch; did you mean "daemonset"?');
    expect(e.hint).toContain('ds/node-agent.monitoring');
    expect(usageError(() => parseTapTarget('deplyo/web.emojivoto')).message).toContain(
      'did you mean "deploy"?',
    );
    expect(usageError(() => parseTapTarget('widget/web.emojivoto')).message).toBe(
      '"widget" is not a kind tap can watch',
    );
  });

  it('refuses services (a --to resource in linkerd) and the kinds meshbot does not tap, saying what works', () => {
    const svc = usageError(() => parseTapTarget('svc/web-svc.emojivoto'));
    expect(svc.message).toContain('not a service');
    expect(svc.hint).toContain('--to svc/web-svc.emojivoto');
    for (const kind of ['rs', 'job', 'cronjob', 'rc']) {
      const e = usageError(() => parseTapTarget(`${kind}/x.emojivoto`));
      expect(e.message).toMatch(/meshbot does not tap (replicaset|job|cronjob|replicationcontroller)s/);
      expect(e.hint).toMatch(/pod\/NAME\.NAMESPACE/);
    }
  });

  it('refuses malformed names with what would work', () => {
    expect(usageError(() => parseTapTarget('web.emojivoto')).message).toContain(
      'is not of the form KIND/NAME.NAMESPACE',
    );
    expect(usageError(() => parseTapTarget('ds/node-agent')).message).toContain(
      'is not of the form KIND/NAME.NAMESPACE',
    );
    expect(usageError(() => parseTapTarget('ns/')).message).toContain('names no namespace');
    expect(usageError(() => parseTapTarget('ns/Emojivoto')).message).toContain('not a valid DNS-1123 label');
    expect(usageError(() => parseTapTarget('pod/Web.emojivoto')).message).toContain(
      'not a valid DNS-1123 subdomain',
    );
  });
});

describe('tap --to destinations', () => {
  it.each([
    ['svc/voting-svc.emojivoto', { kind: 'service', name: 'voting-svc', namespace: 'emojivoto' }],
    [
      'service/voting-svc.emojivoto.svc.cluster.local',
      { kind: 'service', name: 'voting-svc', namespace: 'emojivoto' },
    ],
    ['deploy/voting.emojivoto', { kind: 'deployment', name: 'voting', namespace: 'emojivoto' }],
    ['ds/node-agent.monitoring', { kind: 'daemonset', name: 'node-agent', namespace: 'monitoring' }],
    ['po/voting-1.emojivoto', { kind: 'pod', name: 'voting-1', namespace: 'emojivoto' }],
    ['ns/emojivoto', { kind: 'namespace', name: 'emojivoto', namespace: 'emojivoto' }],
  ])('reads %s', (raw, expected) => {
    expect(parseTapDestination(raw)).toEqual(expected);
  });

  it('refuses what the proxy never labels a destination with, and ports', () => {
    expect(usageError(() => parseTapDestination('rs/voting-5d.emojivoto')).message).toContain(
      '--to cannot name a replicaset',
    );
    expect(usageError(() => parseTapDestination('svc/voting-svc.emojivoto:8080')).message).toContain(
      'names a port',
    );
    expect(usageError(() => parseTapDestination('voting-svc')).message).toBe(
      '--to "voting-svc" is not of the form KIND/NAME.NAMESPACE',
    );
    expect(usageError(() => parseTapDestination('sevrice/voting-svc.emojivoto')).message).toBe(
      '--to "sevrice" is not a kind --to can name; did you mean "service"?',
    );
  });
});

describe('the tap command', () => {
  it('takes the new kinds as target and --to, and names the target in a refusal', () => {
    expect(parseCommand('tap ds/node-agent.monitoring --to ns/emojivoto')).toMatchObject({
      name: 'tap',
      target: { kind: 'daemonset', name: 'node-agent', namespace: 'monitoring' },
      to: { kind: 'namespace', name: 'emojivoto', namespace: 'emojivoto' },
    });
    expect(() => parseCommand('tap dep/web.emojivoto')).toThrow(
      'tap cannot watch "dep/web.emojivoto": "dep" is not a kind tap can watch; did you mean "deploy"?',
    );
  });
});
