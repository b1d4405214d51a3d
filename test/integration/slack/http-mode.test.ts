import { signedHeaders } from '../../../src/sandbox/slack/sign-slack-request.js';
import { startBotWithDouble, type BotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import { fakeExecutor } from './fake-executor.js';

describe('Slack app in HTTP mode against the Slack double', () => {
  let env: BotWithDouble;
  const exec = fakeExecutor();

  beforeAll(async () => {
    env = await startBotWithDouble({ mode: 'http', execute: exec });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('serves a signed slash command on /slack/events and answers in a thread', async () => {
    const sent = await env.double.sendSlashCommand({ text: 'endpoints web-svc.emojivoto:8080' });
    expect(sent.delivery).toEqual(expect.objectContaining({ transport: 'http', status: 200, acked: true }));
    const thread = await env.double.waitForThread(sent.triggerId);
    expect(thread.replies).toHaveLength(2);
    for (const r of thread.replies) expect(r.thread_ts).toBe(thread.parent.ts);
    expect(thread.parent.metadata?.event_payload.status).toBe('fail');
  });

  it('serves a click sent as the payload form field', async () => {
    const sent = await env.double.sendSlashCommand({ text: 'endpoints web-svc.emojivoto' });
    const thread = await env.double.waitForThread(sent.triggerId);
    const actions = (
      thread.replies[0]!.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    ).find((b) => b.type === 'actions');
    const button = actions!.elements![1]!; // the "Destination metrics" next step
    const click = await env.double.sendBlockAction({ actionId: button.action_id, value: button.value });
    expect(click.delivery.status).toBe(200);
    // metrics is not a fake step: the executor still returns a result, and a thread follows.
    const second = await env.double.waitForThread(click.triggerId);
    expect(JSON.stringify(second.parent.blocks)).toContain('metrics web-svc.emojivoto');
  });

  const body = new URLSearchParams({
    command: '/mesh',
    text: 'endpoints web-svc.emojivoto',
    user_id: 'U0EVE',
    channel_id: 'C0INCIDENT',
    trigger_id: 't-forged',
    response_url: 'http://127.0.0.1:1/x',
  }).toString();

  it('rejects a forged signature', async () => {
    const ran = exec.ran.length;
    const res = await env.double.postRaw(body, signedHeaders('not-the-signing-secret', body));
    expect(res.status).toBe(401);
    const tampered = await env.double.postRaw(
      body.replace('U0EVE', 'U0ADM'),
      signedHeaders(env.double.signingSecret, body),
    );
    expect(tampered.status).toBe(401);
    expect(exec.ran.length).toBe(ran);
  });

  it('rejects an expired signature (older than 5 minutes), even if correctly signed', async () => {
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await env.double.postRaw(body, signedHeaders(env.double.signingSecret, body, old));
    expect(res.status).toBe(401);
  });

  it('rejects a request without signature headers', async () => {
    const res = await env.double.postRaw(body, {});
    expect(res.status).toBe(401);
  });

  it('survives signed but malformed bodies and keeps serving', async () => {
    // Bolt answers 400 (unparsable), 500 (a block_actions without actions) or, after its
    // 3 s unhandled-request timeout, 404 (nothing it knows).
    for (const bad of [
      'payload=%7Bnot-json',
      'payload=' + encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [] })),
      '%%%',
    ]) {
      const res = await env.double.postRaw(bad, signedHeaders(env.double.signingSecret, bad));
      expect([400, 404, 500]).toContain(res.status);
    }
    const sent = await env.double.sendSlashCommand({ text: 'help' });
    expect(sent.delivery.status).toBe(200);
    await env.double.waitForEphemeral(sent.triggerId);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`http://127.0.0.1:${env.port}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${env.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('ready\n');
  });
});
