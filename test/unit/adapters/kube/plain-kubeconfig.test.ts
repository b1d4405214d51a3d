/**
 * The plain kubeconfig reader gives the connection client-node would use (server, TLS
 * material, Authorization), and nothing (so client-node loads the file) for any kubeconfig
 * outside its subset.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadKubeConfig } from '../../../../src/adapters/kube/load-kubeconfig.js';
import { readPlainKubeconfig } from '../../../../src/adapters/kube/plain-kubeconfig.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** What client-node applies to a request for this kubeconfig, in the reader's terms. */
async function asClientNode(options: { kubeconfig: string; context?: string }): Promise<unknown> {
  const loaded = loadKubeConfig(options, {});
  const o: {
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
    rejectUnauthorized?: boolean;
    servername?: string;
    headers?: Record<string, string>;
  } = {};
  await loaded.kubeConfig.applyToHTTPSOptions(o);
  const connection: Record<string, unknown> = { headers: o.headers ?? {} };
  for (const k of ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'] as const)
    if (o[k] !== undefined) connection[k] = o[k];
  return { source: options.kubeconfig, context: loaded.context, server: loaded.server, connection };
}

describe('readPlainKubeconfig', () => {
  let dir: string;
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshbot-plain-kc-'));
    await mkdir(join(dir, 'certs'));
    await file('certs/ca.crt', 'CA FILE');
    await file('certs/client.crt', 'CERT FILE');
    await file('certs/client.key', 'KEY FILE');
    await file('token', 'TOKEN FROM FILE\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a token over plain HTTP with TLS verification off, as client-node does', async () => {
    const kc = await file(
      'sandbox.yaml',
      `clusters: [{ name: s, cluster: { server: "http://127.0.0.1:1234/", insecure-skip-tls-verify: true } }]
users: [{ name: s, user: { token: abc } }]
contexts: [{ name: s, context: { cluster: s, user: s } }]
current-context: s
`,
    );
    const plain = readPlainKubeconfig({ kubeconfig: kc }, {});
    expect(plain).toEqual(await asClientNode({ kubeconfig: kc }));
    expect(plain?.server).toBe('http://127.0.0.1:1234');
    expect(plain?.connection.headers).toEqual({ Authorization: 'Bearer abc' });
  });

  it('reads certificate files relative to the kubeconfig, the -data fields, a token file and --context', async () => {
    const kc = await file(
      'tls.yaml',
      `clusters:
  - { name: files, cluster: { server: "https://k8s.example:6443", certificate-authority: certs/ca.crt, tls-server-name: api.internal } }
  - { name: data, cluster: { server: "https://k8s.example:6443", certificate-authority-data: "${b64('CA DATA')}" } }
  - { name: data, cluster: { server: "https://second.example" } }
users:
  - { name: files, user: { client-certificate: certs/client.crt, client-key: certs/client.key } }
  - { name: data, user: { client-certificate-data: "${b64('CERT DATA')}", client-key-data: "${b64('KEY DATA')}", token-file: ${join(dir, 'token')} } }
contexts:
  - { name: files, context: { cluster: files, user: files } }
  - { name: data, context: { cluster: data, user: data } }
current-context: files
`,
    );
    const files = readPlainKubeconfig({ kubeconfig: kc }, {});
    expect(files).toEqual(await asClientNode({ kubeconfig: kc }));
    expect(files?.connection.ca?.toString()).toBe('CA FILE');
    expect(files?.connection.servername).toBe('api.internal');
    const data = readPlainKubeconfig({ kubeconfig: kc, context: 'data' }, {});
    expect(data).toEqual(await asClientNode({ kubeconfig: kc, context: 'data' }));
    expect(data?.connection.headers).toEqual({ Authorization: 'Bearer TOKEN FROM FILE\n' });
    expect(data?.server).toBe('https://k8s.example:6443');
  });

  it('takes KUBECONFIG of one existing file, or ~/.kube/config', async () => {
    const text = `clusters: [{ name: s, cluster: { server: "https://a.example" } }]
users: [{ name: s, user: { token: t } }]
contexts: [{ name: s, context: { cluster: s, user: s } }]
current-context: s
`;
    const kc = await file('one.yaml', text);
    expect(
      readPlainKubeconfig({}, { KUBECONFIG: [join(dir, 'missing.yaml'), kc].join(delimiter) })?.server,
    ).toBe('https://a.example');
    await mkdir(join(dir, 'home', '.kube'), { recursive: true });
    await writeFile(join(dir, 'home', '.kube', 'config'), text);
    expect(readPlainKubeconfig({}, { HOME: join(dir, 'home') })?.source).toBe(
      join(dir, 'home', '.kube', 'config'),
    );
  });

  it('leaves every other kubeconfig to client-node', async () => {
    const cluster = '{ name: c, cluster: { server: "https://k8s.example" } }';
    const context = 'contexts: [{ name: x, context: { cluster: c, user: u } }]\ncurrent-context: x\n';
    const withUser = (user: string, clusters = cluster): Promise<string> =>
      file(
        `user-${Math.random()}.yaml`,
        `clusters: [${clusters}]\nusers: [{ name: u, user: ${user} }]\n${context}`,
      );
    const outside = [
      await withUser('{ exec: { command: aws, apiVersion: client.authentication.k8s.io/v1 } }'),
      await withUser('{ auth-provider: { name: oidc } }'),
      await withUser('{ username: admin, password: secret }'),
      await withUser('{ token: t, as: someone }'),
      await withUser(
        '{ token: t }',
        '{ name: c, cluster: { server: "https://k8s.example", proxy-url: "http://proxy:3128" } }',
      ),
      // client-node refuses plain HTTP with TLS verification on; it says so itself.
      await withUser('{ token: t }', '{ name: c, cluster: { server: "http://k8s.example" } }'),
      // client-node refuses a cluster without a server when it loads the file.
      await withUser('{ token: t }', `${cluster}, { name: d, cluster: {} }`),
      // client-node reads every token file when it loads: a missing one is its error.
      await file(
        'missing-token-file.yaml',
        `clusters: [${cluster}]\nusers: [{ name: u, user: { token: t } }, { name: v, user: { token-file: /nonexistent/token } }]\n${context}`,
      ),
      await file('no-context.yaml', `clusters: [${cluster}]\nusers: [{ name: u, user: { token: t } }]\n`),
      await file('not-yaml.yaml', 'clusters: [\n'),
      join(dir, 'missing.yaml'),
    ];
    for (const kc of outside)
      expect([kc, readPlainKubeconfig({ kubeconfig: kc }, {})]).toEqual([kc, undefined]);
    const plain = await withUser('{ token: t }');
    expect(readPlainKubeconfig({ kubeconfig: plain, context: 'other' }, {})).toBeUndefined();
    expect(readPlainKubeconfig({}, { KUBECONFIG: [plain, plain].join(delimiter) })).toBeUndefined();
    expect(readPlainKubeconfig({}, { HOME: join(dir, 'nobody') })).toBeUndefined();
  });
});
