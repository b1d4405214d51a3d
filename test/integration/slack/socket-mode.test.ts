import { startBotWithDouble, type BotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import { fakeExecutor, recordingAudit, sampleResult } from './fake-executor.js';

function texts(blocks: unknown[]): string {
  return JSON.stringify(blocks);
}

describe('Slack app in Socket Mode against the Slack double', () => {
  let env: BotWithDouble;
  const audit = recordingAudit();
  const exec = fakeExecutor();

  beforeAll(async () => {
    env = await startBotWithDouble({ mode: 'socket', execute: exec, audit });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('acks a /mesh command at once and answers in a thread', async () => {
    const sent = await env.double.sendSlashCommand({ text: 'endpoints web-svc.emojivoto' });
    expect(sent.delivery.acked).toBe(true);
    expect(sent.delivery.ackMs).toBeLessThan(3000);
    const thread = await env.double.waitForThread(sent.triggerId);
    expect(thread.parent.text).toMatch(/endpoints web-svc\.emojivoto/);
    expect(thread.parent.metadata?.event_payload.status).toBe('fail');
    expect(texts(thread.parent.blocks)).toContain('1 address in the destination is stale');
    expect(thread.replies.length).toBe(2);
    for (const r of thread.replies) expect(r.thread_ts).toBe(thread.parent.ts);
    expect(texts(thread.replies[0]!.blocks)).toContain('stale');
    expect(texts(thread.replies[1]!.blocks)).toContain('10.42.0.17:8080');
    expect(exec.ran).toContainEqual({
      name: 'endpoints',
      target: { service: 'web-svc', namespace: 'emojivoto' },
    });
    const line = await audit.waitFor((e) => e.thread === thread.parent.ts);
    expect(line).toEqual(
      expect.objectContaining({
        kind: 'command',
        user: 'U0ALICE',
        channel: 'C0INCIDENT',
        command: 'endpoints web-svc.emojivoto',
        outcome: 'ran',
        status: 'fail',
      }),
    );
  });

  it('tells the person how to invite the bot when it is not in the channel', async () => {
    env.double.leaveChannel('C0PRIVATE');
    const sent = await env.double.sendSlashCommand({
      text: 'endpoints web-svc.emojivoto',
      channelId: 'C0PRIVATE',
      channelName: 'private',
    });
    const [answer] = await env.double.waitForEphemeral(sent.triggerId);
    expect(answer!.text).toContain('/invite @meshbot');
    expect(env.double.messages('C0PRIVATE')).toHaveLength(0);
    await audit.waitFor((e) => e.channel === 'C0PRIVATE' && e.outcome === 'not-in-channel');
  });

  it('retries a rate-limited chat.postMessage after Retry-After and lands the thread', async () => {
    env.double.failNext('chat.postMessage', 'ratelimited', { retryAfterSeconds: 1, channel: 'C0BUSY' });
    const sent = await env.double.sendSlashCommand({
      text: 'endpoints web-svc.emojivoto',
      channelId: 'C0BUSY',
    });
    const thread = await env.double.waitForThread(sent.triggerId);
    const posts = env.double.callsOf('chat.postMessage').filter((c) => c.params.channel === 'C0BUSY');
    expect(posts[0]!.status).toBe(429);
    expect(posts[1]!.status).toBe(200);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(thread.replies).toHaveLength(2);
  });

  it('answers malformed input with an ephemeral usage error and runs nothing', async () => {
    const before = exec.ran.length;
    const cases: [string, RegExp][] = [
      ['endpoints web..emojivoto', /not of the form|empty name/],
      ['endpoints Web.NS', /DNS-1035|DNS-1123/],
      ['endpoints svc.ns:99999', /out of range/],
      ['endpoints web-svc.emojivoto;rm', /contains/],
      ['endpoints ' + 'a'.repeat(300) + '.ns', /characters long/],
      ['edpoints web-svc.emojivoto', /did you mean "endpoints"/],
      ['x'.repeat(2000), /longest meshbot accepts/],
    ];
    for (const [text, expected] of cases) {
      const sent = await env.double.sendSlashCommand({ text });
      expect(sent.delivery.acked).toBe(true);
      const [answer] = await env.double.waitForEphemeral(sent.triggerId);
      expect(answer!.text).toMatch(expected);
    }
    expect(exec.ran.length).toBe(before);
  });

  it('answers help, and an unknown subcommand with the help text', async () => {
    const help = await env.double.sendSlashCommand({ text: 'help' });
    expect((await env.double.waitForEphemeral(help.triggerId))[0]!.text).toContain(
      '/mesh endpoints SERVICE.NAMESPACE[:PORT]',
    );
    const unknown = await env.double.sendSlashCommand({ text: 'endpoint' });
    const [answer] = await env.double.waitForEphemeral(unknown.triggerId);
    expect(answer!.text).toContain('did you mean "endpoints"');
    expect(texts(answer!.blocks)).toContain('/mesh scale-test');
  });

  it('runs 50 commands at once, concurrently, each answered in its own thread', async () => {
    // Every run waits until all 50 are running: if commands waited on each other, none would finish.
    let running = 0;
    let allRunning: () => void = () => undefined;
    const barrier = new Promise<void>((r) => (allRunning = r));
    const exec50 = fakeExecutor(async (c) => {
      if (++running === 50) allRunning();
      await barrier;
      return sampleResult(c);
    });
    const local = await startBotWithDouble({
      mode: 'socket',
      execute: exec50,
      config: { rateLimit: { commands: 100, perSeconds: 60 } },
    });
    try {
      const sent = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          local.double.sendSlashCommand({
            text: `endpoints svc-${i}.emojivoto`,
            userId: `U0LOAD${i % 5}`,
            channelId: 'C0LOAD',
          }),
        ),
      );
      expect(sent.every((s) => s.delivery.acked)).toBe(true);
      expect(local.double.ackTimeouts).toEqual([]);
      const threads = await Promise.all(sent.map((s) => local.double.waitForThread(s.triggerId, 20_000)));
      expect(new Set(threads.map((t) => t.parent.ts)).size).toBe(50);
      threads.forEach((t, i) => {
        expect(t.parent.text).toContain(`svc-${i}.emojivoto`);
        expect(t.replies).toHaveLength(2);
        for (const r of t.replies) {
          expect(r.thread_ts).toBe(t.parent.ts);
          expect(texts(r.blocks)).toContain(`svc-${i}.emojivoto`);
        }
      });
    } finally {
      allRunning();
      await local.stop();
    }
  });

  it('re-runs a command from the "Run again" button of its result', async () => {
    const sent = await env.double.sendSlashCommand({ text: 'endpoints web-svc.emojivoto:80' });
    const thread = await env.double.waitForThread(sent.triggerId);
    const actions = (
      thread.replies[0]!.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    ).find((b) => b.type === 'actions');
    const rerun = actions!.elements![0]!;
    const click = await env.double.sendBlockAction({
      actionId: rerun.action_id,
      value: rerun.value,
      userId: 'U0BOB',
      userName: 'bob',
      messageTs: thread.replies[0]!.ts,
    });
    expect(click.delivery.acked).toBe(true);
    const second = await env.double.waitForThread(click.triggerId);
    expect(second.parent.ts).not.toBe(thread.parent.ts);
    expect(texts(second.parent.blocks)).toContain('<@U0BOB>');
    expect(texts(second.parent.blocks)).toContain('run again');
    await audit.waitFor(
      (e) =>
        e.kind === 'click' &&
        e.user === 'U0BOB' &&
        e.command === 'endpoints web-svc.emojivoto:80' &&
        e.outcome === 'ran',
    );
  });

  it('refuses a button whose value meshbot did not write', async () => {
    const click = await env.double.sendBlockAction({
      actionId: 'meshbot_run:0',
      value: '{"v":1,"kind":"run","command":"endpoints a.b","requestedBy":"lower-case"}',
    });
    const [answer] = await env.double.waitForEphemeral(click.triggerId);
    expect(answer!.text).toContain('no valid meshbot action');
    const forged = await env.double.sendBlockAction({
      actionId: 'meshbot_run:0',
      value: JSON.stringify({
        v: 1,
        kind: 'run',
        command: 'endpoints a.b;ls',
        requestedBy: 'U0X',
        origin: 'rerun',
      }),
    });
    expect((await env.double.waitForEphemeral(forged.triggerId))[0]!.text).toContain('contains');
  });

  it('posts a result too large for one message as a file in the thread', async () => {
    const big = (c: Parameters<typeof sampleResult>[0]): StepResult =>
      sampleResult(c, {
        findings: Array.from({ length: 120 }, (_, i) => ({
          severity: 'fail' as const,
          code: 'stale-in-destination',
          message: `10.42.1.${i}:8080 is stale`,
          hint: 'h'.repeat(200),
        })),
        evidence: [
          {
            title: 'Destination endpoints',
            columns: ['address', 'pod'],
            rows: Array.from({ length: 500 }, (_, i) => [`10.42.${i >> 8}.${i & 255}:8080`, `web-${i}`]),
          },
        ],
      });
    const bigExec = fakeExecutor(big);
    const local = await startBotWithDouble({ mode: 'socket', execute: bigExec });
    try {
      const sent = await local.double.sendSlashCommand({ text: 'endpoints web-svc.emojivoto' });
      const thread = await local.double.waitForThread(sent.triggerId);
      expect(thread.replies.map((r) => r.blocks.length).every((n) => n <= 50)).toBe(true);
      expect(texts(thread.replies[0]!.blocks)).toMatch(/\.\.\.and \d+ more findings/);
      expect(texts(thread.replies[1]!.blocks)).toMatch(/\.\.\.and \d+ more rows/);
      const file = thread.replies.find((r) => r.files?.length);
      expect(file?.thread_ts).toBe(thread.parent.ts);
      expect(file!.files![0]!.content).toContain('10.42.1.119:8080 is stale');
      expect(file!.files![0]!.content).toContain('10.42.1.243:8080');
      expect(local.double.callsOf('files.getUploadURLExternal')).toHaveLength(1);
      expect(local.double.callsOf('upload')).toHaveLength(1);
      expect(local.double.callsOf('files.completeUploadExternal')).toHaveLength(1);
    } finally {
      await local.stop();
    }
  });

  it('shows the progress of a long run on the parent, then the final status', async () => {
    let finish: () => void = () => undefined;
    const released = new Promise<void>((r) => (finish = r));
    const slow = fakeExecutor(async (c) => {
      await released;
      return sampleResult(c, { status: 'pass', summary: 'all good', findings: [] });
    });
    const local = await startBotWithDouble({
      mode: 'socket',
      execute: slow,
      config: { progressAfterSeconds: 0.1 },
    });
    try {
      const sent = await local.double.sendSlashCommand({ text: 'endpoints web-svc.emojivoto' });
      await local.double.waitFor(
        () =>
          local.double
            .callsOf('chat.update')
            .find((c) => texts(c.params.blocks as unknown[]).includes('so far')),
        10_000,
        'a progress update',
      );
      finish();
      const thread = await local.double.waitForThread(sent.triggerId);
      expect(thread.parent.metadata?.event_payload.status).toBe('pass');
      expect(texts(thread.parent.blocks)).toContain('all good');
      expect(texts(thread.parent.blocks)).not.toContain('so far');
    } finally {
      finish();
      await local.stop();
    }
  });

  it('lets runs in flight finish when stopping', async () => {
    let finish: () => void = () => undefined;
    const released = new Promise<void>((r) => (finish = r));
    const slow = fakeExecutor(async (c) => {
      await released;
      return sampleResult(c);
    });
    const local = await startBotWithDouble({ mode: 'socket', execute: slow });
    try {
      const sent = await local.double.sendSlashCommand({ text: 'endpoints web-svc.emojivoto' });
      await local.double.waitFor(
        () => local.double.callsOf('chat.postMessage')[0],
        10_000,
        'the parent message',
      );
      const stopping = local.bot.stop();
      finish();
      await stopping;
      const thread = await local.double.waitForThread(sent.triggerId, 1);
      expect(thread.parent.metadata?.event_payload.status).toBe('fail');
    } finally {
      finish();
      await local.stop();
    }
  });
});
