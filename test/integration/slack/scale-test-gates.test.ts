/**
 * The scale test's Confirm click passes the gates every run passes (regressions of issue 9):
 * the channel resolved as for commands (a private channel's payload says `privategroup`), the
 * per-user rate limit, and a result cut to fit Slack followed by its full detail as a file.
 * The runner is a fake of meshbot's own ScaleTestRunner seam; Bolt and Slack are real/double.
 */
import type { StepResult } from '../../../src/domain/step-result.js';
import { startBotWithDouble, type BotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import type { DoubleMessage } from '../../../src/sandbox/slack/slack-double-types.js';
import type { ScaleTestRunner } from '../../../src/slack/scale-test-runner.js';
import type { ScaleTestData, ScaleTestPlan } from '../../../src/steps/scale-test/scale-test-types.js';
import { fakeExecutor, recordingAudit } from './fake-executor.js';

const plan: ScaleTestPlan = {
  workload: { kind: 'deployment', name: 'web', namespace: 'shop' },
  workloadText: 'deploy/web.shop',
  services: ['web-svc.shop'],
  authorities: ['web-svc.shop.svc.cluster.local:80'],
  fromReplicas: 1,
  toReplicas: 2,
  longestMs: 30_000,
  stageTimeoutMs: 3000,
};

function bigResult(): StepResult<ScaleTestData> {
  return {
    step: 'scale-test',
    target: 'deploy/web.shop',
    status: 'pass',
    summary: 'deploy/web.shop 1 -> 2 -> 1: the destination followed both changes',
    findings: [],
    evidence: [
      {
        title: 'Stages',
        columns: ['stage', 'took'],
        rows: Array.from({ length: 400 }, (_, i) => [`stage-${i}`, `${i} ms`]),
      },
    ],
    next: [],
    data: {
      testId: 't1',
      requestedBy: 'U0ADMIN',
      stages: [],
      restored: true,
      restoreAttempts: 1,
      ending: 'finished',
    },
    startedAt: new Date().toISOString(),
    durationMs: 5,
  } as StepResult<ScaleTestData>;
}

function fakeRunner(): ScaleTestRunner & { runs: number } {
  const runner = {
    runs: 0,
    plan: async () => plan,
    run: async () => {
      runner.runs++;
      return bigResult();
    },
    recover: async () => ({ restored: [], unreadable: [], running: [], failed: [] }),
    close: async () => undefined,
  };
  return runner as unknown as ScaleTestRunner & { runs: number };
}

interface Button {
  action_id: string;
  value: string;
}
const buttonsOf = (m: DoubleMessage): Button[] =>
  (m.blocks as Array<{ type: string; elements?: Button[] }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);

describe('the scale test Confirm click passes the same gates as every run', () => {
  let env: BotWithDouble;
  const runner = fakeRunner();
  const audit = recordingAudit();

  beforeAll(async () => {
    env = await startBotWithDouble({
      mode: 'socket',
      execute: fakeExecutor(),
      audit,
      scaleTests: runner,
      config: {
        authorization: {
          channels: [
            { name: 'ops', namespaces: ['shop'] },
            { id: '*', answer: false },
          ],
          mutators: { users: ['U0ADMIN', 'U0BUSY'], userGroups: [] },
        },
        rateLimit: { commands: 2, perSeconds: 600 },
      },
    });
    env.double.setChannelName('G0OPS', 'ops');
  });
  afterAll(async () => {
    await env.stop();
  });

  async function ask(
    userId: string,
  ): Promise<{ thread: string; confirmation: DoubleMessage; confirm: Button }> {
    const sent = await env.double.sendSlashCommand({
      text: 'scale-test deploy/web.shop',
      userId,
      channelId: 'G0OPS',
      channelName: 'privategroup',
    });
    const { parent } = await env.double.waitForThread(sent.triggerId);
    const confirmation = await env.double.waitFor(
      () => env.double.thread('G0OPS', parent.ts).replies.find((m) => buttonsOf(m).length === 2),
      10_000,
      'the confirmation',
    );
    return { thread: parent.ts, confirmation, confirm: buttonsOf(confirmation)[0]! };
  }

  it('resolves a private channel by its real name, runs, and uploads the full detail of a cut result', async () => {
    const { thread, confirmation, confirm } = await ask('U0ADMIN');
    await env.double.sendBlockAction({
      actionId: confirm.action_id,
      value: confirm.value,
      userId: 'U0ADMIN',
      channelId: 'G0OPS',
      channelName: 'privategroup',
      messageTs: confirmation.ts,
    });
    await audit.waitFor((e) => e.kind === 'click' && e.user === 'U0ADMIN' && e.outcome === 'ran');
    expect(runner.runs).toBe(1);
    const file = env.double.thread('G0OPS', thread).replies.find((r) => r.files?.length);
    expect(file?.files?.[0]?.content).toContain('stage-399');
  });

  it('applies the per-user rate limit to the Confirm click', async () => {
    const first = await ask('U0BUSY');
    await ask('U0BUSY');
    const click = await env.double.sendBlockAction({
      actionId: first.confirm.action_id,
      value: first.confirm.value,
      userId: 'U0BUSY',
      channelId: 'G0OPS',
      channelName: 'privategroup',
      messageTs: first.confirmation.ts,
    });
    const [answer] = await env.double.waitForEphemeral(click.triggerId);
    expect(answer!.text).toMatch(/please try again in \d+ s/);
    expect(runner.runs).toBe(1);
  });
});
