/**
 * proxy-log-level through the sandbox: the level raised on every pod of a workload, read back
 * from the proxies' admin servers and recorded on the workload, then every pod put back when
 * `--for` expires, on Stop, and, after the process was killed, by recovery from the record; a
 * pod that appeared meanwhile is left at its default and reported.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import {
  decodeRecord,
  encodeRecord,
  LOG_LEVEL_ANNOTATION,
  type LogLevelRecord,
} from '../../../src/steps/proxy-log-level/log-level-record.js';
import {
  removeLogLevelRecord,
  restoreLogLevels,
} from '../../../src/steps/proxy-log-level/restore-log-levels.js';
import { planProxyLogLevel } from '../../../src/steps/proxy-log-level/plan-proxy-log-level.js';
import { recoverProxyLogLevels } from '../../../src/steps/proxy-log-level/recover-proxy-log-levels.js';
import {
  runProxyLogLevel,
  type ProxyLogLevelData,
} from '../../../src/steps/proxy-log-level/run-proxy-log-level.js';
import { runProxyLogLevelCommand } from '../../../src/cli/commands/proxy-log-level.js';
import { parseWorkloadTarget } from '../../../src/grammar/targets.js';
import { waitForSettled } from '../scale-test/scale-test-sandbox.js';
import { startRaisedChild } from './child/start-log-level-child.js';
import { NS, proxyLogsScenario, runningPods } from './proxy-logs-sandbox.js';

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT = 'linkerd=info,hickory=error,warn';
const WEB = parseWorkloadTarget('deploy/web.emojivoto');

describe('proxy-log-level through the sandbox', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: proxyLogsScenario() });
    adapters = await openAdapters(
      { kubeconfig: sb.kubeconfig, destination: sb.destination, timeoutMs: 8000 },
      'east',
    );
  });
  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  const levels = async (app: string): Promise<string[]> =>
    Promise.all(runningPods(sb.store, app).map((p) => adapters.proxyAdmin.getLogLevel(NS, p)));
  const recordOf = async (): Promise<LogLevelRecord | undefined> =>
    decodeRecord((await adapters.scaling.getWorkload(WEB))?.annotations[LOG_LEVEL_ANNOTATION]);

  /** Runs the change; `during` runs once every pod is set and may stop it. */
  async function raise(
    forSeconds: number,
    during: (record: LogLevelRecord, stop: AbortController) => Promise<void>,
  ): Promise<StepResult<ProxyLogLevelData>> {
    const stop = new AbortController();
    let failed: unknown;
    let inDuring: Promise<void> = Promise.resolve();
    const result = await runProxyLogLevel(
      { name: 'proxy-log-level', target: WEB, level: 'debug', forSeconds },
      adapters,
      {
        requestedBy: 'U123',
        signal: stop.signal,
        settings: { heartbeatMs: 200 },
        onRaised: (record) => {
          // A failing check still ends the change, so the next test starts clean.
          inDuring = during(record, stop).catch((err: unknown) => {
            failed = err;
            stop.abort();
          });
        },
      },
    );
    await inDuring;
    if (failed) throw failed;
    return result;
  }

  it('plans with every pod and its current level; the CLI without --yes changes nothing', async () => {
    const plan = await planProxyLogLevel(
      { name: 'proxy-log-level', target: WEB, level: 'debug', forSeconds: 600 },
      adapters,
    );
    expect(plan.cluster).toBe('east');
    expect(plan.pods.map((p) => p.current)).toEqual([DEFAULT, DEFAULT]);
    expect(plan.description).toMatch(
      /2 pods: web-.* at "linkerd=info,hickory=error,warn".* to "debug" for 10m/,
    );
    let err = '';
    const code = await runProxyLogLevelCommand(
      'deploy/web.emojivoto',
      'debug',
      { kubeconfig: sb.kubeconfig },
      {
        stdout: { write: () => true },
        stderr: { write: (t: string) => (err += t) },
        env: {},
      },
    );
    expect(code).toBe(2);
    expect(err).toMatch(/This would change the cluster: set the proxy log level of deploy\/web\.emojivoto/);
    expect(await levels('web-svc')).toEqual([DEFAULT, DEFAULT]);
  });

  it('refuses a --for beyond the configured maximum, and a second change while one runs', async () => {
    await expect(
      planProxyLogLevel({ name: 'proxy-log-level', target: WEB, level: 'debug', forSeconds: 7200 }, adapters),
    ).rejects.toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/longer than the 1h allowed/),
    });
    await raise(600, async (_record, stop) => {
      await expect(
        planProxyLogLevel({ name: 'proxy-log-level', target: WEB, level: 'trace', forSeconds: 60 }, adapters),
      ).rejects.toMatchObject({
        kind: 'refused',
        message: expect.stringMatching(/already set to "debug" by U123/),
      });
      stop.abort();
    });
  });

  it('raises every pod, records it, and puts every pod back when --for expires', async () => {
    let during: string[] = [];
    let recorded: LogLevelRecord | undefined;
    const result = await raise(3, async () => {
      during = await levels('web-svc');
      recorded = await recordOf();
    });
    expect(during).toEqual(['debug', 'debug']);
    expect(recorded).toMatchObject({
      cluster: 'east',
      level: 'debug',
      requestedBy: 'U123',
      pods: [{ original: DEFAULT }, { original: DEFAULT }],
      holder: expect.stringMatching(/\/\d+$/),
    });
    expect(result.status).toBe('pass');
    expect(result.data).toMatchObject({ endedBy: 'expired', recordRemoved: true, newPods: [] });
    expect(result.data.pods.map((p) => p.outcome)).toEqual(['restored', 'restored']);
    expect(await levels('web-svc')).toEqual([DEFAULT, DEFAULT]);
    expect(await recordOf()).toBeUndefined();
  });

  it('puts every pod back on Stop, and leaves a pod that appeared meanwhile at its default', async () => {
    const before = runningPods(sb.store, 'web-svc');
    const result = await raise(600, async (_record, stop) => {
      const scale = await adapters.scaling.getScale(WEB);
      await adapters.scaling.replaceScale(WEB, 3, scale.resourceVersion);
      await waitForSettled(sb.store, 'web-svc', 3, NS);
      stop.abort();
    });
    const added = runningPods(sb.store, 'web-svc').find((p) => !before.includes(p))!;
    expect(result.data.endedBy).toBe('stopped');
    expect(result.data.newPods).toEqual([{ pod: added, level: DEFAULT }]);
    expect(result.findings).toContainEqual(
      expect.objectContaining({
        code: 'new-pod-left-alone',
        message: expect.stringMatching(/appeared meanwhile and was left at its default/),
      }),
    );
    expect(await levels('web-svc')).toEqual([DEFAULT, DEFAULT, DEFAULT]);
    const scale = await adapters.scaling.getScale(WEB);
    await adapters.scaling.replaceScale(WEB, 2, scale.resourceVersion);
    await waitForSettled(sb.store, 'web-svc', 2, NS);
  });

  it('a change stopped before it began puts every pod back at once', async () => {
    // Regression: the wait listened for an abort that had already happened, and held 10 minutes.
    const result = await runProxyLogLevel(
      { name: 'proxy-log-level', target: WEB, level: 'debug', forSeconds: 600 },
      adapters,
      { requestedBy: 'U123', signal: AbortSignal.abort('stopped'), settings: { heartbeatMs: 200 } },
    );
    expect(result.data).toMatchObject({ endedBy: 'stopped', recordRemoved: true });
    expect(await levels('web-svc')).toEqual([DEFAULT, DEFAULT]);
  });

  it('ends within a beat when another meshbot put the pods back (a Stop on another replica)', async () => {
    const result = await raise(600, async (record) => {
      // What the Stop handler of a replica that does not hold the change does.
      await restoreLogLevels(adapters, WEB, record);
    });
    expect(result.data).toMatchObject({ endedBy: 'elsewhere', recordRemoved: false });
    expect(result.summary).toMatch(/another meshbot put it back/);
    expect(await levels('web-svc')).toEqual([DEFAULT, DEFAULT]);
    expect(await recordOf()).toBeUndefined();
  });

  it("leaves the pods to a change whose record replaced this one's", async () => {
    let newer: LogLevelRecord | undefined;
    const result = await raise(600, async (record) => {
      // Another change took the workload over meanwhile: its record, its level.
      await removeLogLevelRecord(adapters, WEB, record.id);
      newer = { ...record, id: 'newer1', level: 'trace', heartbeatAt: new Date().toISOString() };
      for (const p of runningPods(sb.store, 'web-svc')) await adapters.proxyAdmin.setLogLevel(NS, p, 'trace');
      await adapters.scaling.setAnnotation(WEB, LOG_LEVEL_ANNOTATION, encodeRecord(newer));
    });
    expect(result.data.endedBy).toBe('elsewhere');
    expect(result.data.pods.map((p) => p.outcome)).toEqual(['replaced', 'replaced']);
    expect(result.findings).toContainEqual(expect.objectContaining({ code: 'log-level-replaced' }));
    expect(await levels('web-svc')).toEqual(['trace', 'trace']);
    expect((await recordOf())?.id).toBe('newer1');
    await restoreLogLevels(adapters, WEB, newer!);
    expect(await levels('web-svc')).toEqual([DEFAULT, DEFAULT]);
  });

  it('after the process is killed, recovery puts every pod back from the record', async () => {
    const { child, record, exited } = await startRaisedChild(sb.kubeconfig, 'deploy/web.emojivoto', 'trace');
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // What the dead process left: every pod at trace, and its record naming its cluster.
    expect(await levels('web-svc')).toEqual(['trace', 'trace']);
    expect(await recordOf()).toMatchObject({ id: record.id, cluster: 'child-cluster', level: 'trace' });

    // Its heartbeat may still be fresh: left alone...
    const soon = await recoverProxyLogLevels(adapters, { now: () => Date.parse(record.heartbeatAt) });
    expect(soon.running.map((r) => r.id)).toEqual([record.id]);
    // ...and put back once three heartbeats are missed.
    const told: string[] = [];
    const later = await recoverProxyLogLevels(adapters, {
      now: () => Date.now() + 3 * record.heartbeatMs + 1000,
      notify: (text) => void told.push(text),
    });
    expect(later.restored).toEqual([expect.objectContaining({ id: record.id, level: 'trace' })]);
    expect(told.join('\n')).toMatch(
      /deploy\/web\.emojivoto \(recorded in cluster child-cluster\): proxy log level "trace" .*was interrupted; put back web-.* to "linkerd=info,hickory=error,warn"/,
    );
    expect(await levels('web-svc')).toEqual([DEFAULT, DEFAULT]);
    expect(await recordOf()).toBeUndefined();
  });
  it('the CLI puts every pod back on SIGTERM before it exits', async () => {
    const cli = spawn(
      process.execPath,
      [
        '--import',
        join(here, '../scale-test/child/register-ts-loader.mjs'),
        join(here, '../../../src/cli.ts'),
        'proxy-log-level',
        'deploy/web.emojivoto',
        'warn,linkerd=trace',
        '--for',
        '10m',
        '--yes',
        '--kubeconfig',
        sb.kubeconfig,
        '--output',
        'json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    cli.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const guard = setTimeout(
          () => reject(new Error(`the CLI never set the level; stderr: ${stderr}`)),
          60_000,
        );
        cli.stderr!.on('data', (c: Buffer) => {
          stderr += c.toString();
          if (/set 2 pod\(s\) of deploy\/web\.emojivoto to "warn,linkerd=trace"/.test(stderr)) {
            clearTimeout(guard);
            resolve();
          }
        });
      });
      expect(await levels('web-svc')).toEqual(['linkerd=trace,warn', 'linkerd=trace,warn']);
      cli.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      cli.kill('SIGKILL');
    }
    expect(stderr).toMatch(/putting every pod back/);
    expect(JSON.parse(stdout)).toMatchObject({
      step: 'proxy-log-level',
      status: 'pass',
      data: { endedBy: 'shutdown', recordRemoved: true, cluster: 'default' },
    });
    expect(await levels('web-svc')).toEqual([DEFAULT, DEFAULT]);
    expect(await recordOf()).toBeUndefined();
  }, 90_000);
});
