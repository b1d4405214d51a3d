import type { Command } from 'commander';
import { cliUser } from '../cli-user.js';
import { parseDuration } from '../../grammar/duration.js';
import { commandSpec } from '../../grammar/parse-command.js';
import type { RestartSettings } from '../../steps/restart/plan-restart.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { processIO, reportError, withAdapters, type CommandIO } from '../command-io.js';
import { commandFromCli } from '../grammar-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';
import { runConfirmedStep } from '../run-confirmed-step.js';

export interface RestartFlagValues extends ClusterFlagValues {
  yes?: boolean;
  allow?: string[];
  rolloutTimeout?: string;
  output?: string;
}

/**
 * `meshbot restart deploy/NAME.NS [--yes]`: without --yes, says what would change and exits 2;
 * with it, restarts the allow-listed deployment and waits for the rollout (progress on stderr).
 * Exit codes: 0 rolled out, 1 stuck or refused, 2 usage or --yes missing, 3 could not ask.
 */
export async function runRestartCommand(
  targetArg: string,
  flags: RestartFlagValues,
  io: CommandIO = processIO(),
): Promise<number> {
  try {
    const command = commandFromCli('restart', targetArg, {});
    const format = readOutputFormat(flags.output);
    const settings: RestartSettings = {
      ...(flags.allow?.length ? { allow: flags.allow } : {}),
      ...(flags.rolloutTimeout !== undefined
        ? {
            timeoutMs: parseDuration(flags.rolloutTimeout, '--rollout-timeout', { min: 5, max: 3600 }) * 1000,
          }
        : {}),
    };
    const { stepOf } = await import('../../steps/step-registry.js');
    return await withAdapters(readClusterOptions(flags), async (adapters, label) => {
      const by = cliUser();
      return runConfirmedStep(
        stepOf('restart').confirmation,
        command,
        adapters,
        {
          yes: flags.yes === true,
          settings: {
            ...settings,
            confirmedBy: `${by} (--yes)`,
            confirmationId: `cli-${crypto.randomUUID()}`,
          },
          format,
          label,
        },
        // The one name: who confirmed is who asked.
        { ...io, requestedBy: by },
      );
    });
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('restart')
    .argument('<target>', commandSpec('restart').target!.description)
    .description(commandSpec('restart').summary)
    .option('-y, --yes', 'do it (without it, print what would change and exit 2)')
    .option(
      '--allow <entry...>',
      'restart allow-list entries deploy/NAME.NS or deploy/*.NS (default: the Linkerd control plane)',
    )
    .option('--rollout-timeout <duration>', 'how long to wait for the rollout (default 2m)')
    .addHelpText(
      'after',
      '\nExit codes: 0 rolled out, 1 stuck or refused, 2 usage error or --yes missing, 3 Kubernetes could not be asked.',
    );
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (target: string, flags: RestartFlagValues) => {
    process.exitCode = await runRestartCommand(target, flags);
  });
}
