/**
 * The connection a plain kubeconfig describes, read without client-node: its server, TLS
 * material and bearer token, exactly as client-node 1.x would use them (KubeConfig.loadFromFile,
 * then applyToHTTPSOptions: js-yaml, the same entry checks, paths relative to the file, the
 * first entry of a name, `token` before `token-file`).
 *
 * "Plain" is a subset: one kubeconfig file (--kubeconfig, a KUBECONFIG of one existing file, or
 * ~/.kube/config), a user with a token, a token file or a client certificate. Anything more
 * (exec plugins, auth providers, basic auth, impersonation, a proxy, merged KUBECONFIG files,
 * in-cluster credentials, an entry client-node would refuse, a file that cannot be read) gives
 * `undefined`: the caller then loads the kubeconfig with client-node (load-kubeconfig.ts),
 * which also raises its errors, so no message depends on which reader ran.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import yaml from 'js-yaml';
import * as z from 'zod';
import type { KubeConnectionOptions } from './kube-get.js';
import { kubeconfigSource } from './kubeconfig-source.js';

export interface PlainKubeAccess {
  /** The file read. */
  source: string;
  context: string;
  /** The cluster's URL, without a trailing slash (as client-node keeps it). */
  server: string;
  connection: KubeConnectionOptions;
}

const text = z.string().nullish();
// Entries as client-node's newClusters/newUsers/newContexts accept them (name, cluster.server
// and context.cluster present), narrowed to string fields; a list that is not an array is none.
const list = <T extends z.ZodType>(entry: T) =>
  z.preprocess((v) => (Array.isArray(v) ? v : []), z.array(entry));
const kubeconfigSchema = z.object({
  'current-context': text,
  clusters: list(
    z.object({
      name: z.string().min(1),
      cluster: z.object({
        server: z.string().min(1),
        'certificate-authority': text,
        'certificate-authority-data': text,
        'insecure-skip-tls-verify': z.unknown().optional(),
        'tls-server-name': text,
        'proxy-url': z.unknown().optional(),
      }),
    }),
  ),
  users: list(
    z.object({
      name: z.string().min(1),
      user: z
        .object({
          token: text,
          'token-file': text,
          'client-certificate': text,
          'client-certificate-data': text,
          'client-key': text,
          'client-key-data': text,
          exec: z.unknown().optional(),
          'auth-provider': z.unknown().optional(),
          username: z.unknown().optional(),
          as: z.unknown().optional(),
        })
        .nullish(),
    }),
  ),
  contexts: list(
    z.object({
      name: z.string().min(1),
      context: z.object({ cluster: z.string().min(1), user: text }),
    }),
  ),
});

/** client-node's makeAbsolutePath: relative to the kubeconfig's directory. */
const absolute = (root: string, file: string): string =>
  !root || isAbsolute(file) ? file : join(root, file);

/** client-node's bufferFromFileOrString: the file when named, else the base64 data. */
function fileOrData(file: string | null | undefined, data: string | null | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, 'base64');
  return undefined;
}

/** The plain connection of the kubeconfig meshbot would load, or undefined (see above). */
export function readPlainKubeconfig(
  options: { kubeconfig?: string; context?: string },
  env: NodeJS.ProcessEnv = process.env,
): PlainKubeAccess | undefined {
  const from = kubeconfigSource(options, env);
  const file =
    from.kind === 'flag' || from.kind === 'home'
      ? from.file
      : from.kind === 'env' && from.files.length === 1
        ? from.files[0]
        : undefined;
  if (file === undefined) return undefined;
  try {
    const parsed = kubeconfigSchema.safeParse(yaml.load(readFileSync(file, 'utf-8')));
    if (!parsed.success) return undefined;
    const config = parsed.data;
    // client-node reads every user's token file when it loads the file (a missing one fails the load).
    const tokens = config.users.map(
      (u) =>
        u.user?.token || (u.user?.['token-file'] ? readFileSync(u.user['token-file']).toString() : undefined),
    );
    const contextName = options.context ?? config['current-context'];
    const context = config.contexts.find((c) => c.name === contextName);
    if (!contextName || !context) return undefined;
    const cluster = config.clusters.find((c) => c.name === context.context.cluster)?.cluster;
    const userIndex = config.users.findIndex((u) => u.name === context.context.user);
    const user = config.users[userIndex]?.user;
    if (!cluster || !user || cluster['proxy-url'] != null) return undefined;
    if (user.exec != null || user['auth-provider'] != null || user.username != null || user.as != null)
      return undefined;
    const skipTLSVerify = cluster['insecure-skip-tls-verify'] === true;
    // client-node refuses plain HTTP unless TLS verification is off; it raises that itself.
    if (cluster.server.startsWith('http:') && !skipTLSVerify) return undefined;
    const root = dirname(file);
    const connection: KubeConnectionOptions = {};
    if (skipTLSVerify) connection.rejectUnauthorized = false;
    if (cluster['tls-server-name']) connection.servername = cluster['tls-server-name'];
    const caFile = cluster['certificate-authority'];
    const ca = fileOrData(caFile ? absolute(root, caFile) : caFile, cluster['certificate-authority-data']);
    if (ca) connection.ca = ca;
    const certFile = user['client-certificate'];
    const cert = fileOrData(certFile ? absolute(root, certFile) : certFile, user['client-certificate-data']);
    if (cert) connection.cert = cert;
    const keyFile = user['client-key'];
    const key = fileOrData(keyFile ? absolute(root, keyFile) : keyFile, user['client-key-data']);
    if (key) connection.key = key;
    const token = tokens[userIndex];
    connection.headers = token ? { Authorization: `Bearer ${token}` } : {};
    return { source: file, context: context.name, server: cluster.server.replace(/\/$/, ''), connection };
  } catch {
    // Unreadable or not YAML: client-node reads it again and says what is wrong.
    return undefined;
  }
}
