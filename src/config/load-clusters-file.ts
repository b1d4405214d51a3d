import { MeshbotError } from '../errors.js';
import { clustersSchema, type ClusterConfig } from './clusters-schema.js';
import { formatConfigIssues, readConfigFile } from './load-config.js';

/**
 * The `clusters:` section of a config file, for the CLI (which needs no Slack settings): the
 * same schema `serve` validates. Undefined when the file has no such section.
 */
export async function loadClustersFile(file: string): Promise<ClusterConfig[] | undefined> {
  const doc = await readConfigFile(file);
  const parsed = clustersSchema.safeParse(doc['clusters']);
  if (!parsed.success) {
    throw new MeshbotError(
      'config',
      formatConfigIssues(parsed.error, file).replace(/^( {2}- )/gm, '$1clusters.'),
      'See docs/clusters.md.',
    );
  }
  return parsed.data;
}
