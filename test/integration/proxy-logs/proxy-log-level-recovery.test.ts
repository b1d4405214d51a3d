/**
 * `serve`'s proxy-log-level recovery, event-driven, through the sandbox: the scale test's and
 * proxy-log-level's recoveries share one watch of Deployments and StatefulSets; a record
 * written by another replica is seen from the watch and its pods put back when it goes stale
 * (a timer per record, re-armed by each change; no periodic sweep: the resync is the default
 * minute), a record past its expiry whose holder still beats is put back on time, and a process
 * SIGKILLed mid-change is put back by this surviving one within seconds.
 */
import { webApi } from '@slack/bolt';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { createWorkloadWatches, type WorkloadWatches } from '../../../src/adapters/workload-watches.js';
import { parseWorkloadTarget } from '../../../src/grammar/targets.js';
import { createLogger } from '../../../src/logging/create-logger.js';
import { startRaisedChild } from './child/start-log-level-child.js';
import { createLogLevelRunner } from '../../../src/slack/proxy-log-level/log-level-runner.js';
import { startLogLevelRecovery } from '../../../src/slack/proxy-log-level/recover-log-levels-at-start.js';
import { startScaleTestRecovery } from '../../../src/slack/recover-scale-tests-at-start.js';
import { createClusterScaleTestRunner } from '../../../src/slack/scale-test-runner.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import {
  decodeRecord,
  encodeRecord,
  LOG_LEVEL_ANNOTATION,
  type LogLevelRecord,
} from '../../../src/steps/proxy-log-level/log-level-record.js';
import { waitForObjects } from '../endpoints/endpoints-sandbox.js';
import { DEPLOYMENTS } from '../scale-test/scale-test-sandbox.js';
import { NS, proxyLogsScenario, runningPods } from './proxy-logs-sandbox.js';

const DEFAULT = 'linkerd=info,hickory=error,warn';
const WEB = parseWorkloadTarget('deploy/web.emojivoto');

describe('proxy-log-level recovery from the watch', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;
  let watches: WorkloadWatches;
  let stops: Array<() => Promise<void>> = [];
  const logs: string[] = [];
  const errors: unknown[] = [];

  beforeAll(async () => {
    sb = await startSandbox({ scenario: proxyLogsScenario() });
    adapters = await openAdapters(
      { kubeconfig: sb.kubeconfig, destination: sb.destination, timeoutMs: 8000 },
      'east',
    );
    const pool = { clusters: ['east'], configured: false, get: async () => adapters };
    watches = createWorkloadWatches(pool, (_cluster, err) => void errors.push(err));
    const logger = createLogger({ level: 'warn', destination: { write: (line) => void logs.push(line) } });
    const client = new webApi.WebClient();
    // As `serve` wires them: both recoveries over the same watches.
    const scale = startScaleTestRecovery({
      runner: createClusterScaleTestRunner({ pool, watches }),
      client,
      logger,
    });
    const levels = startLogLevelRecovery({ runner: createLogLevelRunner({ pool, watches }), client, logger });
    stops = [() => scale.stop(), () => levels.stop()];
    await scale.firstSweep;
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    watches?.close();
    await adapters?.close();
    await sb?.stop();
  });

  const levels = async (): Promise<string[]> =>
    Promise.all(runningPods(sb.store, 'web-svc').map((p) => adapters.proxyAdmin.getLogLevel(NS, p)));

  /** When the web deployment's record, once there, is gone (ms since epoch). */
  const recordGone = (): Promise<number> => {
    let had = false;
    return waitForObjects(
      sb.store,
      DEPLOYMENTS,
      { namespace: NS },
      (ds) => {
        const web = ds.find((d) => d.metadata.name === 'web');
        if (web?.metadata.annotations?.[LOG_LEVEL_ANNOTATION] !== undefined) had = true;
        else if (had) return Date.now();
        return undefined;
      },
      30_000,
    );
  };
  /** The messages logged so far. */
  const logged = (): string => logs.map((line) => (JSON.parse(line) as { msg: string }).msg).join('\n');

  /** What another replica leaves: every pod at debug, and its record. */
  async function raiseAsAnotherReplica(
    times: Pick<LogLevelRecord, 'expiresAt' | 'heartbeatAt' | 'heartbeatMs'>,
  ) {
    const pods = runningPods(sb.store, 'web-svc');
    for (const pod of pods) await adapters.proxyAdmin.setLogLevel(NS, pod, 'debug');
    const record: LogLevelRecord = {
      v: 1,
      id: `other${Date.now() % 1000}`,
      cluster: 'east',
      level: 'debug',
      pods: pods.map((pod) => ({ pod, original: DEFAULT })),
      requestedBy: 'U9',
      holder: 'replica-b/42',
      startedAt: new Date().toISOString(),
      ...times,
    };
    await adapters.scaling.setAnnotation(WEB, LOG_LEVEL_ANNOTATION, encodeRecord(record));
    return record;
  }

  it("sees another replica's record from the watch and puts it back when it goes stale, re-armed by each beat", async () => {
    const gone = recordGone();
    const t0 = Date.now();
    const record = await raiseAsAnotherReplica({
      expiresAt: new Date(t0 + 600_000).toISOString(),
      heartbeatAt: new Date(t0).toISOString(),
      heartbeatMs: 1000,
    });
    expect(await levels()).toEqual(['debug', 'debug']);
    // The other replica beats once more: stale three beats after that one, not the first.
    const beat = t0 + 2000;
    await adapters.scaling.setAnnotation(
      WEB,
      LOG_LEVEL_ANNOTATION,
      encodeRecord({ ...record, heartbeatAt: new Date(beat).toISOString() }),
    );
    const staleAt = beat + 3000;
    const restoredAt = await gone;
    process.stdout.write(`log-level recovery: record gone ${restoredAt - staleAt} ms after it went stale\n`);
    expect(restoredAt).toBeGreaterThanOrEqual(staleAt);
    expect(restoredAt - staleAt).toBeLessThan(2500); // a timer, not a sweep every few seconds
    expect(await levels()).toEqual([DEFAULT, DEFAULT]);
    expect(logged()).toMatch(
      /proxy log level "debug" \(asked by U9, held by replica-b\/42\) was interrupted/,
    );
    // One list per kind served both recoveries: one watch, not one per kind of record.
    expect((await watches.of()).stats().lists).toBe(2);
    expect(errors).toEqual([]);
  }, 30_000);

  it('puts back a record past its expiry (and margin) whose holder still beats, on time', async () => {
    const gone = recordGone();
    const now = Date.now();
    // Expired 59 s ago; the holder beats but never put the pods back: stale at expiry + 60 s.
    const record = await raiseAsAnotherReplica({
      expiresAt: new Date(now - 59_000).toISOString(),
      heartbeatAt: new Date(now).toISOString(),
      heartbeatMs: 60_000,
    });
    const staleAt = Date.parse(record.expiresAt) + 60_000;
    const restoredAt = await gone;
    expect(restoredAt).toBeGreaterThanOrEqual(staleAt);
    expect(restoredAt - staleAt).toBeLessThan(2500);
    expect(await levels()).toEqual([DEFAULT, DEFAULT]);
  }, 30_000);

  it('puts back the pods of a process SIGKILLed mid-change within seconds', async () => {
    // The newest heartbeat the child wrote: nothing may be put back before three are missed.
    let lastBeat = 0;
    /** When each record first appeared, and the beat it carried then. */
    const firstSeen = new Map<string, { at: number; beat: number }>();
    const stopBeats = sb.store.watch(DEPLOYMENTS, { namespace: NS }, (ev) => {
      const r = decodeRecord(ev.object.metadata.annotations?.[LOG_LEVEL_ANNOTATION]);
      if (!r) return;
      lastBeat = Math.max(lastBeat, Date.parse(r.heartbeatAt));
      if (!firstSeen.has(r.id)) firstSeen.set(r.id, { at: Date.now(), beat: Date.parse(r.heartbeatAt) });
    });
    const { child, record, exited } = await startRaisedChild(sb.kubeconfig, 'deploy/web.emojivoto', 'trace');
    try {
      expect(await levels()).toEqual(['trace', 'trace']);
      const gone = recordGone();
      // Regression: the record was written with the time the change started as its beat, so a
      // plan slower than three beats left a record recovery put back while its holder lived.
      const first = firstSeen.get(record.id)!;
      expect(first.at - first.beat).toBeLessThan(3 * record.heartbeatMs);
      const killedAt = Date.now();
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const restoredAt = await gone;
      stopBeats();
      expect(restoredAt).toBeGreaterThanOrEqual(lastBeat + 3 * record.heartbeatMs);
      process.stdout.write(`log-level recovery: pods back ${restoredAt - killedAt} ms after SIGKILL\n`);
      // Three missed 500 ms beats, then the restore through the port-forwards.
      expect(restoredAt - killedAt).toBeLessThan(3 * record.heartbeatMs + 5000);
      expect(await levels()).toEqual([DEFAULT, DEFAULT]);
      expect(logged()).toMatch(/recorded in cluster child-cluster\): proxy log level "trace"/);
    } finally {
      stopBeats();
      child.kill('SIGKILL');
    }
  }, 90_000);
});
