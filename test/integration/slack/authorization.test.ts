import { encodeButtonValue } from '../../../src/slack/button-value.js';
import { startBotWithDouble, type BotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import { fakeExecutor, recordingAudit } from './fake-executor.js';

describe('authorization, rate limit and audit through the real Bolt app', () => {
  let env: BotWithDouble;
  const exec = fakeExecutor();
  const audit = recordingAudit();

  beforeAll(async () => {
    env = await startBotWithDouble({
      mode: 'socket',
      execute: exec,
      audit,
      config: {
        authorization: {
          channels: [
            { id: 'C0OPS', namespaces: ['emojivoto'] },
            { name: 'sre', namespaces: ['*'] },
            { id: 'C0MUTED', answer: false },
          ],
          mutators: { users: ['U0ADMIN'], userGroups: ['S0SRE'] },
        },
        rateLimit: { commands: 3, perSeconds: 60 },
      },
    });
    env.double.setUserGroup('S0SRE', ['U0CAROL']);
  });
  afterAll(async () => {
    await env.stop();
  });

  async function refusal(
    text: string,
    opts: { channelId: string; channelName?: string; userId?: string },
  ): Promise<string> {
    const sent = await env.double.sendSlashCommand({ text, ...opts });
    const [answer] = await env.double.waitForEphemeral(sent.triggerId);
    return answer!.text;
  }

  it('refuses a channel with no rule, or a rule that says not to answer', async () => {
    expect(
      await refusal('endpoints web-svc.emojivoto', {
        channelId: 'C0RANDOM',
        channelName: 'random',
        userId: 'U0R1',
      }),
    ).toMatch(/does not answer in this channel/);
    expect(await refusal('help', { channelId: 'C0MUTED', channelName: 'muted', userId: 'U0R1' })).toMatch(
      /does not answer in this channel/,
    );
    expect(env.double.messages('C0RANDOM')).toHaveLength(0);
    await audit.waitFor((e) => e.channel === 'C0RANDOM' && e.outcome === 'refused' && e.reason === 'channel');
  });

  it('refuses a namespace the channel may not inspect', async () => {
    const text = await refusal('endpoints api.payments', {
      channelId: 'C0OPS',
      channelName: 'ops',
      userId: 'U0R2',
    });
    expect(text).toMatch(
      /namespace "payments" may not be inspected from this channel \(allowed here: emojivoto\)/,
    );
    const ok = await env.double.sendSlashCommand({
      text: 'endpoints web-svc.emojivoto',
      channelId: 'C0OPS',
      userId: 'U0R2',
    });
    await env.double.waitForThread(ok.triggerId);
  });

  it('matches a channel by name', async () => {
    const sent = await env.double.sendSlashCommand({
      text: 'endpoints api.payments',
      channelId: 'C0SRE',
      channelName: 'sre',
      userId: 'U0R3',
    });
    await env.double.waitForThread(sent.triggerId);
  });

  it('asks conversations.info for the real name of a private channel', async () => {
    env.double.setChannelName('G0SRE', 'sre');
    const sent = await env.double.sendSlashCommand({
      text: 'endpoints api.payments',
      channelId: 'G0SRE',
      channelName: 'privategroup',
      userId: 'U0R4',
    });
    await env.double.waitForThread(sent.triggerId);
    expect(env.double.callsOf('conversations.info').map((c) => c.params.channel)).toContain('G0SRE');
  });

  it('lets only listed users and user-group members run mutating actions', async () => {
    expect(
      await refusal('scale-test deploy/web.emojivoto', {
        channelId: 'C0SRE',
        channelName: 'sre',
        userId: 'U0ALICE',
      }),
    ).toMatch(/not among the people authorized/);
    const admin = await env.double.sendSlashCommand({
      text: 'scale-test deploy/web.emojivoto',
      channelId: 'C0SRE',
      channelName: 'sre',
      userId: 'U0ADMIN',
    });
    await env.double.waitForThread(admin.triggerId);
    const carol = await env.double.sendSlashCommand({
      text: 'scale-test deploy/web.emojivoto',
      channelId: 'C0SRE',
      channelName: 'sre',
      userId: 'U0CAROL',
    });
    await env.double.waitForThread(carol.triggerId);
    expect(env.double.callsOf('usergroups.users.list').map((c) => c.params.usergroup)).toContain('S0SRE');
  });

  it('checks again on every click: the person who clicks may not be the one who asked', async () => {
    const value = encodeButtonValue({
      v: 1,
      kind: 'run',
      command: 'scale-test deploy/web.emojivoto',
      requestedBy: 'U0ADMIN',
      origin: 'rerun',
    });
    const click = await env.double.sendBlockAction({
      actionId: 'meshbot_run:0',
      value,
      userId: 'U0MALLORY',
      channelId: 'C0SRE',
      channelName: 'sre',
    });
    expect((await env.double.waitForEphemeral(click.triggerId))[0]!.text).toMatch(
      /not among the people authorized/,
    );
    const elsewhere = encodeButtonValue({
      v: 1,
      kind: 'run',
      command: 'endpoints api.payments',
      requestedBy: 'U0ADMIN',
      origin: 'next-step',
    });
    const click2 = await env.double.sendBlockAction({
      actionId: 'meshbot_run:1',
      value: elsewhere,
      userId: 'U0ADMIN',
      channelId: 'C0OPS',
      channelName: 'ops',
    });
    expect((await env.double.waitForEphemeral(click2.triggerId))[0]!.text).toMatch(
      /namespace "payments" may not be inspected/,
    );
    await audit.waitFor(
      (e) =>
        e.kind === 'click' && e.user === 'U0MALLORY' && e.outcome === 'refused' && e.reason === 'mutating',
    );
  });

  it('answers politely once a person passes the rate limit', async () => {
    const runs = [];
    for (let i = 0; i < 3; i++)
      runs.push(
        await env.double.sendSlashCommand({
          text: 'endpoints web-svc.emojivoto',
          channelId: 'C0OPS',
          userId: 'U0BUSY',
        }),
      );
    await Promise.all(runs.map((r) => env.double.waitForThread(r.triggerId)));
    const text = await refusal('endpoints web-svc.emojivoto', { channelId: 'C0OPS', userId: 'U0BUSY' });
    expect(text).toMatch(/please try again in \d+ s/);
    await audit.waitFor((e) => e.user === 'U0BUSY' && e.outcome === 'rate-limited');
  });
});

describe('with no authorization configured', () => {
  it('answers read-only commands anywhere and refuses every mutating action', async () => {
    const env = await startBotWithDouble({ mode: 'socket', execute: fakeExecutor() });
    try {
      const read = await env.double.sendSlashCommand({
        text: 'endpoints web-svc.emojivoto',
        channelId: 'C0ANY',
      });
      await env.double.waitForThread(read.triggerId);
      const write = await env.double.sendSlashCommand({
        text: 'scale-test deploy/web.emojivoto',
        channelId: 'C0ANY',
        userId: 'U0ANYONE',
      });
      expect((await env.double.waitForEphemeral(write.triggerId))[0]!.text).toMatch(/no one is authorized/);
    } finally {
      await env.stop();
    }
  });
});
