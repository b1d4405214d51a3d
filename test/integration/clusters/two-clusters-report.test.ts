/**
 * A drift report across two clusters (two in-process sandboxes with the same services): the
 * service stale in east only is one finding, for east, with a fingerprint of east's; the run
 * message groups lines by cluster and names it; the finding's command button carries east. A
 * later run in which west cannot be swept resolves east's healed finding (east is judged on its
 * own sweep) and keeps west's open, naming west as not swept.
 */
import { webApi } from '@slack/bolt';
import { performance } from 'node:perf_hooks';
import { createAdapterPool, type AdapterPool } from '../../../src/adapters/adapter-pool.js';
import { createConfigMapClient } from '../../../src/adapters/kube/config-map-client.js';
import { createKubeCore } from '../../../src/adapters/kube/kube-core.js';
import { loadKubeConfig } from '../../../src/adapters/kube/load-kubeconfig.js';
import { openAdapters } from '../../../src/adapters/open-adapters.js';
import { reportClusters, reportSchema } from '../../../src/config/reports-schema.js';
import { fingerprintOf } from '../../../src/drift/fingerprint.js';
import { createReportStateStore } from '../../../src/drift/report-state-store.js';
import { runReport } from '../../../src/drift/run-report.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { createSlackReportNotifier } from '../../../src/slack/report-notifier.js';
import type { SweepFinding } from '../../../src/steps/sweep/sweep-types.js';
import { runSweepStep } from '../../../src/steps/sweep/run-sweep-step.js';
import { MeshbotError } from '../../../src/errors.js';
import { driftScenario, freezeAndShrink, heal } from '../drift/drift-sandbox.js';

const CHANNEL = 'C0REPORTS';

describe('a drift report across two clusters', () => {
  let east: RunningSandbox;
  let west: RunningSandbox;
  let slack: SlackDouble;
  let pool: AdapterPool;

  beforeAll(async () => {
    [east, west, slack] = await Promise.all([
      startSandbox({ scenario: driftScenario('east', { voting: 3, web: 1 }), podReadyDelayMs: 0 }),
      startSandbox({ scenario: driftScenario('west', { voting: 3, web: 1 }), podReadyDelayMs: 0 }),
      startSlackDouble(),
    ]);
    pool = createAdapterPool(
      {
        east: { kubeconfig: east.kubeconfig, destination: east.destination, timeoutMs: 5000 },
        west: { kubeconfig: west.kubeconfig, destination: west.destination, timeoutMs: 5000 },
      },
      openAdapters,
      true,
    );
    await freezeAndShrink(east, (await pool.get('east')).destination, 'voting', 3);
  });
  afterAll(async () => {
    await pool?.close();
    await Promise.all([east?.stop(), west?.stop(), slack?.close()]);
  });

  it('reports the stale service for east only, grouped and named by cluster', async () => {
    const report = reportSchema.parse({
      name: 'fleet',
      schedule: '0 * * * *',
      channel: CHANNEL,
      clusters: 'all',
      checks: ['endpoints'],
      persistence: '200ms',
    });
    expect(reportClusters(report, pool.clusters)).toEqual(['east', 'west']);
    const client = new webApi.WebClient(slack.botToken, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    const run = await runReport({
      report,
      cluster: reportClusters(report, pool.clusters),
      sweep: async (request) => runSweepStep(request, await pool.get(request.cluster)),
      store: createReportStateStore({
        configMaps: createConfigMapClient(
          createKubeCore(loadKubeConfig({ kubeconfig: east.kubeconfig }).kubeConfig),
        ),
        namespace: 'meshbot',
      }),
      notifier: createSlackReportNotifier(client, { namedClusters: true }),
      slot: 'manual-1',
      identity: 'test',
    });
    const findings = run.result.findings as SweepFinding[];
    const stale = findings.filter((f) => f.service === 'voting-svc.emojivoto');
    expect(stale.map((f) => f.cluster)).toEqual(['east']);
    expect(stale[0]!.fingerprint).toBe(fingerprintOf('east', stale[0]!.kind, stale[0]!.subject));
    expect(run.result.summary).toMatch(/^east: .* west: /);
    expect(run.result.data.cluster).toBe('east,west');

    const parent = slack.messages(CHANNEL).find((m) => !m.thread_ts)!;
    expect(parent.text).toMatch(/\[east\] voting-svc\.emojivoto/);
    expect(parent.text).not.toMatch(/\[west\]/);
    const detail = slack.messages(CHANNEL).find((m) => m.thread_ts === parent.ts)!;
    const button = JSON.stringify(detail.blocks);
    expect(button).toContain('\\"cluster\\":\\"east\\"');
  });

  it("a run where west cannot be swept: east's healed finding resolves, west's stays open, west is named", async () => {
    const channel = 'C0FAILOVER';
    const report = reportSchema.parse({
      name: 'fleet-isolated',
      schedule: '0 * * * *',
      channel,
      clusters: 'all',
      checks: ['endpoints'],
      persistence: '200ms',
    });
    const client = new webApi.WebClient(slack.botToken, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    const store = createReportStateStore({
      configMaps: createConfigMapClient(
        createKubeCore(loadKubeConfig({ kubeconfig: east.kubeconfig }).kubeConfig),
      ),
      namespace: 'meshbot',
      name: 'report-state-isolated',
    });
    let westDown = false;
    const run = (slot: string, cluster: string | string[] = reportClusters(report, pool.clusters)) =>
      runReport({
        report,
        cluster,
        sweep: async (request) => {
          if (request.cluster === 'west' && westDown) throw new MeshbotError('unreachable', 'west is gone');
          return runSweepStep(request, await pool.get(request.cluster));
        },
        store,
        notifier: createSlackReportNotifier(client, { namedClusters: true }),
        slot,
        identity: 'test',
      });
    // Voting stale in both clusters: two findings open.
    await freezeAndShrink(west, (await pool.get('west')).destination, 'voting', 3);
    const first = await run('manual-a');
    const stale = (c: string) => fingerprintOf(c, 'stale-in-destination', 'voting-svc.emojivoto:80');
    expect(Object.keys(first.evaluation.open)).toEqual(
      expect.arrayContaining([stale('east'), stale('west')]),
    );

    // East healed; west cannot be swept.
    await heal(east, (await pool.get('east')).destination, 'voting', 3);
    westDown = true;
    const second = await run('manual-b');
    expect(second.evaluation.toResolve.map((c) => c.alert.fingerprint)).toEqual([stale('east')]);
    expect(Object.keys(second.evaluation.open)).toContain(stale('west'));
    expect(second.evaluation.toPost.map((a) => [a.cluster, a.subject])).toEqual([['west', 'whole cluster']]);
    expect(second.result.summary).toMatch(/^east: .* west: not swept: west is gone\.$/);
    const runMessages = slack.messages(channel).filter((m) => !m.thread_ts);
    expect(runMessages.at(-1)!.text).toMatch(/\[west\] whole cluster/);

    // Regression: a run of east alone (as `meshbot report run --post --cluster east`) resolved
    // every finding of west, which it never looked at.
    westDown = false;
    const eastOnly = await run('manual-c', 'east');
    expect(eastOnly.evaluation.toResolve).toEqual([]);
    expect(Object.keys(eastOnly.evaluation.open)).toEqual(
      expect.arrayContaining([stale('west'), fingerprintOf('west', 'sweep-could-not-ask', 'whole cluster')]),
    );
  });

  it("a sweep told to stop (its report's sweepTimeout) opens no stream after that and rejects with the reason", async () => {
    const adapters = await pool.get('west');
    const controller = new AbortController();
    const reason = new MeshbotError('timeout', 'the sweep did not finish within 1s');
    let afterAbort = 0;
    const destination = {
      ...adapters.destination,
      resolve: (...args: Parameters<typeof adapters.destination.resolve>) => {
        if (controller.signal.aborted) afterAbort++;
        else controller.abort(reason); // stopped while its first stream is open
        return adapters.destination.resolve(...args);
      },
    };
    const t0 = performance.now();
    await expect(
      runSweepStep(
        { cluster: 'west', namespaces: ['emojivoto'], persistenceMs: 60_000, concurrency: 1 },
        { ...adapters, destination },
        { signal: controller.signal },
      ),
    ).rejects.toBe(reason);
    expect(afterAbort).toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
