/**
 * meshbot's /metrics counts Slack Web API errors by method and code, and rate-limit retries by
 * method, from every WebClient Bolt makes (the app's own and the handlers'): the Slack double
 * answers one chat.postMessage with 429 and Retry-After, and refuses another as not_in_channel.
 */
import { createMeshbotMetrics } from '../../../src/metrics/meshbot-metrics.js';
import { startBotWithDouble, type BotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import { slackMethodOf } from '../../../src/slack/count-slack-calls.js';
import { fakeExecutor } from './fake-executor.js';

describe('Slack API errors and rate-limit retries in meshbot metrics', () => {
  let env: BotWithDouble;
  const metrics = createMeshbotMetrics({ processMetrics: false });

  beforeAll(async () => {
    env = await startBotWithDouble({
      mode: 'socket',
      execute: fakeExecutor(),
      slackCalls: {
        error: (method, code) => metrics.slackErrors.inc({ method, code }),
        rateLimited: (method) => metrics.slackRateLimited.inc({ method }),
      },
    });
  });
  afterAll(async () => {
    await env?.stop();
  });

  const sample = async (name: string, labels: string): Promise<number | undefined> => {
    const text = await metrics.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  it('counts a 429 that WebClient waits out and retries, and the error codes Slack answers', async () => {
    env.double.failNext('chat.postMessage', 'ratelimited', { retryAfterSeconds: 1, channel: 'C0LIMITED' });
    const sent = await env.double.sendSlashCommand({
      text: 'endpoints web-svc.emojivoto',
      channelId: 'C0LIMITED',
    });
    // The thread is posted after the retry: the 429 was waited out, not an error to the person.
    const thread = await env.double.waitForThread(sent.triggerId);
    expect(thread.parent.text).toMatch(/endpoints web-svc\.emojivoto/);
    const limited = env.double.callsOf('chat.postMessage').filter((c) => c.status === 429);
    expect(limited).toHaveLength(1);
    expect(await sample('meshbot_slack_api_rate_limit_retries_total', 'method="chat.postMessage"')).toBe(1);
    expect(
      await sample('meshbot_slack_api_errors_total', 'method="chat.postMessage",code="ratelimited"'),
    ).toBe(undefined);

    env.double.leaveChannel('C0OUTSIDE');
    const outside = await env.double.sendSlashCommand({
      text: 'endpoints web-svc.emojivoto',
      channelId: 'C0OUTSIDE',
    });
    await env.double.waitForEphemeral(outside.triggerId);
    expect(
      await sample('meshbot_slack_api_errors_total', 'method="chat.postMessage",code="not_in_channel"'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('names the method from the Web API URL', () => {
    expect(slackMethodOf('https://slack.com/api/chat.postMessage')).toBe('chat.postMessage');
    expect(slackMethodOf('http://127.0.0.1:4000/api/conversations.history?x=1')).toBe(
      'conversations.history',
    );
    expect(slackMethodOf(undefined)).toBe('unknown');
  });
});
