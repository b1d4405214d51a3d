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
import { performance } from 'node:perf_hooks';
import { runServe } from '../../../src/cli/commands/serve.js';
import { replacePod } from '../../../src/demo/replace-pod.js';
import { ensureServiceAccount } from '../../../src/sandbox/kube/service-account-kubeconfig.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';
import { serveEnv } from '../../support/serve-env.js';
import { startSandboxClusters, type RunningClusters } from '../../support/start-sandbox-clusters.js';

const OPS = 'C0OPS';
const WEST = 'C0WEST';
const USER = 'U0ONCALL';
const REPORTS = 'C0FLEET';
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
    // meshbot's namespace, where the report's Lease and state live (in the first cluster).
    ensureServiceAccount(sb.cluster('east').store, 'meshbot', 'meshbot');
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
        // A report over both clusters, run by hand (its schedule is once a year): each cluster's
        // sweep may take 3 s at most.
        'reports:',
        '  - name: fleet',
        "    schedule: '0 0 1 1 *'",
        `    channel: ${REPORTS}`,
        '    clusters: all',
        '    clusterConcurrency: 2',
        '    sweepTimeout: 3s',
        '    scope: { namespaces: [emojivoto] }',
        '    checks: [endpoints]',
        '    persistence: 200ms',
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
        env: serveEnv(slack, {
          MESHBOT_CONFIG: join(dir, 'config.yaml'),
          POD_NAME: 'meshbot-test',
          POD_NAMESPACE: 'meshbot',
        }),
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

  it("reports over both clusters at once: west hanging is named after its sweepTimeout, east's part is whole", async () => {
    // East: web-svc's pod replaced while its destination is frozen (stale in east).
    const east = sb.cluster('east');
    await fetch(`${east.admin}/faults`, {
      method: 'POST',
      body: JSON.stringify({ type: 'freeze', service: 'web-svc.emojivoto' }),
    });
    const { oldIp } = await replacePod(east.store, {
      namespace: 'emojivoto',
      service: 'web-svc',
      podSelector: 'app=web-svc',
    });
    // West hangs: connections accepted, never answered (each request waits its own 10 s).
    await sb.down('west', 'silent');
    try {
      const t0 = performance.now();
      const sent = await slack.sendSlashCommand({ text: 'report run fleet', userId: USER, channelId: OPS });
      const asked = await slack.waitForThread(sent.triggerId, 30_000);
      const posted = await slack.waitFor(
        () => slack.messages(REPORTS).find((m) => !m.thread_ts),
        30_000,
        'the run message',
      );
      const elapsedMs = performance.now() - t0;
      // West's 3 s, east's sweep alongside (not after), and the posting: well within west's 10 s.
      expect(elapsedMs).toBeLessThan(8_000);
      const lines = posted.text.split('\n');
      const eastLine = lines.findIndex((l) => /\[east\] web-svc\.emojivoto/.test(l));
      const westLine = lines.findIndex((l) => /\[west\]/.test(l));
      expect(eastLine).toBeGreaterThan(-1);
      expect(westLine).toBeGreaterThan(eastLine);
      expect(lines[westLine]).toMatch(/sweep-could-not-ask\W+\[west\] whole cluster/);
      expect(posted.text).toMatch(/east: .* west: not swept: the sweep did not finish within 3s\./);
      const details = json(slack.thread(REPORTS, posted.ts).replies.map((r) => r.blocks));
      expect(details).toContain(oldIp);
      expect(details).toContain('could not sweep cluster west: the sweep did not finish within 3s');
      // The thread it was asked in gets the same result.
      expect(json([asked.parent.blocks, asked.replies.map((r) => r.blocks)])).toMatch(/west: not swept/);
      // And Prometheus can alert on it.
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^meshbot_sweep_failures_total\{cluster="west",reason="timeout"\} 1$/m);
      expect(metrics).not.toMatch(/meshbot_sweep_failures_total\{cluster="east"/);
    } finally {
      await sb.up('west');
      await fetch(`${east.admin}/faults`, { method: 'DELETE' });
    }
  });
});
