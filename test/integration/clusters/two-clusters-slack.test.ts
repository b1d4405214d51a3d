/**
 * Two clusters from one Slack app: two independent in-process sandboxes (`east` runs
 * emojivoto-stale, `west` emojivoto: the same service names in both), the real Bolt app over
 * the Slack double, a pool built from a `clusters:` config. The same service is stale in east
 * only and is reported for the right cluster; a channel whose default is west acts on west; a
 * command with two clusters and no default gets the picker; an unknown name a did-you-mean; a
 * scale test confirmed from a thread started on east scales in east only; proxy-log-level with
 * --cluster west raises and Stop (by west's own mutator) restores west only (the default, east,
 * does not win); log-level recovery watches both clusters and puts back west's; west down: east keeps
 * answering and /readyz names west.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configuredClusterPool } from '../../../src/adapters/configured-clusters.js';
import type { AdapterPool } from '../../../src/adapters/adapter-pool.js';
import { replacePod } from '../../../src/demo/replace-pod.js';
import { startBotWithDouble, type BotWithDouble } from '../../../src/sandbox/slack/start-bot-with-double.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { createClusterExecutor } from '../../../src/slack/command-executor.js';
import {
  createLogLevelRunner,
  type LogLevelRunner,
} from '../../../src/slack/proxy-log-level/log-level-runner.js';
import { createClusterScaleTestRunner } from '../../../src/slack/scale-test-runner.js';
import {
  createClusterReachability,
  unreachableNote,
  type ClusterReachability,
} from '../../../src/steps/clusters/cluster-reachability.js';
import { runCommand } from '../../../src/steps/run-command.js';
import {
  decodeRecord,
  encodeRecord,
  LOG_LEVEL_ANNOTATION,
} from '../../../src/steps/proxy-log-level/log-level-record.js';
import { webApi } from '@slack/bolt';
import { createWorkloadWatches } from '../../../src/adapters/workload-watches.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { startLogLevelRecovery } from '../../../src/slack/proxy-log-level/recover-log-levels-at-start.js';
import { loadRunbooks } from '../../../src/runbooks/load-runbooks.js';
import { createClusterRunbooks } from '../../../src/slack/runbook/cluster-runbooks.js';
import { DEPLOYMENTS, waitForObjects } from '../endpoints/endpoints-sandbox.js';
import { FAST } from '../scale-test/scale-test-sandbox.js';
import { runningPods } from '../proxy-logs/proxy-logs-sandbox.js';

const OPS = 'C0OPS';
const WEST = 'C0WEST';
const json = (x: unknown): string => JSON.stringify(x);

interface Button {
  action_id: string;
  value: string;
}

function buttonsOf(m: { blocks?: unknown }): Button[] {
  return ((m.blocks ?? []) as Array<{ type: string; elements?: Button[] }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
}

describe('two clusters from one Slack app', () => {
  let east: RunningSandbox;
  let west: RunningSandbox;
  let pool: AdapterPool;
  let reachability: ClusterReachability;
  let rig: BotWithDouble;
  let logLevels: LogLevelRunner;
  let eastOldIp: string;

  const dir = mkdtempSync(join(tmpdir(), 'meshbot-clusters-'));

  beforeAll(async () => {
    [east, west] = await Promise.all([
      startSandbox({ scenario: 'emojivoto-stale', podReadyDelayMs: 0, kubeconfigOut: join(dir, 'east') }),
      // West's kubeconfig outlives its sandbox: "down" is an API server that stopped answering.
      startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0, kubeconfigOut: join(dir, 'west') }),
    ]);
    const clusters = [
      { name: 'east', kubeconfig: east.kubeconfig, destination: east.destination },
      { name: 'west', kubeconfig: west.kubeconfig, destination: west.destination },
    ];
    const config = {
      progressAfterSeconds: 0.1,
      // Every test asks as U0ADMIN: no rate limit in the way.
      rateLimit: { commands: 1000, perSeconds: 60 },
      // West has its own authorization: the top level's plus west's on-call (U0WESTONCALL).
      clusters: clusters.map((c) =>
        c.name === 'west'
          ? {
              ...c,
              authorization: {
                channels: [{ id: OPS }, { id: WEST }],
                mutators: { users: ['U0ADMIN', 'U0WESTONCALL'] },
              },
            }
          : c,
      ),
      authorization: {
        channels: [{ id: OPS }, { id: WEST, defaultCluster: 'west' }],
        mutators: { users: ['U0ADMIN'] },
      },
    };
    pool = configuredClusterPool(
      clusters.map((c) => ({
        ...c,
        inCluster: false,
        prometheusPortForward: false,
        controlPlaneNamespace: 'linkerd',
        clusterDomain: 'cluster.local',
      })),
      { timeoutMs: 5000 },
    );
    reachability = createClusterReachability(pool, { timeoutMs: 3000 });
    const executor = createClusterExecutor({ pool, runCommand, reachability });
    logLevels = createLogLevelRunner({ pool, settings: { heartbeatMs: 200 } });
    rig = await startBotWithDouble({
      mode: 'socket',
      execute: executor.execute,
      config,
      scaleTests: createClusterScaleTestRunner({ pool, settings: FAST }),
      // As serve wires it: the pool's first cluster is the default, --cluster must win over it.
      logLevels,
      logLevelCluster: 'east',
      runbooks: createClusterRunbooks({
        catalog: loadRunbooks(),
        pool,
        buttonTtlMs: 3600_000,
        settings: { scaleTest: FAST, restartTimeoutMs: 20_000 },
      }),
      readinessNotes: () => unreachableNote(reachability),
      retryConfig: { retries: 0 },
    });
    // The same pod replaced in both clusters; only east's destination is frozen (stale).
    eastOldIp = (
      await replacePod(east.store, { namespace: 'emojivoto', service: 'web-svc', podSelector: 'app=web-svc' })
    ).oldIp;
    await replacePod(west.store, { namespace: 'emojivoto', service: 'web-svc', podSelector: 'app=web-svc' });
  });
  afterAll(async () => {
    await rig?.stop();
    await logLevels?.close();
    await reachability?.stop();
    await pool?.close();
    await east?.stop();
    await west?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(text: string, channelId = OPS) {
    const sent = await rig.double.sendSlashCommand({ text, userId: 'U0ADMIN', channelId });
    return rig.double.waitForThread(sent.triggerId, 30_000);
  }

  it('reports the same service stale in east only, each result naming its cluster', async () => {
    const e = await run('endpoints web-svc.emojivoto --cluster east');
    expect(e.parent.metadata?.event_payload.status).toBe('fail');
    expect(e.parent.metadata?.event_payload.command).toBe('endpoints web-svc.emojivoto --cluster east');
    expect(json(e.parent.blocks)).toContain('--cluster east');
    expect(json(e.replies[0]!.blocks)).toContain('[cluster east]');
    expect(json(e.replies[0]!.blocks)).toContain(`${eastOldIp}:8080`);
    // Run again carries the cluster.
    const rerun = buttonsOf(e.replies[0]!).find((b) => JSON.parse(b.value).origin === 'rerun');
    expect(JSON.parse(rerun!.value)).toMatchObject({ cluster: 'east' });

    const w = await run('endpoints web-svc.emojivoto --cluster west');
    expect(w.parent.metadata?.event_payload.status).toBe('pass');
    expect(json(w.replies[0]!.blocks)).toContain('[cluster west]');
    expect(json(w.replies[0]!.blocks)).not.toContain(eastOldIp);
  });

  it('acts on west in a channel whose default cluster is west', async () => {
    const t = await run('endpoints web-svc.emojivoto', WEST);
    expect(t.parent.metadata?.event_payload.command).toBe('endpoints web-svc.emojivoto --cluster west');
    expect(t.parent.metadata?.event_payload.status).toBe('pass');
    expect(json(t.replies[0]!.blocks)).toContain('[cluster west]');
  });

  it('answers an unknown cluster name with a did-you-mean', async () => {
    const sent = await rig.double.sendSlashCommand({
      text: 'endpoints web-svc.emojivoto --cluster eats',
      userId: 'U0ADMIN',
      channelId: OPS,
    });
    const [answer] = await rig.double.waitForEphemeral(sent.triggerId);
    expect(answer!.text).toMatch(/unknown cluster "eats"; did you mean "east"\?/);
    expect(answer!.text).toMatch(/Clusters: east, west/);
  });

  it('asks with a button per cluster when two could run it and none is chosen; the click runs there', async () => {
    const sent = await rig.double.sendSlashCommand({
      text: 'endpoints web-svc.emojivoto',
      userId: 'U0ADMIN',
      channelId: OPS,
    });
    const [picker] = await rig.double.waitForEphemeral(sent.triggerId);
    const buttons = buttonsOf(picker!);
    expect(buttons.map((b) => (JSON.parse(b.value) as { cluster: string }).cluster)).toEqual([
      'east',
      'west',
    ]);
    expect(
      rig.double.messages(OPS).some((m) => m.metadata?.event_payload.trigger_id === sent.triggerId),
    ).toBe(false);
    const pickEast = buttons[0]!;
    const click = await rig.double.sendBlockAction({
      actionId: pickEast.action_id,
      value: pickEast.value,
      userId: 'U0ADMIN',
      channelId: OPS,
    });
    const t = await rig.double.waitForThread(click.triggerId, 30_000);
    expect(t.parent.metadata?.event_payload.status).toBe('fail');
    expect(json(t.replies[0]!.blocks)).toContain('[cluster east]');
  });

  it('scales in east when the confirmation asked on east is clicked; west is untouched', async () => {
    const westBefore = west.store.get(DEPLOYMENTS, 'emojivoto', 'emoji')!.metadata.resourceVersion;
    const sent = await rig.double.sendSlashCommand({
      text: 'scale-test deploy/emoji.emojivoto --cluster east',
      userId: 'U0ADMIN',
      channelId: OPS,
    });
    const thread = await rig.double.waitForThread(sent.triggerId, 30_000);
    const confirmation = await rig.double.waitFor(
      () => rig.double.thread(OPS, thread.parent.ts).replies.find((m) => buttonsOf(m).length === 2),
      10_000,
      'the confirmation',
    );
    const confirm = buttonsOf(confirmation)[0]!;
    expect(JSON.parse(confirm.value)).toMatchObject({ op: 'confirm', cluster: 'east' });
    const eastSeen: number[] = [];
    const unwatch = east.store.watch(DEPLOYMENTS, { namespace: 'emojivoto' }, (e) => {
      if (e.object.metadata.name === 'emoji')
        eastSeen.push((e.object['spec'] as { replicas: number }).replicas);
    });
    try {
      await rig.double.sendBlockAction({
        actionId: confirm.action_id,
        value: confirm.value,
        userId: 'U0ADMIN',
        channelId: OPS,
        messageTs: confirmation.ts,
      });
      const done = await rig.double.waitFor(
        () => {
          const p = rig.double.thread(OPS, thread.parent.ts).parent;
          const s = String(p.metadata?.event_payload.status ?? '');
          return s !== '' && !['awaiting-confirmation', 'running'].includes(s) ? p : undefined;
        },
        60_000,
        'the finished scale test',
      );
      expect(done.metadata?.event_payload.command).toBe('scale-test deploy/emoji.emojivoto --cluster east');
    } finally {
      unwatch();
    }
    expect(eastSeen).toContain(2);
    const replies = rig.double.thread(OPS, thread.parent.ts).replies;
    expect(json(replies.map((r) => r.blocks))).toContain('[cluster east]');
    expect(west.store.get(DEPLOYMENTS, 'emojivoto', 'emoji')!.metadata.resourceVersion).toBe(westBefore);

    // A confirmation from before clusters names none: with two clusters it is refused, not guessed.
    const { cluster: _dropped, ...old } = JSON.parse(confirm.value) as Record<string, unknown>;
    const click = await rig.double.sendBlockAction({
      actionId: confirm.action_id,
      value: JSON.stringify({ ...old, nonce: 'feedfacefeedface' }),
      userId: 'U0ADMIN',
      channelId: OPS,
      messageTs: confirmation.ts,
    });
    const [answer] = await rig.double.waitForEphemeral(click.triggerId);
    expect(answer!.text).toMatch(/does not say which cluster it is for, and meshbot serves several/);
    expect(west.store.get(DEPLOYMENTS, 'emojivoto', 'emoji')!.metadata.resourceVersion).toBe(westBefore);
  });

  /** The runbook parent a command started, once it rests (a decision) or ends. */
  async function runbookParent(triggerChannel: string, before: number) {
    return rig.double.waitFor(
      () => {
        const m = rig.double
          .messages(triggerChannel)
          .slice(before)
          .find((x) => x.metadata?.event_type === 'meshbot_runbook' && !x.thread_ts);
        const status = String(m?.metadata?.event_payload.status ?? '');
        return m && status !== 'running' ? m : undefined;
      },
      60_000,
      'the runbook parent',
    );
  }

  it('binds a runbook to the cluster it started on: steps and decision buttons on east', async () => {
    const before = rig.double.messages(OPS).length;
    await rig.double.sendSlashCommand({
      text: 'runbook stale-endpoints web-svc.emojivoto --cluster east',
      userId: 'U0ADMIN',
      channelId: OPS,
    });
    const parent = await runbookParent(OPS, before);
    expect(parent.metadata?.event_payload.cluster).toBe('east');
    expect(json(parent.blocks)).toContain('cluster east');
    // It rests at the scale test's decision, whose buttons carry east.
    const decision = await rig.double.waitFor(
      () =>
        rig.double
          .thread(OPS, parent.ts)
          .replies.flatMap((r) => buttonsOf(r))
          .find((b) => b.action_id.startsWith('meshbot_runbook_')),
      60_000,
      'a decision button',
    );
    expect(JSON.parse(decision.value)).toMatchObject({ c: 'east', s: 'scale-test' });
    // The endpoints step found east's stale address, and said it ran on east.
    const replies = json(rig.double.thread(OPS, parent.ts).replies.map((r) => r.blocks));
    expect(replies).toContain('endpoints web-svc.emojivoto [cluster east]');
    expect(replies).toContain(`${eastOldIp}:8080`);
  });

  it("starts a runbook on the channel's default cluster (west: nothing stale, it stops)", async () => {
    const before = rig.double.messages(WEST).length;
    await rig.double.sendSlashCommand({
      text: 'runbook stale-endpoints web-svc.emojivoto',
      userId: 'U0ADMIN',
      channelId: WEST,
    });
    const parent = await runbookParent(WEST, before);
    expect(parent.metadata?.event_payload.cluster).toBe('west');
    expect(json(rig.double.thread(WEST, parent.ts).replies.map((r) => r.blocks))).toContain('[cluster west]');
    expect(json(parent.blocks)).toContain('cluster west');
    expect(json(rig.double.thread(WEST, parent.ts).replies.map((r) => r.blocks))).toContain(
      'endpoints web-svc.emojivoto [cluster west]',
    );
  });

  it('/mesh clusters lists every cluster with its reachability, Kubernetes and Linkerd versions', async () => {
    const t = await run('clusters');
    expect(t.parent.metadata?.event_payload.status).toBe('pass');
    const text = json(t.replies.map((r) => r.blocks));
    expect(text).toMatch(/east\s+yes\s+v1\.\S+\s+stable-2\.14\.10/);
    expect(text).toMatch(/west\s+yes\s+v1\./);
  });

  it('changes proxy log levels on west when asked with --cluster west; east untouched; Stop puts west back', async () => {
    const levels = async (cluster: 'east' | 'west'): Promise<string[]> => {
      const adapters = await pool.get(cluster);
      const sb = cluster === 'east' ? east : west;
      return Promise.all(
        runningPods(sb.store, 'web-svc').map((p) => adapters.proxyAdmin.getLogLevel('emojivoto', p)),
      );
    };
    const eastBefore = await levels('east');
    const westBefore = await levels('west');
    expect(westBefore.length).toBeGreaterThan(0);
    expect(westBefore).not.toContain('debug');

    const thread = await run('proxy-log-level deploy/web.emojivoto debug --for 30s --cluster west');
    const replies = () => rig.double.thread(OPS, thread.parent.ts).replies;
    const confirmation = await rig.double.waitFor(
      () => replies().find((m) => buttonsOf(m).length === 2),
      10_000,
      'the confirmation',
    );
    expect(json(confirmation.blocks)).toMatch(/\bwest\b/);
    expect(json(confirmation.blocks)).not.toMatch(/\beast\b/);
    const confirm = buttonsOf(confirmation)[0]!;
    expect(JSON.parse(confirm.value)).toMatchObject({ op: 'confirm', cluster: 'west' });

    await rig.double.sendBlockAction({
      actionId: confirm.action_id,
      value: confirm.value,
      userId: 'U0ADMIN',
      channelId: OPS,
      messageTs: confirmation.ts,
    });
    const raised = await rig.double.waitFor(
      () => replies().find((m) => buttonsOf(m).some((b) => b.action_id === 'meshbot_log_level_stop')),
      20_000,
      'the Stop button',
    );
    expect(await levels('west')).toEqual(westBefore.map(() => 'debug'));
    expect(await levels('east')).toEqual(eastBefore);
    const annotation = (sb: RunningSandbox): string | undefined =>
      sb.store.get(DEPLOYMENTS, 'emojivoto', 'web')!.metadata.annotations?.[LOG_LEVEL_ANNOTATION];
    expect(decodeRecord(annotation(west))).toMatchObject({ level: 'debug', cluster: 'west' });
    expect(annotation(east)).toBeUndefined();

    const stop = buttonsOf(raised).find((b) => b.action_id === 'meshbot_log_level_stop')!;
    expect(JSON.parse(stop.value)).toMatchObject({ op: 'stop', cluster: 'west' });
    // Stop is authorized by west's authorization: west's on-call may, though the top level has
    // no such mutator.
    await rig.double.sendBlockAction({
      actionId: stop.action_id,
      value: stop.value,
      userId: 'U0WESTONCALL',
      channelId: OPS,
      messageTs: raised.ts,
    });
    await rig.double.waitFor(
      () => replies().find((m) => /put back \(it was stopped\)/.test(m.text ?? '')),
      20_000,
      'the result',
    );
    expect(await levels('west')).toEqual(westBefore);
    expect(await levels('east')).toEqual(eastBefore);
  });

  it("recovery watches every cluster: a record west's dead holder left is put back from west's watch", async () => {
    const watches = createWorkloadWatches(pool, () => undefined);
    const told: string[] = [];
    const recovery = startLogLevelRecovery({
      runner: createLogLevelRunner({ pool, watches }),
      client: new webApi.WebClient(),
      logger: createLogger({ level: 'warn', destination: { write: (line) => void told.push(line) } }),
    });
    try {
      const adapters = await pool.get('west');
      const pods = runningPods(west.store, 'web-svc');
      let had = false;
      const gone = waitForObjects(west.store, DEPLOYMENTS, { namespace: 'emojivoto' }, (ds) => {
        const web = ds.find((d) => d.metadata.name === 'web');
        if (web?.metadata.annotations?.[LOG_LEVEL_ANNOTATION] !== undefined) had = true;
        else if (had) return true;
        return undefined;
      });
      for (const pod of pods) await adapters.proxyAdmin.setLogLevel('emojivoto', pod, 'trace');
      const now = new Date();
      // What a replica that died holding a change on west leaves: its beat stops now.
      await adapters.scaling.setAnnotation(
        { kind: 'deployment', name: 'web', namespace: 'emojivoto' },
        LOG_LEVEL_ANNOTATION,
        encodeRecord({
          v: 1,
          id: 'westdead',
          cluster: 'west',
          level: 'trace',
          pods: pods.map((pod) => ({ pod, original: 'linkerd=info,hickory=error,warn' })),
          requestedBy: 'U0ADMIN',
          holder: 'replica-b/7',
          startedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + 600_000).toISOString(),
          heartbeatAt: now.toISOString(),
          heartbeatMs: 500,
        }),
      );
      await gone;
      const back = await Promise.all(pods.map((p) => adapters.proxyAdmin.getLogLevel('emojivoto', p)));
      expect(back).toEqual(pods.map(() => 'linkerd=info,hickory=error,warn'));
      expect(told.join('')).toContain('held by replica-b/7');
      expect(
        east.store.get(DEPLOYMENTS, 'emojivoto', 'web')!.metadata.annotations?.[LOG_LEVEL_ANNOTATION],
      ).toBeUndefined();
    } finally {
      await recovery.stop();
      watches.close();
    }
  });

  it('west down: its commands fail naming it, east keeps answering, /readyz names west and stays ready', async () => {
    await west.stop();
    const w = await run('endpoints web-svc.emojivoto', WEST);
    expect(w.parent.metadata?.event_payload.status).toBe('error');
    expect(json(w.replies[0]!.blocks)).toContain('[cluster west]');
    expect(json(w.replies[0]!.blocks)).toMatch(/could not be reached/);
    expect(json(w.replies[0]!.blocks)).toMatch(/could not be reached/);
    const e = await run('endpoints web-svc.emojivoto --cluster east');
    expect(e.parent.metadata?.event_payload.status).toBe('fail');
    const res = await fetch(`http://127.0.0.1:${rig.port}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ready\nunreachable clusters: west\n');
    const live = await fetch(`http://127.0.0.1:${rig.port}/healthz`);
    expect(live.status).toBe(200);
  });
});
