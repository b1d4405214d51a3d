import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where Kubernetes credentials come from, picked as kubectl picks them. */
export type KubeconfigSource =
  | { kind: 'flag'; file: string }
  /** KUBECONFIG: the files it lists, and those of them that exist (merged, the first wins). */
  | { kind: 'env'; listed: string[]; files: string[] }
  | { kind: 'home'; file: string }
  /** None of the above: the in-cluster service account, if any. */
  | { kind: 'none' };

/** `--kubeconfig`, then `KUBECONFIG` (a list of files), then `~/.kube/config` when it exists. */
export function kubeconfigSource(
  options: { kubeconfig?: string },
  env: NodeJS.ProcessEnv = process.env,
): KubeconfigSource {
  if (options.kubeconfig) return { kind: 'flag', file: options.kubeconfig };
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((f) => f.length > 0);
  if (listed.length > 0) return { kind: 'env', listed, files: listed.filter((f) => existsSync(f)) };
  const home = join(env['HOME'] ?? homedir(), '.kube', 'config');
  return existsSync(home) ? { kind: 'home', file: home } : { kind: 'none' };
}
