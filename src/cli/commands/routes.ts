import type { Command } from 'commander';
import { commandSpec } from '../../grammar/parse-command.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { processIO, reportError, runStepCommand, type CommandIO } from '../command-io.js';
import { addGrammarFlags, commandFromCli } from '../grammar-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';
import { addPrometheusFlags, readPrometheusOptions, type PrometheusFlagValues } from '../prometheus-flags.js';

export interface RoutesFlagValues extends ClusterFlagValues, PrometheusFlagValues {
  window?: string;
  output?: string;
}

/**
 * `meshbot routes svc/SVC.NS [--window 1m]`: per-route success rate, RPS and latency from
 * Prometheus, ServiceProfile, HTTPRoute and GRPCRoute routes, `[DEFAULT]` for requests that match none.
 * Exit codes: 0 every route within thresholds, 1 a route crossing one, 2 usage, 3 Prometheus
 * (or Kubernetes) could not be asked.
 */
export async function runRoutesCommand(
  targetArg: string,
  flags: RoutesFlagValues,
  io: CommandIO = processIO(),
): Promise<number> {
  try {
    const command = commandFromCli('routes', targetArg, { ...flags });
    const format = readOutputFormat(flags.output);
    const options = readPrometheusOptions(flags, readClusterOptions(flags));
    return await runStepCommand(command, options, format, io);
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('routes')
    .argument('<target>', commandSpec('routes').target!.description)
    .description(commandSpec('routes').summary)
    .addHelpText(
      'after',
      '\nExit codes: 0 every route within thresholds, 1 a route crossing one, 2 usage error, 3 Prometheus or Kubernetes could not be asked.\nSee docs/routes.md for the queries and thresholds.',
    );
  addGrammarFlags(cmd, 'routes');
  addPrometheusFlags(cmd);
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (target: string, flags: RoutesFlagValues) => {
    process.exitCode = await runRoutesCommand(target, flags);
  });
}
