/**
 * `meshbot report list|run NAME` on the command line, through the sandbox and the Slack double:
 * list reads only the config's reports; run sweeps the report's scope and prints the result,
 * posting nothing; `--post` tells the channel as the schedule would, once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { runReportCommand, type ReportFlagValues } from '../../../src/cli/commands/report.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { SweepData } from '../../../src/steps/sweep/sweep-types.js';
import { authority, waitForDestinationCount } from '../endpoints/endpoints-sandbox.js';
import { driftScenario, freezeAndShrink } from './drift-sandbox.js';

const CHANNEL = 'C0CLIREPORT';

describe('meshbot report on the command line', () => {
  let sb: RunningSandbox;
  let slack: SlackDouble;
  let adapters: Adapters;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    [sb, slack] = await Promise.all([
      startSandbox({ scenario: driftScenario('report-cli', { voting: 3 }), podReadyDelayMs: 0 }),
      startSlackDouble(),
    ]);
    adapters = await openAdapters({ kubeconfig: sb.kubeconfig, destination: sb.destination });
    await waitForDestinationCount(adapters.destination, authority('voting-svc'), 3);
    dir = await mkdtemp(join(tmpdir(), 'meshbot-report-cli-'));
    config = join(dir, 'config.yaml');
    await writeFile(
      config,
      [
        'reports:',
        '  - name: drift',
        "    schedule: '0 */15 * * * *'",
        '    timezone: Europe/Paris',
        `    channel: ${CHANNEL}`,
        '    scope: { namespaces: [emojivoto] }',
        '    checks: [endpoints]',
        '    persistence: 200ms',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await adapters?.close();
    await Promise.all([sb?.stop(), slack?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function report(args: string[], flags: ReportFlagValues = {}, env: NodeJS.ProcessEnv = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runReportCommand(
      args,
      { config, kubeconfig: sb.kubeconfig, destination: sb.destination, ...flags },
      {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: (t: string) => (stderr += t) },
        env,
      },
    );
    return { code, stdout, stderr };
  }

  it('lists the configured reports from the config alone', async () => {
    const r = await report(['list'], { kubeconfig: '/nonexistent' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 report configured\./);
    expect(r.stdout).toMatch(/drift\s.*0 \*\/15 \* \* \* \* \(Europe\/Paris\)/);
    expect(r.stdout).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z/);
  });

  it('runs a report, printing it and posting nothing; --post tells the channel once', async () => {
    await freezeAndShrink(sb, adapters.destination, 'voting', 3);
    const r = await report(['run', 'drift'], { output: 'json' });
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as StepResult<SweepData>;
    expect(result.findings.map((f) => f.subject)).toContain('voting-svc.emojivoto:80');
    expect(slack.calls).toEqual([]);

    const env = { SLACK_BOT_TOKEN: slack.botToken, SLACK_API_URL: slack.apiUrl };
    const posted = await report(['run', 'drift'], { post: true, stateNamespace: 'meshbot' }, env);
    expect(posted.code).toBe(1);
    expect(slack.messages(CHANNEL).filter((m) => !m.thread_ts)).toHaveLength(1);
    const again = await report(['run', 'drift'], { post: true, stateNamespace: 'meshbot' }, env);
    expect(again.code).toBe(1);
    expect(slack.messages(CHANNEL).filter((m) => !m.thread_ts)).toHaveLength(1);
  });

  it('says what would work', async () => {
    const typo = await report(['run', 'drfit']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no report named "drfit"; did you mean "drift"\?/);
    const action = await report(['rnu']);
    expect(action.code).toBe(2);
    expect(action.stderr).toMatch(/unknown report action "rnu"; did you mean "run"\?/);
    const noToken = await report(['run', 'drift'], { post: true });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/--post needs SLACK_BOT_TOKEN/);
    const listPost = await report(['list'], { post: true });
    expect(listPost.code).toBe(2);
  });
});
