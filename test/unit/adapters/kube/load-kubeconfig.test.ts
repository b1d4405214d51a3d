import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadKubeConfig } from '../../../../src/adapters/kube/load-kubeconfig.js';
import { MeshbotError } from '../../../../src/errors.js';

const kubeconfig = (name: string, server: string) => `apiVersion: v1
kind: Config
clusters: [{ name: ${name}, cluster: { server: "${server}" } }]
users: [{ name: ${name}, user: { token: t } }]
contexts: [{ name: ${name}, context: { cluster: ${name}, user: ${name} } }]
current-context: ${name}
`;

describe('loadKubeConfig', () => {
  let dir: string;
  let a: string;
  let b: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshbot-kc-'));
    a = join(dir, 'a.yaml');
    b = join(dir, 'b.yaml');
    await writeFile(a, kubeconfig('alpha', 'http://127.0.0.1:1111'));
    await writeFile(b, kubeconfig('beta', 'http://127.0.0.1:2222'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prefers --kubeconfig', () => {
    const kc = loadKubeConfig({ kubeconfig: b }, { KUBECONFIG: a });
    expect(kc).toMatchObject({
      source: b,
      context: 'beta',
      server: 'http://127.0.0.1:2222',
      inCluster: false,
    });
  });

  it('merges the KUBECONFIG list, the first file setting the current context', () => {
    const kc = loadKubeConfig({}, { KUBECONFIG: [a, join(dir, 'missing.yaml'), b].join(delimiter) });
    expect(kc.context).toBe('alpha');
    expect(kc.kubeConfig.getContexts().map((c) => c.name)).toEqual(['alpha', 'beta']);
    expect(loadKubeConfig({ context: 'beta' }, { KUBECONFIG: [a, b].join(delimiter) }).server).toBe(
      'http://127.0.0.1:2222',
    );
  });

  it('falls back to ~/.kube/config', async () => {
    const home = join(dir, 'home');
    await writeFile(join(dir, 'placeholder'), '');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(join(home, '.kube', 'config'), kubeconfig('home', 'http://127.0.0.1:3333'));
    expect(loadKubeConfig({}, { HOME: home }).context).toBe('home');
  });

  it('says what is missing, as config errors', () => {
    const missing = (): unknown => loadKubeConfig({ kubeconfig: join(dir, 'nope') }, {});
    expect(missing).toThrow(MeshbotError);
    expect(missing).toThrow(/does not exist/);
    expect(() => loadKubeConfig({}, { KUBECONFIG: join(dir, 'nope') })).toThrow(
      /KUBECONFIG names no existing file/,
    );
    expect(() => loadKubeConfig({}, { HOME: join(dir, 'empty-home') })).toThrow(
      /no Kubernetes credentials found/,
    );
    expect(() => loadKubeConfig({ kubeconfig: a, context: 'gamma' }, {})).toThrow(
      /context "gamma" is not in/,
    );
    try {
      loadKubeConfig({ kubeconfig: a, context: 'gamma' }, {});
    } catch (err) {
      expect((err as MeshbotError).kind).toBe('config');
      expect((err as MeshbotError).hint).toBe('Known contexts: alpha.');
    }
  });
});
