import type { Adapters } from '../../../src/adapters/open-adapters.js';
import { MeshbotError } from '../../../src/errors.js';
import { COMMANDS, parseCommand } from '../../../src/grammar/parse-command.js';
import { runCommand } from '../../../src/steps/run-command.js';
import { isMutating, namespaceScopeOf, STEP_REGISTRY } from '../../../src/steps/step-registry.js';

describe('the step registry', () => {
  it('has one entry for every command of the grammar but help', () => {
    expect(Object.keys(STEP_REGISTRY).sort()).toEqual(
      COMMANDS.map((c) => c.name)
        .filter((n) => n !== 'help')
        .sort(),
    );
  });

  it('says which commands change the cluster, and they carry a confirmation plan', () => {
    for (const [name, entry] of Object.entries(STEP_REGISTRY)) {
      expect([name, entry.mutating]).toEqual([
        name,
        name === 'scale-test' || name === 'restart' || name === 'proxy-log-level',
      ]);
      if (entry.mutating) expect(typeof entry.confirmation.plan).toBe('function');
    }
    expect(isMutating(parseCommand('scale-test deploy/web.shop'))).toBe(true);
    expect(isMutating(parseCommand('help'))).toBe(false);
  });

  it('says which namespaces a command reads', () => {
    expect(namespaceScopeOf(parseCommand('endpoints a.shop'))).toEqual({
      kind: 'some',
      namespaces: ['shop'],
    });
    expect(namespaceScopeOf(parseCommand('metrics a.shop'))).toEqual({ kind: 'some', namespaces: ['shop'] });
    expect(namespaceScopeOf(parseCommand('scale-test deploy/w.shop'))).toEqual({
      kind: 'some',
      namespaces: ['shop'],
    });
    expect(namespaceScopeOf(parseCommand('check -n shop'))).toEqual({ kind: 'some', namespaces: ['shop'] });
    expect(namespaceScopeOf(parseCommand('check --proxy'))).toEqual({ kind: 'all' });
    expect(namespaceScopeOf(parseCommand('help'))).toEqual({ kind: 'none' });
  });

  it('the dispatcher refuses a mutating command: it runs only through its confirmation plan', async () => {
    const run = runCommand(parseCommand('scale-test deploy/web.shop'), {} as Adapters);
    await expect(run).rejects.toBeInstanceOf(MeshbotError);
    await expect(run).rejects.toThrow(/runs only after a confirmation/);
  });
});
