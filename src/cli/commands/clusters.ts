import type { Command } from 'commander';
import type { AdapterPool } from '../../adapters/adapter-pool.js';
import { EXIT } from '../../errors.js';
import { commandSpec } from '../../grammar/parse-command.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { processIO, reportError, writeStepResult, type CommandIO } from '../command-io.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';

export interface ClustersFlagValues extends ClusterFlagValues {
  output?: string;
}

/**
 * `meshbot clusters [--config FILE] [--cluster NAME]`: every cluster (of the file's
 * `clusters:`, or the one of the flags) asked at once, each within --timeout: reachable or
 * not, Kubernetes and Linkerd versions. Exit 0 when every cluster answered, 1 when a Linkerd
 * version could not be read (e.g. a 403), 3 when a cluster did not answer, 2 usage.
 */
export async function runClustersCommand(
  flags: ClustersFlagValues,
  io: CommandIO = processIO(),
): Promise<number> {
  let pool: AdapterPool | undefined;
  try {
    const format = readOutputFormat(flags.output);
    const options = readClusterOptions(flags);
    // Loaded when the command runs, so `meshbot --help` does not pay for them; one at a time.
    const { loadClustersFile } = await import('../../config/load-clusters-file.js');
    const { configuredClusterPool } = await import('../../adapters/configured-clusters.js');
    const { singleClusterPool, unknownCluster } = await import('../../adapters/adapter-pool.js');
    const { runClustersStep } = await import('../../steps/clusters/run-clusters-step.js');
    const clusters = options.configFile ? await loadClustersFile(options.configFile) : undefined;
    pool = clusters ? configuredClusterPool(clusters, options) : singleClusterPool(options);
    if (options.cluster !== undefined && !pool.clusters.includes(options.cluster)) {
      throw unknownCluster(options.cluster, pool.clusters);
    }
    const result = await runClustersStep(pool, {
      ...(options.cluster !== undefined ? { only: options.cluster } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    writeStepResult(io, result, format);
    if (!result.data.clusters.every((c) => c.reachable)) return EXIT.unreachable;
    return result.status === 'pass' ? EXIT.ok : EXIT.problem;
  } catch (err) {
    return reportError(io.stderr, err);
  } finally {
    await pool?.close();
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('clusters')
    .description(commandSpec('clusters').summary)
    .addHelpText(
      'after',
      '\nExit codes: 0 every cluster answered, 1 a Linkerd version could not be read, 2 usage error, 3 a cluster could not be reached.\nSee docs/clusters.md.',
    );
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (flags: ClustersFlagValues) => {
    process.exitCode = await runClustersCommand(flags);
  });
}
