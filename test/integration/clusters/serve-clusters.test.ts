/**
 * `meshbot serve` with a `clusters:` config, end to end: the real serve path (runServe: config
 * file, the pool built from `clusters:`, the real Bolt app over the Slack double) against a
 * two-cluster sandbox (east and west, each with its own address ranges, so an address says
 * which cluster answered). Proves that `--cluster west` is answered by west, that a channel's
 * default cluster applies, that each cluster's own authorization judges its commands, and that
 * west taken down (the sandbox admin's POST /down) is named by /readyz (still 200) while east
 * keeps answering.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServe } from '../../../src/cli/commands/serve.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';
import { startSandboxClusters, type RunningClusters } from '../../support/start-sandbox-clusters.js';

const OPS = 'C0OPS';
const WEST = 'C0WEST';
const USER = 'U0ONCALL';
const json = (x: unknown): string => JSON.stringify(x);

describe('serve with a clusters: config', () => {
  let sb: RunningClusters;
  let slack: SlackDouble;
  let dir: string;
  let port: number;
  let stop: (reason: string) => void = () => undefined;
  let served: Promise<number> | undefined;

  beforeAll(async () => {
    [sb, slack] = await Promise.all([startSandboxClusters(['east', 'west']), startSlackDouble()]);
    dir = await mkdtemp(join(tmpdir(), 'meshbot-serve-clusters-'));
    const cluster = (name: string, channels: string[]): string[] => [
      `  - name: ${name}`,
      `    kubeconfig: ${sb.kubeconfig}`,
      `    context: ${name}`,
      `    destination: '${sb.cluster(name).destination}'`,
      '    authorization:',
      `      channels: [${channels.map((c) => `{ id: ${c} }`).join(', ')}]`,
      `      mutators: { users: [${USER}] }`,
    ];
    await writeFile(
      join(dir, 'config.yaml'),
      [
        'progressAfterSeconds: 0.1',
        'rateLimit: { commands: 1000, perSeconds: 60 }',
        'authorization:',
        '  channels:',
        `    - { id: ${OPS} }`,
        `    - { id: ${WEST}, defaultCluster: west }`,
        'clusters:',
        // East answers in the ops channel only; west in both.
        ...cluster('east', [OPS]),
        ...cluster('west', [OPS, WEST]),
        '',
      ].join('\n'),
    );
    const stopped = new Promise<string>((r) => (stop = r));
    let started: (p: number) => void = () => undefined;
    const up = new Promise<number>((r) => (started = r));
    served = runServe(
      {},
      {
        stderr: process.stderr,
        env: {
          SLACK_BOT_TOKEN: slack.botToken,
          SLACK_APP_TOKEN: slack.appToken,
          SLACK_API_URL: slack.apiUrl,
          PORT: '0',
          LOG_LEVEL: 'silent',
          MESHBOT_CONFIG: join(dir, 'config.yaml'),
        },
        untilStopped: () => stopped,
        onStarted: (info) => started(info.port),
      },
    );
    // serve exits (code 2 or 3) instead of starting when something is wrong: fail fast then.
    port = await Promise.race([
      up,
      served.then((code) => {
        throw new Error(`serve exited with ${code} before it started`);
      }),
    ]);
  });

  afterAll(async () => {
    stop('test');
    if (served) expect(await served).toBe(0);
    await Promise.all([sb?.stop(), slack?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function run(text: string, channelId = OPS) {
    const sent = await slack.sendSlashCommand({ text, userId: USER, channelId });
    return slack.waitForThread(sent.triggerId, 30_000);
  }

  /** The pod addresses (10.N.x.x) a thread's replies show. */
  const podAddresses = (blocks: unknown): string[] => json(blocks).match(/\b10\.\d+\.\d+\.\d+\b/g) ?? [];

  it('answers --cluster west from west', async () => {
    const t = await run('endpoints web-svc.emojivoto --cluster west');
    expect(t.parent.metadata?.event_payload.command).toBe('endpoints web-svc.emojivoto --cluster west');
    expect(t.parent.metadata?.event_payload.status).toBe('pass');
    const replies = t.replies.map((r) => r.blocks);
    expect(json(replies)).toContain('[cluster west]');
    // West's pods are in 10.2.0.0/16, east's in 10.1.0.0/16 (cluster-networks.ts).
    const addresses = podAddresses(replies);
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.every((a) => a.startsWith('10.2.'))).toBe(true);

    const e = await run('endpoints web-svc.emojivoto --cluster east');
    expect(podAddresses(e.replies.map((r) => r.blocks)).every((a) => a.startsWith('10.1.'))).toBe(true);
  });

  it("runs on the channel's default cluster, judged by that cluster's own authorization", async () => {
    const t = await run('endpoints web-svc.emojivoto', WEST);
    expect(t.parent.metadata?.event_payload.command).toBe('endpoints web-svc.emojivoto --cluster west');
    expect(json(t.replies.map((r) => r.blocks))).toContain('[cluster west]');
    expect(podAddresses(t.replies.map((r) => r.blocks)).every((a) => a.startsWith('10.2.'))).toBe(true);

    // East's own rules do not answer in the west channel.
    const sent = await slack.sendSlashCommand({
      text: 'endpoints web-svc.emojivoto --cluster east',
      userId: USER,
      channelId: WEST,
    });
    const [refused] = await slack.waitForEphemeral(sent.triggerId);
    expect(refused!.text).toMatch(/channel/i);
    expect(slack.messages(WEST).some((m) => m.metadata?.event_payload.trigger_id === sent.triggerId)).toBe(
      false,
    );
  });

  it('names west in /readyz (still 200) once west is down, and east keeps answering', async () => {
    const down = await fetch(`${sb.cluster('west').admin}/down`, { method: 'POST' });
    expect(down.status).toBe(200);
    try {
      const w = await run('endpoints web-svc.emojivoto --cluster west');
      expect(w.parent.metadata?.event_payload.status).toBe('error');
      expect(json([w.parent.blocks, w.replies.map((r) => r.blocks)])).toMatch(/west/);

      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      const body = await ready.text();
      expect(body).toContain('unreachable clusters: west');
      expect(body).not.toMatch(/east/);

      const e = await run('endpoints web-svc.emojivoto --cluster east');
      expect(e.parent.metadata?.event_payload.status).toBe('pass');
      expect(json(e.replies.map((r) => r.blocks))).toContain('[cluster east]');
    } finally {
      await fetch(`${sb.cluster('west').admin}/up`, { method: 'POST' });
    }
    // Back up: the next command is answered (the pooled destination channel does not wait out
    // grpc's reconnect backoff) and clears it.
    const again = await run('endpoints web-svc.emojivoto --cluster west');
    expect(again.parent.metadata?.event_payload.status).toBe('pass');
    expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).text()).not.toMatch(/west/);
  });
});
