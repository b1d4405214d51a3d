import type { Command } from 'commander';
import { commandSpec } from '../../grammar/parse-command.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { processIO, reportError, runStepCommand, type CommandIO } from '../command-io.js';
import { addGrammarFlags, commandFromCli } from '../grammar-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';

export interface ProxyLogsFlagValues extends ClusterFlagValues {
  since?: string;
  tail?: string;
  output?: string;
}

/**
 * `meshbot proxy-logs pod/NAME.NS|deploy/NAME.NS [--since 5m] [--tail 500]`: the linkerd-proxy
 * container's last lines, counted and grouped (`--output json` carries every line read).
 * Exit codes: 0 quiet, 1 errors or warnings logged, 2 usage, 3 could not ask.
 */
export async function runProxyLogsCommand(
  targetArg: string,
  flags: ProxyLogsFlagValues,
  io: CommandIO = processIO(),
): Promise<number> {
  try {
    const command = commandFromCli('proxy-logs', targetArg, { ...flags });
    const format = readOutputFormat(flags.output);
    return await runStepCommand(command, readClusterOptions(flags), format, io);
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('proxy-logs')
    .argument('<target>', commandSpec('proxy-logs').target!.description)
    .description(commandSpec('proxy-logs').summary)
    .addHelpText(
      'after',
      '\nExit codes: 0 quiet, 1 errors or warnings logged, 2 usage error, 3 Kubernetes could not be asked. See docs/proxy-logs.md.',
    );
  addGrammarFlags(cmd, 'proxy-logs');
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (target: string, flags: ProxyLogsFlagValues) => {
    process.exitCode = await runProxyLogsCommand(target, flags);
  });
}
