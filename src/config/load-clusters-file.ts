import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { MeshbotError } from '../errors.js';
import { clustersSchema, type ClusterConfig } from './clusters-schema.js';
import { formatConfigIssues } from './load-config.js';

/**
 * The `clusters:` section of a config file, for the CLI (which needs no Slack settings): the
 * same schema `serve` validates. Undefined when the file has no such section.
 */
export async function loadClustersFile(file: string): Promise<ClusterConfig[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MeshbotError(
      'config',
      `cannot read the config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new MeshbotError(
      'config',
      `the config file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const parsed = z
    .object({ clusters: clustersSchema })
    .loose()
    .nullable()
    .safeParse(doc ?? null);
  if (!parsed.success) {
    throw new MeshbotError('config', formatConfigIssues(parsed.error, file), 'See docs/clusters.md.');
  }
  return parsed.data?.clusters;
}
