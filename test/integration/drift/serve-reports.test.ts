/**
 * Two `meshbot serve` replicas with a seconds-level report, sharing one Lease in the sandbox:
 * only the leader runs the schedule, a frozen service is posted once (not once per run or per
 * replica), and stopping releases the Lease.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { runServe } from '../../../src/cli/commands/serve.js';
import { STATE_KEY } from '../../../src/drift/report-state-store.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { serveEnv } from '../../support/serve-env.js';
import { authority, waitForDestinationCount, waitForObjects } from '../endpoints/endpoints-sandbox.js';
import { driftScenario, freezeAndShrink } from './drift-sandbox.js';

const CHANNEL = 'C0HAREPORT';
const ASKED = 'C0ASKING';

describe('two serve replicas with a scheduled report', () => {
  let sb: RunningSandbox;
  let slack: SlackDouble;
  let adapters: Adapters;
  let dir: string;

  beforeAll(async () => {
    [sb, slack] = await Promise.all([
      startSandbox({
        scenario: driftScenario('serve-reports', { voting: 3 }),
        podReadyDelayMs: 0,
      }),
      startSlackDouble(),
    ]);
    adapters = await openAdapters({ kubeconfig: sb.kubeconfig, destination: sb.destination });
    await waitForDestinationCount(adapters.destination, authority('voting-svc'), 3);
    dir = await mkdtemp(join(tmpdir(), 'meshbot-reports-'));
    await writeFile(
      join(dir, 'config.yaml'),
      [
        'reports:',
        '  - name: drift',
        "    schedule: '* * * * * *'",
        `    channel: ${CHANNEL}`,
        '    scope: { namespaces: [emojivoto] }',
        '    checks: [endpoints]',
        '    persistence: 200ms',
        'leaderElection: { leaseDuration: 1500ms, renewDeadline: 1s, retryPeriod: 200ms }',
        'authorization: { mutators: { users: [UMUTATOR1] } }',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await adapters?.close();
    await Promise.all([sb?.stop(), slack?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the schedule on one replica only and posts the frozen service once', async () => {
    await freezeAndShrink(sb, adapters.destination, 'voting', 3);

    const stops: Array<(r: string) => void> = [];
    const replica = (pod: string) => {
      const stopped = new Promise<string>((r) => stops.push(r));
      let up: (port: number) => void = () => undefined;
      const started = new Promise<number>((r) => (up = r));
      const done = runServe(
        {},
        {
          stderr: process.stderr,
          env: serveEnv(slack, {
            MESHBOT_CONFIG: join(dir, 'config.yaml'),
            MESHBOT_KUBECONFIG: sb.kubeconfig,
            MESHBOT_DESTINATION: sb.destination,
            POD_NAME: pod,
            POD_NAMESPACE: 'meshbot',
          }),
          untilStopped: () => stopped,
          onStarted: ({ port }) => up(port),
        },
      );
      return { done, started };
    };
    const a = replica('meshbot-a');
    const b = replica('meshbot-b');
    const ports = await Promise.all([a.started, b.started]);

    // Three runs finished (slots recorded in the state ConfigMap), whoever led.
    const slots = new Set<string>();
    const holders = new Set<string>();
    await waitForObjects(
      sb.store,
      { group: '', plural: 'configmaps' },
      { namespace: 'meshbot' },
      (cms) => {
        const cm = cms.find((c) => c.metadata.name === 'meshbot-report-state');
        const raw = (cm?.['data'] as Record<string, string> | undefined)?.[STATE_KEY];
        if (!raw) return undefined;
        const finished = (
          JSON.parse(raw) as { reports: Record<string, { finished?: { slot: string; by: string } }> }
        ).reports['drift']?.finished;
        if (finished) {
          slots.add(finished.slot);
          holders.add(finished.by);
        }
        return slots.size >= 3 ? true : undefined;
      },
      30_000,
    );
    // Snooze 1 h from the finding's thread: refused to someone not authorized, done (and said) for a mutator.
    const detail = slack.thread(CHANNEL, slack.messages(CHANNEL).find((m) => !m.thread_ts)!.ts).replies[0]!;
    const snooze = (
      detail.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>
    )
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === 'meshbot_report_snooze:1')!;
    const refused = await slack.sendBlockAction({
      actionId: snooze.action_id,
      value: snooze.value,
      userId: 'UOTHER01',
      channelId: CHANNEL,
      messageTs: detail.ts,
    });
    expect((await slack.waitForEphemeral(refused.triggerId))[0]!.text).toMatch(
      /not among the people authorized/,
    );
    await slack.sendBlockAction({
      actionId: snooze.action_id,
      value: snooze.value,
      userId: 'UMUTATOR1',
      channelId: CHANNEL,
      messageTs: detail.ts,
    });
    await slack.waitFor(() =>
      slack.messages(CHANNEL).find((m) => /Snoozed for 1 hour by <@UMUTATOR1>/.test(m.text)),
    );
    const fingerprint = (JSON.parse(snooze.value) as { fingerprint: string }).fingerprint;
    const cm = sb.store.get({ group: '', plural: 'configmaps' }, 'meshbot', 'meshbot-report-state')!;
    const snoozes = (
      JSON.parse((cm['data'] as Record<string, string>)[STATE_KEY]!) as {
        snoozes: Record<string, { by: string }>;
      }
    ).snoozes;
    expect(snoozes[fingerprint]?.by).toBe('UMUTATOR1');

    // Each replica's /metrics says whether it leads: exactly one does.
    const leaders = await Promise.all(
      ports.map(async (port) => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return Number(/^meshbot_is_leader\{[^}]*\} (\d+)$/m.exec(text)?.[1]);
      }),
    );
    expect(leaders.sort()).toEqual([0, 1]);
    // The rest of meshbot's own metrics, summed over both replicas: a command run from Slack
    // (by name and status, with its duration), the report's sweeps (duration, services swept),
    // its runs and its open findings by kind.
    const endpoints = await slack.sendSlashCommand({
      text: 'endpoints voting-svc.emojivoto',
      channelId: ASKED,
    });
    await slack.waitForThread(endpoints.triggerId, 30_000);
    const scrape = async (): Promise<string[]> =>
      (await Promise.all(ports.map(async (port) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text())))
        .join('\n')
        .split('\n');
    const sum = (lines: string[], name: string, labels: RegExp = /.*/): number =>
      lines
        .filter((l) => l.startsWith(`${name}{`) && labels.test(l))
        .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
    const lines = await scrape();
    expect(sum(lines, 'meshbot_commands_total', /command="endpoints",status="fail"/)).toBe(1);
    expect(sum(lines, 'meshbot_step_duration_seconds_count', /command="endpoints"/)).toBe(1);
    expect(sum(lines, 'meshbot_sweep_duration_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(sum(lines, 'meshbot_sweep_services_total', /outcome="swept"/)).toBeGreaterThanOrEqual(3);
    expect(sum(lines, 'meshbot_sweep_services_total', /outcome="drifted"/)).toBeGreaterThanOrEqual(3);
    expect(sum(lines, 'meshbot_report_runs_total', /report="drift",outcome="ok"/)).toBeGreaterThanOrEqual(3);
    expect(sum(lines, 'meshbot_open_findings', /report="drift",kind="stale-in-destination"/)).toBe(1);
    // /mesh report list and run, asked in another channel: answered in the thread where asked.
    const text = (t: { parent: { text: string }; replies: Array<{ text: string; blocks: unknown[] }> }) =>
      JSON.stringify([t.parent.text, ...t.replies.map((r) => [r.text, r.blocks])]);
    const list = await slack.sendSlashCommand({ text: 'report list', channelId: ASKED });
    const listed = text(await slack.waitForThread(list.triggerId));
    expect(listed).toMatch(/1 report configured; this replica (leads|does not lead)/);
    expect(listed).toMatch(/\* \* \* \* \* \* \(UTC\)/);
    expect(listed).toContain(CHANNEL);
    expect(listed).toContain('emojivoto');
    expect(listed).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/); // the next run
    const typo = await slack.sendSlashCommand({ text: 'report run drfit', channelId: ASKED });
    expect(text(await slack.waitForThread(typo.triggerId))).toMatch(
      /no report named \\"drfit\\"; did you mean \\"drift\\"/,
    );
    // The run is the scheduled report's own: the frozen service is open already, so the
    // channel is not told again; the sweep's result is the thread's.
    const run = await slack.sendSlashCommand({ text: 'report run drift', channelId: ASKED });
    const thread = await slack.waitForThread(run.triggerId, 30_000);
    expect(text(thread)).toMatch(/voting-svc\.emojivoto/);
    for (const stop of stops) stop('test');
    expect(await Promise.all([a.done, b.done])).toEqual([0, 0]);

    expect(holders.size).toBe(1);
    const posts = slack.messages(CHANNEL).filter((m) => !m.thread_ts);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.text).toMatch(/voting-svc\.emojivoto:80/);
    const lease = sb.store.get(
      { group: 'coordination.k8s.io', plural: 'leases' },
      'meshbot',
      'meshbot-scheduler',
    );
    expect((lease?.['spec'] as { holderIdentity?: string }).holderIdentity ?? '').toBe('');
  });
});
