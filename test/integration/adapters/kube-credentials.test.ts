/**
 * The Kubernetes reads with the two ways of reaching the API server: a plain kubeconfig read by
 * meshbot (no client-node), and one only client-node can apply (an exec credential plugin), whose
 * credentials the reads carry. Both read the same objects and fail a wrong token alike.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openAdapters } from '../../../src/adapters/open-adapters.js';
import { readPlainKubeconfig } from '../../../src/adapters/kube/plain-kubeconfig.js';
import { MeshbotError } from '../../../src/errors.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';

/** The sandbox's kubeconfig with its token handed over by an exec plugin (a node one-liner). */
function withExecPlugin(kubeconfig: string, token: string): string {
  const credential = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token },
  });
  const exec = {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: process.execPath,
    args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`],
  };
  return kubeconfig.replace(
    /^(\s+)token: .*$/m,
    (_m, indent: string) => `${indent}exec: ${JSON.stringify(exec)}`,
  );
}

describe('Kubernetes credentials', () => {
  let sandbox: RunningSandbox;
  let plain: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0 });
    plain = await readFile(sandbox.kubeconfig, 'utf8');
  });
  afterAll(() => sandbox?.stop());

  const read = async (kubeconfig: string): Promise<unknown> => {
    const adapters = await openAdapters({ kubeconfig, destination: sandbox.destination });
    try {
      const service = await adapters.kube.getService('emojivoto', 'web-svc');
      return { service: service?.name, pods: (await adapters.kube.listPods('emojivoto')).length };
    } catch (err) {
      return err instanceof MeshbotError ? { kind: err.kind, message: err.message, hint: err.hint } : err;
    } finally {
      await adapters.close();
    }
  };

  it('reads through an exec credential plugin (client-node) as with a plain token', async () => {
    const exec = join(sandbox.kubeconfig, '..', 'exec-kubeconfig');
    await writeFile(exec, withExecPlugin(plain, 'meshbot-sandbox-token'));
    expect(readPlainKubeconfig({ kubeconfig: sandbox.kubeconfig })).toBeDefined();
    expect(readPlainKubeconfig({ kubeconfig: exec })).toBeUndefined();
    const viaPlain = await read(sandbox.kubeconfig);
    expect(viaPlain).toMatchObject({ service: 'web-svc' });
    expect(await read(exec)).toEqual(viaPlain);
  });

  it('fails a wrong token with the same 401 error either way', async () => {
    const wrongPlain = join(sandbox.kubeconfig, '..', 'wrong-token-kubeconfig');
    await writeFile(wrongPlain, plain.replace(/token: .*$/m, 'token: not-the-token'));
    const wrongExec = join(sandbox.kubeconfig, '..', 'wrong-exec-kubeconfig');
    await writeFile(wrongExec, withExecPlugin(plain, 'not-the-token'));
    const viaPlain = await read(wrongPlain);
    expect(viaPlain).toMatchObject({ kind: 'unauthenticated' });
    expect(await read(wrongExec)).toEqual(viaPlain);
  });
});
