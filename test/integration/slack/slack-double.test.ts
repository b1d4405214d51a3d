import WebSocket from 'ws';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';

describe('the Slack double', () => {
  let double: SlackDouble;
  beforeEach(async () => {
    double = await startSlackDouble({ ackTimeoutMs: 300 });
  });
  afterEach(async () => {
    await double.close();
  });

  const call = (method: string, body: string, headers: Record<string, string>) =>
    fetch(`${double.apiUrl}${method}`, { method: 'POST', body, headers });

  it('accepts JSON and form bodies and checks the bearer token', async () => {
    const json = await call('chat.postMessage', JSON.stringify({ channel: 'C1', text: 'hi' }), {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Bearer ${double.botToken}`,
    });
    expect(await json.json()).toEqual(expect.objectContaining({ ok: true, channel: 'C1' }));
    const form = await call(
      'chat.postMessage',
      new URLSearchParams({ channel: 'C1', text: 'yo', token: double.botToken }).toString(),
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
    );
    expect((await form.json()) as { ok: boolean }).toEqual(expect.objectContaining({ ok: true }));
    expect(double.messages('C1').map((m) => m.text)).toEqual(['hi', 'yo']);
    expect(await (await call('auth.test', '', {})).json()).toEqual({ ok: false, error: 'not_authed' });
    expect(await (await call('auth.test', '', { authorization: 'Bearer xoxb-nope' })).json()).toEqual({
      ok: false,
      error: 'invalid_auth',
    });
    expect(
      await (await call('apps.connections.open', '', { authorization: `Bearer ${double.botToken}` })).json(),
    ).toEqual({ ok: false, error: 'invalid_auth' });
    expect(double.calls.every((c) => !('token' in c.params))).toBe(true);
  });

  it('fails on request: ratelimited is a 429 with Retry-After, others an error body, then it recovers', async () => {
    double.failNext('chat.postMessage', 'ratelimited', { retryAfterSeconds: 7 });
    double.failNext('chat.update', 'invalid_auth');
    const auth = { authorization: `Bearer ${double.botToken}`, 'content-type': 'application/json' };
    const limited = await call('chat.postMessage', JSON.stringify({ channel: 'C1', text: 'x' }), auth);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await call('chat.postMessage', JSON.stringify({ channel: 'C1', text: 'x' }), auth)).status).toBe(
      200,
    );
    expect(
      await (await call('chat.update', JSON.stringify({ channel: 'C1', ts: '1' }), auth)).json(),
    ).toEqual({ ok: false, error: 'invalid_auth' });
  });

  it('refuses blocks Slack would refuse', async () => {
    const auth = { authorization: `Bearer ${double.botToken}`, 'content-type': 'application/json' };
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const res = await call('chat.postMessage', JSON.stringify({ channel: 'C1', blocks }), auth);
    expect(await res.json()).toEqual(expect.objectContaining({ ok: false, error: 'invalid_blocks' }));
  });

  it('says hello on Socket Mode and records an envelope that is not acked in time', async () => {
    const open = (await (
      await call('apps.connections.open', '', { authorization: `Bearer ${double.appToken}` })
    ).json()) as { url: string };
    expect(open.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket-mode/);
    const ws = new WebSocket(open.url);
    const first = await new Promise<{ type: string }>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(String(d)) as { type: string })),
    );
    expect(first.type).toBe('hello');
    const envelope = new Promise<{ envelope_id: string; type: string; payload: { text: string } }>(
      (resolve) =>
        ws.once('message', (d) =>
          resolve(JSON.parse(String(d)) as { envelope_id: string; type: string; payload: { text: string } }),
        ),
    );
    const sent = double.sendSlashCommand({ text: 'help' });
    const env = await envelope;
    expect(env.type).toBe('slash_commands');
    expect(env.payload.text).toBe('help');
    const result = await sent; // never acked
    expect(result.delivery.acked).toBe(false);
    expect(double.ackTimeouts).toEqual([env.envelope_id]);
    ws.close();
  });
});
