import { startBotWithDouble, type BotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import { fakeExecutor } from './fake-executor.js';

describe('Slack app in Socket Mode against the Slack double', () => {
  let env: BotWithDouble;
  const exec = fakeExecutor();

  beforeAll(async () => {
    env = await startBotWithDouble({ mode: 'socket', execute: exec });
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
    expect(thread.replies.length).toBe(2);
    for (const r of thread.replies) expect(r.thread_ts).toBe(thread.parent.ts);
    const posts = env.double.callsOf('chat.postMessage');
    expect(posts.filter((c) => c.params.thread_ts === thread.parent.ts)).toHaveLength(2);
    expect(env.double.callsOf('chat.update').length).toBeGreaterThanOrEqual(1);
    expect(exec.ran[0]).toEqual({
      name: 'endpoints',
      target: { service: 'web-svc', namespace: 'emojivoto' },
    });
  });
});
