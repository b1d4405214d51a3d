/**
 * The names of a sandbox's clusters (`meshbot sandbox --clusters east,west`, or the `name`s of a
 * cluster-set scenario): each a DNS label (it names a kubeconfig context, an admin path, a
 * Prometheus `cluster` label), unique, at most MAX_CLUSTERS of them.
 */
import * as z from 'zod';
import { UsageError } from '../../errors.js';

/** Each cluster gets its own /16 of pods and services (cluster-networks.ts): this many fit. */
export const MAX_CLUSTERS = 16;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const clusterNameSchema = z
  .string({ error: 'expected a cluster name' })
  .min(1, { error: 'expected a cluster name, got an empty one' })
  .max(63, { error: 'expected a cluster name of at most 63 characters' })
  .regex(DNS_LABEL, {
    error:
      "expected a cluster name of lowercase letters, digits and '-', starting and ending with a letter or digit",
  });

/** A problem with a list of names, or undefined when it is fine. */
export function clusterListProblem(names: readonly string[]): string | undefined {
  if (names.length === 0) return 'expected at least one cluster name';
  if (names.length > MAX_CLUSTERS) return `expected at most ${MAX_CLUSTERS} clusters, got ${names.length}`;
  for (const name of names) {
    const result = clusterNameSchema.safeParse(name);
    if (!result.success) return `"${name}": ${result.error.issues[0]?.message ?? 'not a valid cluster name'}`;
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return `cluster "${name}" is named twice`;
    seen.add(name);
  }
  return undefined;
}

/** `--clusters east,west` -> `['east', 'west']`; a UsageError says what is wrong and what works. */
export function parseClusterList(text: string): string[] {
  const names = text.split(',').map((n) => n.trim());
  const problem = text.trim() === '' ? 'expected at least one cluster name' : clusterListProblem(names);
  if (problem) {
    throw new UsageError(
      `--clusters: ${problem}${text.trim() === '' ? '' : ` (got "${text}")`}`,
      `Name the clusters, comma-separated, e.g. --clusters east,west (lowercase letters, digits and '-', each once, at most ${MAX_CLUSTERS}).`,
    );
  }
  return names;
}
