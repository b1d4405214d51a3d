import type { Command } from 'commander';
import { openAdapters } from '../../adapters/open-adapters.js';
import { describeError, exitCodeForError } from '../../errors.js';
import { parseServiceTarget } from '../../grammar/targets.js';
import { renderStepResultJson } from '../../render/json/render-step-result-json.js';
import { renderStepResultText } from '../../render/text/render-step-result-text.js';
import { useColor } from '../../render/text/use-color.js';
import { runEndpointsStep } from '../../steps/endpoints/run-endpoints-step.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { addOutputFlag, readOutputFormat } from '../output-format.js';
import { exitCodeForStatus } from '../step-exit-code.js';

export interface CommandIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

export interface EndpointsFlagValues extends ClusterFlagValues {
  output?: string;
}

const processIO = (): CommandIO => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/**
 * `meshbot endpoints SVC.NS[:PORT]`: validates the input, opens the adapters, runs the step,
 * prints text or JSON, and returns the exit code (0 consistent, 1 differences, 2 usage,
 * 3 could not ask). Never throws; errors are printed as a message and a hint.
 */
export async function runEndpointsCommand(
  targetArg: string,
  flags: EndpointsFlagValues,
  io: CommandIO = processIO(),
): Promise<number> {
  try {
    const target = parseServiceTarget(targetArg);
    const format = readOutputFormat(flags.output);
    const options = readClusterOptions(flags);
    const adapters = await openAdapters(options);
    try {
      const result = await runEndpointsStep(target, adapters);
      io.stdout.write(
        format === 'json'
          ? renderStepResultJson(result)
          : renderStepResultText(result, { color: useColor(io.stdout, io.env), commandPrefix: 'meshbot ' }),
      );
      return exitCodeForStatus(result.status);
    } finally {
      await adapters.close();
    }
  } catch (err) {
    const { message, hint } = describeError(err);
    io.stderr.write(`Error: ${message}\n${hint ? `Hint: ${hint}\n` : ''}`);
    return exitCodeForError(err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('endpoints')
    .alias('ep')
    .argument(
      '<target>',
      'SERVICE.NAMESPACE[:PORT], e.g. web-svc.emojivoto:80 (port number or name; default: every port)',
    )
    .description(
      "Compare Kubernetes' endpoints with what the Linkerd destination controller serves; name stale and missing addresses",
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 consistent, 1 differences found, 2 usage error, 3 Kubernetes or the destination could not be reached.',
    );
  addClusterFlags(cmd);
  addOutputFlag(cmd);
  cmd.action(async (target: string, flags: EndpointsFlagValues) => {
    process.exitCode = await runEndpointsCommand(target, flags);
  });
}
