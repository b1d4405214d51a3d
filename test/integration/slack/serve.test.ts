import { runServe } from '../../../src/cli/commands/serve.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';

describe('meshbot serve', () => {
  let double: SlackDouble;
  beforeAll(async () => {
    double = await startSlackDouble();
  });
  afterAll(async () => {
    await double.close();
  });

  it('exits 2 with one message listing every configuration problem', async () => {
    let err = '';
    const code = await runServe(
      {},
      { stderr: { write: (t: string) => (err += t) }, env: { PORT: 'x' }, untilStopped: async () => 'test' },
    );
    expect(code).toBe(2);
    expect(err).toContain('SLACK_BOT_TOKEN');
    expect(err).toContain('PORT');
    expect(err).toContain('SLACK_SIGNING_SECRET');
  });

  it('exits 2 naming a token Slack refuses, without printing it', async () => {
    let err = '';
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-wrong-token',
      SLACK_APP_TOKEN: double.appToken,
      SLACK_API_URL: double.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'silent',
    };
    const code = await runServe(
      {},
      { stderr: { write: (t: string) => (err += t) }, env, untilStopped: async () => 'test' },
    );
    expect(code).toBe(2);
    expect(err).toContain('Slack refused the token (invalid_auth)');
    expect(err).not.toContain('xoxb-wrong-token');
  });

  it('serves in Socket Mode with probes until stopped', async () => {
    let stop: (r: string) => void = () => undefined;
    const stopped = new Promise<string>((r) => (stop = r));
    let started: (info: { port: number; mode: string }) => void = () => undefined;
    const up = new Promise<{ port: number; mode: string }>((r) => (started = r));
    const env = {
      SLACK_BOT_TOKEN: double.botToken,
      SLACK_APP_TOKEN: double.appToken,
      SLACK_API_URL: double.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'silent',
    };
    const done = runServe(
      { destination: '127.0.0.1:1' },
      { stderr: process.stderr, env, untilStopped: () => stopped, onStarted: started },
    );
    const { port, mode } = await up;
    expect(mode).toBe('socket');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const help = await double.sendSlashCommand({ text: 'help' });
    expect(help.delivery.acked).toBe(true);
    await double.waitForEphemeral(help.triggerId);
    stop('test');
    expect(await done).toBe(0);
  });
});
