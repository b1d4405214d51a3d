/**
 * Two real `meshbot serve` processes (src/cli.ts run through the transpiling loader) share the
 * Lease in the sandbox, with a report on a seconds-level schedule and a frozen service. The
 * leader is killed with SIGKILL while one of its runs is in flight (no `finally`, no release):
 * the other process takes the Lease after a lease duration, runs the slot the dead one left
 * unfinished (no missed run) and posts nothing twice (the Slack double's messages), and the
 * frozen service, once healed, is resolved once by the new leader. Everything is awaited on the
 * sandbox's watches (Lease, state ConfigMap) and the double's calls.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { STATE_KEY } from '../../../src/drift/report-state-store.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { authority, waitForDestinationCount } from '../endpoints/endpoints-sandbox.js';
import { driftScenario, freezeAndShrink, heal } from './drift-sandbox.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '../../..');
const LOADER = join(here, '../scale-test/child/register-ts-loader.mjs');
const CHANNEL = 'C0SIGKILL';
const LEASES = { group: 'coordination.k8s.io', plural: 'leases' };
const CONFIGMAPS = { group: '', plural: 'configmaps' };
/** Short client-go timings so the test takes seconds; the bound is the same rule as at 15 s. */
const LEASE_MS = 3000;
const RETRY_MS = 500;

interface Mark {
  slot: string;
  by: string;
}
interface SeenState {
  started?: Mark;
  finished?: Mark;
}

interface Replica {
  pod: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line that `match` accepts. */
  logged(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<void>;
  stderr: () => string;
}

describe('SIGKILL of the leading serve process', () => {
  let sb: RunningSandbox;
  let slack: SlackDouble;
  let adapters: Adapters;
  let dir: string;
  const replicas: Replica[] = [];
  const stops: Array<() => void> = [];

  beforeAll(async () => {
    [sb, slack] = await Promise.all([
      startSandbox({ scenario: driftScenario('serve-sigkill', { voting: 3 }), podReadyDelayMs: 0 }),
      startSlackDouble(),
    ]);
    adapters = await openAdapters({ kubeconfig: sb.kubeconfig, destination: sb.destination });
    await waitForDestinationCount(adapters.destination, authority('voting-svc'), 3);
    dir = await mkdtemp(join(tmpdir(), 'meshbot-sigkill-'));
    await writeFile(
      join(dir, 'config.yaml'),
      [
        'reports:',
        '  - name: drift',
        "    schedule: '* * * * * *'",
        `    channel: ${CHANNEL}`,
        '    scope: { namespaces: [emojivoto] }',
        '    checks: [endpoints]',
        '    persistence: 300ms',
        `leaderElection: { leaseDuration: ${LEASE_MS}ms, renewDeadline: 2s, retryPeriod: ${RETRY_MS}ms }`,
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    for (const stop of stops) stop();
    await adapters?.close();
    await Promise.all([sb?.stop(), slack?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function startServe(pod: string): Replica {
    const child = spawn(process.execPath, ['--import', LOADER, join(ROOT, 'src/cli.ts'), 'serve'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_APP_TOKEN: slack.appToken,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        LOG_LEVEL: 'info',
        MESHBOT_CONFIG: join(dir, 'config.yaml'),
        MESHBOT_KUBECONFIG: sb.kubeconfig,
        MESHBOT_DESTINATION: sb.destination,
        POD_NAME: pod,
        POD_NAMESPACE: 'meshbot',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const waiters = new Set<(line: Record<string, unknown>) => void>();
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      for (const w of waiters) w(line);
    });
    const replica: Replica = {
      pod,
      child,
      exited,
      stderr: () => stderr,
      logged: (match, timeoutMs = 90_000) =>
        new Promise<void>((resolve, reject) => {
          const guard = setTimeout(() => {
            waiters.delete(w);
            reject(new Error(`${pod} never logged what was awaited; stderr: ${stderr}`));
          }, timeoutMs);
          const w = (line: Record<string, unknown>): void => {
            if (!match(line)) return;
            clearTimeout(guard);
            waiters.delete(w);
            resolve();
          };
          waiters.add(w);
          void exited.then(() => {
            if (!waiters.has(w)) return;
            clearTimeout(guard);
            waiters.delete(w);
            reject(new Error(`${pod} exited; stderr: ${stderr}`));
          });
        }),
    };
    replicas.push(replica);
    return replica;
  }

  /** Every Lease holder change and every state write, as the sandbox's watches deliver them. */
  function observe() {
    const holders: Array<{ holder: string; at: number }> = [];
    const states: SeenState[] = [];
    const listeners = new Set<() => void>();
    const changed = (): void => {
      for (const l of listeners) l();
    };
    stops.push(
      sb.store.watch(LEASES, { namespace: 'meshbot' }, (ev) => {
        if (ev.object.metadata.name !== 'meshbot-scheduler') return;
        const holder = (ev.object['spec'] as { holderIdentity?: string }).holderIdentity ?? '';
        if (holders.at(-1)?.holder !== holder) holders.push({ holder, at: performance.now() });
        changed();
      }),
      sb.store.watch(CONFIGMAPS, { namespace: 'meshbot' }, (ev) => {
        if (ev.object.metadata.name !== 'meshbot-report-state') return;
        const raw = (ev.object['data'] as Record<string, string> | undefined)?.[STATE_KEY];
        if (!raw) return;
        const r = (JSON.parse(raw) as { reports: Record<string, SeenState> }).reports['drift'];
        if (r)
          states.push({
            ...(r.started ? { started: r.started } : {}),
            ...(r.finished ? { finished: r.finished } : {}),
          });
        changed();
      }),
    );
    const until = <T>(check: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const l = (): void => {
          const v = check();
          if (v === undefined) return;
          listeners.delete(l);
          clearTimeout(guard);
          resolve(v);
        };
        const guard = setTimeout(() => {
          listeners.delete(l);
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        listeners.add(l);
        l();
      });
    return { holders, states, until };
  }

  it('the standby takes over within the lease duration, runs the unfinished slot, and posts nothing twice', async () => {
    await freezeAndShrink(sb, adapters.destination, 'voting', 3);
    const seen = observe();
    const a = startServe('meshbot-a');
    const b = startServe('meshbot-b');
    // Both processes up and following the Lease (each logs the holder it first sees).
    const seesLeader = (line: Record<string, unknown>) =>
      line['msg'] === 'report leader' && typeof line['holder'] === 'string' && line['holder'] !== '';
    await Promise.all([a.logged(seesLeader), b.logged(seesLeader)]);

    // The frozen service is posted once by the leader.
    const parent = await slack.waitFor(
      () => slack.messages(CHANNEL).find((m) => !m.thread_ts),
      30_000,
      'the run message',
    );
    const leaderPod = seen.holders.at(-1)!.holder;
    const leader = replicas.find((r) => r.pod === leaderPod)!;
    const standby = replicas.find((r) => r.pod !== leaderPod)!;

    // A later run of the leader in flight (started, not finished): SIGKILL now.
    const inFlight = await seen.until(() => {
      const s = seen.states.at(-1);
      return s?.started &&
        s.started.by === leaderPod &&
        s.started.slot !== s.finished?.slot &&
        s.finished !== undefined
        ? s.started.slot
        : undefined;
    }, 'a run of the leader in flight');
    leader.child.kill('SIGKILL');
    const killedAt = performance.now();
    expect(await leader.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // The standby takes the Lease after a full lease duration on its own clock, not before.
    const takeover = await seen.until(
      () => seen.holders.find((h) => h.holder === standby.pod && h.at > killedAt),
      'the standby holding the Lease',
    );
    const takeoverMs = takeover.at - killedAt;
    process.stdout.write(
      `report leader failover: Lease taken ${(takeoverMs / 1000).toFixed(2)} s after SIGKILL\n`,
    );
    expect(takeoverMs).toBeGreaterThanOrEqual(LEASE_MS - 1.2 * RETRY_MS);
    expect(takeoverMs).toBeLessThan(LEASE_MS + 2 * 1.2 * RETRY_MS);

    // No missed run: the slot the dead leader left is finished by the new one.
    await seen.until(
      () => seen.states.find((s) => s.finished?.slot === inFlight && s.finished.by === standby.pod),
      `slot ${inFlight} finished by ${standby.pod}`,
    );

    // The new leader continues the same alert state: the fault cleared, it resolves once.
    await heal(sb, adapters.destination, 'voting', 3);
    const resolvedReplies = () =>
      slack.thread(CHANNEL, parent.ts).replies.filter((m) => /resolved after/.test(m.text));
    await slack.waitFor(() => (resolvedReplies().length > 0 ? true : undefined), 30_000, 'resolved');
    // Two more runs after the resolve have finished: nothing more is posted.
    const afterResolve = seen.states.length;
    await seen.until(() => {
      const later = new Set(
        seen.states
          .slice(afterResolve)
          .flatMap((s) => (s.finished?.by === standby.pod ? [s.finished.slot] : [])),
      );
      return later.size >= 2 ? true : undefined;
    }, 'two runs after the resolve');

    expect(slack.messages(CHANNEL).filter((m) => !m.thread_ts)).toHaveLength(1);
    const replies = slack.thread(CHANNEL, parent.ts).replies;
    expect(replies.filter((m) => m.metadata?.event_payload['note'] === 'detail')).toHaveLength(1);
    expect(resolvedReplies()).toHaveLength(1);
    // Only two holders ever: the killed leader and the standby.
    expect([...new Set(seen.holders.map((h) => h.holder))].filter(Boolean).sort()).toEqual(
      [leaderPod, standby.pod].sort(),
    );

    // SIGTERM: the survivor releases the Lease and exits 0.
    standby.child.kill('SIGTERM');
    expect(await standby.exited).toEqual({ code: 0, signal: null });
    await seen.until(() => (seen.holders.at(-1)?.holder === '' ? true : undefined), 'the Lease released');
  }, 180_000);
});
