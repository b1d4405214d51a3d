import type { Command } from 'commander';
import { cliUser } from '../cli-user.js';
import { parsePrometheusUrl } from '../../adapters/prometheus/prometheus-url.js';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../grammar/duration.js';
import { parseCommand } from '../../grammar/parse-command.js';
import { printable } from '../../grammar/targets.js';
import { useColor, palette, statusPaint } from '../../render/text/use-color.js';
import { didYouMean } from '../../grammar/did-you-mean.js';
import type { RunbookCatalog } from '../../runbooks/load-runbooks.js';
import { addClusterFlags, readClusterOptions, type ClusterFlagValues } from '../cluster-flags.js';
import { processIO, reportError, withAdapters, type CommandIO } from '../command-io.js';
import { exitCodeForStatus } from '../step-exit-code.js';
import { readScaleTestSettings, type ScaleTestFlagValues } from './scale-test.js';

export interface RunbookFlagValues
  extends ClusterFlagValues, Pick<ScaleTestFlagValues, 'maxReplicas' | 'stageTimeout' | 'overallTimeout'> {
  yes?: boolean;
  output?: string;
  runbooksDir?: string;
  prometheus?: string;
  restartTimeout?: string;
}

export interface RunbookIO extends CommandIO {
  /** Who asked; default `cli:<user>`. */
  requestedBy?: string;
}

type RunbookOutput = 'text' | 'json' | 'markdown';

function readRunbookOutput(raw: string | undefined): RunbookOutput {
  const v = (raw ?? 'text').toLowerCase();
  if (v === 'text' || v === 'json' || v === 'markdown') return v;
  throw new UsageError(
    `output format "${printable(raw ?? '')}" is not supported`,
    'Use --output text, --output json or --output markdown (incident notes).',
  );
}

async function catalogOf(flags: RunbookFlagValues): Promise<RunbookCatalog> {
  const { loadRunbooks } = await import('../../runbooks/load-runbooks.js');
  return loadRunbooks(flags.runbooksDir !== undefined ? { extraDir: flags.runbooksDir } : {});
}

function listText(catalog: RunbookCatalog): string {
  const lines = catalog.list().map((r) => {
    const kind = r.target === 'service' ? 'SERVICE.NAMESPACE' : 'deploy/NAME.NAMESPACE';
    return `${r.id} ${kind}${r.builtin ? '' : '  (operator)'}\n  ${r.title}: ${r.summary}\n`;
  });
  return `${lines.join('\n')}\nRun one: meshbot runbook NAME TARGET [--yes]\n`;
}

/**
 * `meshbot runbook` lists the runbooks; `meshbot runbook validate FILE` checks one file;
 * `meshbot runbook NAME TARGET [--yes]` runs one: read-only steps run on, a step that changes
 * the cluster is skipped (and says so) unless --yes. Text output streams each step as it ends;
 * json prints the run report, markdown the incident notes. Exit code: that of the worst
 * verdict (0 pass, 1 warn or fail, 3 error), 2 for usage or an invalid runbook.
 */
export async function runRunbookCommand(
  name: string | undefined,
  targetArg: string | undefined,
  flags: RunbookFlagValues,
  io: RunbookIO = processIO(),
): Promise<number> {
  try {
    const format = readRunbookOutput(flags.output);
    // Loaded when the command runs, so other commands do not pay for them; one at a time.
    const { loadRunbookFile } = await import('../../runbooks/load-runbooks.js');
    if (name === 'validate') {
      if (targetArg === undefined)
        throw new UsageError('runbook validate needs a FILE', 'Usage: meshbot runbook validate FILE');
      const rb = loadRunbookFile(targetArg);
      io.stdout.write(
        `${targetArg}: runbook ${rb.id} is valid (${rb.steps.length} steps, ${rb.steps.filter((s) => s.changesCluster).length} that change the cluster; content ${rb.hash})\n`,
      );
      return 0;
    }
    const catalog = await catalogOf(flags);
    if (name === undefined) {
      io.stdout.write(
        format === 'json'
          ? `${JSON.stringify(
              catalog.list().map((r) => ({
                id: r.id,
                title: r.title,
                summary: r.summary,
                target: r.target,
                hash: r.hash,
                source: r.source,
              })),
              null,
              2,
            )}\n`
          : listText(catalog),
      );
      return 0;
    }
    // The grammar checks the name and target shape, as in Slack.
    const cmd = parseCommand(['runbook', name, ...(targetArg !== undefined ? [targetArg] : [])].join(' '));
    if (cmd.name !== 'runbook' || cmd.runbook === undefined || cmd.target === undefined) {
      throw new UsageError('runbook needs a NAME and a TARGET', 'Usage: meshbot runbook NAME TARGET');
    }
    const runbook = catalog.get(cmd.runbook);
    if (!runbook) {
      const ids = catalog.list().map((r) => r.id);
      const guess = didYouMean(cmd.runbook, ids);
      throw new UsageError(
        `no runbook is called "${cmd.runbook}"${guess ? `; did you mean "${guess}"?` : ''}`,
        `Runbooks: ${ids.join(', ')}. List them: meshbot runbook`,
      );
    }
    const { parseRunbookTarget } = await import('../../runbooks/runbook-target.js');
    const target = parseRunbookTarget(runbook.target, cmd.target, runbook.id);
    const scaleTest = readScaleTestSettings(flags);
    const restartTimeoutMs =
      flags.restartTimeout !== undefined
        ? parseDuration(flags.restartTimeout, '--restart-timeout', { min: 5, max: 3600 }) * 1000
        : undefined;
    const options = readClusterOptions(flags);
    if (flags.prometheus !== undefined) {
      options.prometheusUrl = parsePrometheusUrl(flags.prometheus).href.replace(/\/$/, '');
    }
    const requestedBy = io.requestedBy ?? cliUser();
    const color = useColor(io.stdout, io.env);
    const p = palette(color);
    const { driveRunbook } = await import('../../runbooks/drive-runbook.js');
    const { executeRunbookStep } = await import('../../runbooks/execute-runbook-step.js');
    const { renderRunbookEntryText } = await import('../../render/text/render-runbook-text.js');
    const { renderIncidentNotes } = await import('../../render/markdown/render-incident-notes.js');
    return await withAdapters(options, async (adapters, label) => {
      let shown = 0;
      const report = await driveRunbook(
        runbook,
        { target, cluster: label.cluster ?? adapters.kube.context, requestedBy },
        {
          execute: (command, ctx) =>
            executeRunbookStep(
              command,
              {
                requestedBy: ctx.requestedBy,
                ...(ctx.confirmedBy !== undefined ? { confirmedBy: ctx.confirmedBy } : {}),
                confirmationId: `cli-${crypto.randomUUID()}`,
              },
              adapters,
              {
                scaleTest,
                ...(restartTimeoutMs !== undefined ? { restartTimeoutMs } : {}),
                onProgress: (text) => void io.stderr.write(`   ${text}\n`),
              },
            ),
          decide: (action) => {
            if (action.type === 'pause' || flags.yes)
              return Promise.resolve({ choice: 'run', by: `${requestedBy} (--yes)` });
            return Promise.resolve({
              choice: 'skip',
              note: `skipped: \`${action.command}\` changes the cluster and --yes was not given`,
            });
          },
          onStepStart: (step, command) => void io.stderr.write(`-> ${step.title}: ${command}\n`),
          onEntry: (entry) => {
            if (format === 'text')
              io.stdout.write(renderRunbookEntryText(entry, shown, { color, commandPrefix: 'meshbot ' }));
            shown++;
          },
        },
      );
      if (format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (format === 'markdown') io.stdout.write(renderIncidentNotes(report));
      else {
        io.stdout.write(
          `${p.bold('Conclusion')} (${statusPaint(p, report.worst)(report.worst.toUpperCase())} at worst): ${report.stop.conclusion}\n`,
        );
      }
      const skipped = report.entries.filter((e) => e.outcome === 'skipped');
      if (skipped.length && !flags.yes) {
        io.stderr.write(
          `meshbot: ${skipped.length} step(s) that change the cluster were skipped; run again with --yes to do them.\n`,
        );
      }
      return exitCodeForStatus(report.worst);
    });
  } catch (err) {
    return reportError(io.stderr, err);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('runbook')
    .argument('[name]', 'the runbook to run (or "validate"); without it, list the runbooks')
    .argument(
      '[target]',
      'SERVICE.NAMESPACE or deploy/NAME.NAMESPACE, as the runbook takes (or the FILE to validate)',
    )
    .description(
      'List, validate or run a guided runbook: steps that branch on verdicts, ending with a conclusion',
    )
    .option(
      '-y, --yes',
      'run the steps that change the cluster (scale test, restart); without it they are skipped',
    )
    .option('-o, --output <format>', 'text, json (the run report) or markdown (incident notes)', 'text')
    .option(
      '--runbooks-dir <dir>',
      "a directory of the operator's own runbooks (as runbooksDir in the config)",
    )
    .option('--prometheus <url>', 'Prometheus base URL for metrics steps')
    .option('--max-replicas <n>', 'scale-test steps: refuse when replicas would pass this (default 20)')
    .option('--stage-timeout <duration>', 'scale-test steps: limit of each stage (default 30s)')
    .option('--overall-timeout <duration>', 'scale-test steps: limit of the whole test (default 2m)')
    .option('--restart-timeout <duration>', 'restart steps: how long to wait for the rollout (default 2m)')
    .addHelpText(
      'after',
      '\nExamples:\n  meshbot runbook\n  meshbot runbook validate ./my-runbook.yaml\n  meshbot runbook stale-endpoints web-svc.emojivoto --yes --output markdown\n\nExit codes: 0 every step passed, 1 a step warned or failed, 2 usage error or invalid runbook, 3 a step could not ask. See docs/runbooks.md.',
    );
  addClusterFlags(cmd);
  cmd.action(async (name: string | undefined, target: string | undefined, flags: RunbookFlagValues) => {
    process.exitCode = await runRunbookCommand(name, target, flags);
  });
}
