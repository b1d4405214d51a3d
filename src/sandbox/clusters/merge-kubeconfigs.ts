/**
 * One kubeconfig from several single-context ones (each cluster's, as the sandbox writes them):
 * a context per cluster, named after it, with its cluster and user entries renamed to match,
 * as `kubectl config view --flatten` over several files would give with distinct names.
 * The first context is the current one.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import * as z from 'zod';

const named = z.object({ name: z.string() }).passthrough();
const singleContextKubeconfig = z
  .object({
    clusters: z.array(named.extend({ cluster: z.record(z.string(), z.unknown()) })).length(1),
    users: z.array(named.extend({ user: z.record(z.string(), z.unknown()) })).length(1),
    contexts: z.array(named.extend({ context: z.record(z.string(), z.unknown()) })).length(1),
  })
  .passthrough();

export interface KubeconfigPart {
  /** The context (and cluster and user) name in the merged file. */
  name: string;
  /** A kubeconfig with exactly one cluster, user and context. */
  yaml: string;
}

export function mergeKubeconfigs(parts: readonly KubeconfigPart[]): string {
  const clusters: unknown[] = [];
  const users: unknown[] = [];
  const contexts: unknown[] = [];
  for (const part of parts) {
    const kc = singleContextKubeconfig.parse(YAML.parse(part.yaml));
    const [cluster, user, context] = [kc.clusters[0], kc.users[0], kc.contexts[0]];
    if (!cluster || !user || !context) throw new Error(`kubeconfig of ${part.name} lacks a context`);
    clusters.push({ name: part.name, cluster: cluster.cluster });
    users.push({ name: part.name, user: user.user });
    contexts.push({ name: part.name, context: { ...context.context, cluster: part.name, user: part.name } });
  }
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters,
    users,
    contexts,
    'current-context': parts[0]?.name ?? '',
    preferences: {},
  });
}

/** Reads each part's kubeconfig file and writes the merged one (mode 0600) to `out`. */
export async function writeMergedKubeconfig(
  out: string,
  files: ReadonlyArray<{ name: string; path: string }>,
): Promise<void> {
  const parts = await Promise.all(
    files.map(async (f) => ({ name: f.name, yaml: await readFile(f.path, 'utf8') })),
  );
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, mergeKubeconfigs(parts), { mode: 0o600 });
}
