/**
 * Writes a kubeconfig that points at a (sandbox) API server: one cluster, one user with a
 * bearer token and one context, all named `meshbot-sandbox`, the context current.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { SANDBOX_TOKEN } from './sandbox-identities.js';

export { CONTROL_PLANE_TOKEN, SANDBOX_TOKEN } from './sandbox-identities.js';

export const SANDBOX_CONTEXT = 'meshbot-sandbox';

export interface WriteKubeconfigOptions {
  /** API server URL, e.g. `http://127.0.0.1:43121`. */
  server: string;
  /** Default SANDBOX_TOKEN (meshbot's identity); CONTROL_PLANE_TOKEN for the sandbox's own components. */
  token?: string;
  /** Where to write; default: `kubeconfig` in a new temporary directory. */
  path?: string;
  /** Names of the cluster, user and context; default `meshbot-sandbox`. */
  name?: string;
  /** The context's default namespace; none when absent. */
  namespace?: string;
  /** PEM of the CA of an https:// server (written as certificate-authority-data). */
  caPem?: string;
}

export function kubeconfigYaml(opts: Omit<WriteKubeconfigOptions, 'path'>): string {
  const name = opts.name ?? SANDBOX_CONTEXT;
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node 1.4.0 refuses an http:// server unless insecure-skip-tls-verify is set
    // ("HTTP protocol is not allowed when skipTLSVerify is not set or false"); kubectl ignores it for http.
    clusters: [
      {
        name,
        cluster: opts.caPem
          ? { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caPem).toString('base64') }
          : { server: opts.server, 'insecure-skip-tls-verify': true },
      },
    ],
    users: [{ name, user: { token: opts.token ?? SANDBOX_TOKEN } }],
    contexts: [
      {
        name,
        context: { cluster: name, user: name, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
      },
    ],
    'current-context': name,
    preferences: {},
  });
}

/** Writes the kubeconfig (mode 0600) and returns its path. */
export async function writeKubeconfig(opts: WriteKubeconfigOptions): Promise<string> {
  const file = opts.path ?? path.join(await mkdtemp(path.join(os.tmpdir(), 'meshbot-kube-')), 'kubeconfig');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, kubeconfigYaml(opts), { mode: 0o600 });
  return file;
}
