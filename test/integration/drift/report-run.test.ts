/**
 * Scheduled reports through the sandbox (Kubernetes, destination, Leases, ConfigMaps) and the
 * Slack double: a frozen service is posted once and not again, reminded after the repeat
 * interval, resolved in its thread (and its line updated) once cleared; two replicas sharing a
 * Lease run the schedule on the leader only; the sandbox serves Leases with resourceVersion
 * preconditions.
 */
import { webApi } from '@slack/bolt';
import { createConfigMapClient } from '../../../src/adapters/kube/config-map-client.js';
import { createKubeCore } from '../../../src/adapters/kube/kube-core.js';
import { createLeaseClient, type LeaseClient } from '../../../src/adapters/kube/lease-client.js';
import { loadKubeConfig } from '../../../src/adapters/kube/load-kubeconfig.js';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { reportSchema, type ReportConfig } from '../../../src/config/reports-schema.js';
import { createLeaderElector } from '../../../src/drift/leader-election.js';
import { createReportScheduler } from '../../../src/drift/report-scheduler.js';
import { createReportStateStore, type ReportStateStore } from '../../../src/drift/report-state-store.js';
import { runReport, type ReportNotifier } from '../../../src/drift/run-report.js';
import { MeshbotError } from '../../../src/errors.js';
import { startSlackDouble, type SlackDouble } from '../../../src/sandbox/slack/start-slack-double.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { createSlackReportNotifier } from '../../../src/slack/report-notifier.js';
import { runSweepStep } from '../../../src/steps/sweep/run-sweep-step.js';
import { authority, waitForDestinationCount } from '../endpoints/endpoints-sandbox.js';
import { driftScenario, freezeAndShrink, heal, NS } from './drift-sandbox.js';

const CHANNEL = 'C0REPORTS';
const scenario = driftScenario('report-integration', { web: 2, voting: 3 });

const report = (extra: Record<string, unknown> = {}): ReportConfig =>
  reportSchema.parse({
    name: 'drift',
    schedule: '* * * * * *',
    channel: CHANNEL,
    scope: { namespaces: [NS] },
    checks: ['endpoints'],
    persistence: '200ms',
    ...extra,
  });

describe('scheduled reports through the sandbox and the Slack double', () => {
  let sb: RunningSandbox;
  let slack: SlackDouble;
  let adapters: Adapters;
  let client: webApi.WebClient;
  let kubeConfig: ReturnType<typeof loadKubeConfig>['kubeConfig'];

  const storeNamed = (name: string): ReportStateStore =>
    createReportStateStore({
      configMaps: createConfigMapClient(createKubeCore(kubeConfig)),
      namespace: 'meshbot',
      name,
    });

  beforeAll(async () => {
    [sb, slack] = await Promise.all([startSandbox({ scenario, podReadyDelayMs: 0 }), startSlackDouble()]);
    adapters = await openAdapters({
      kubeconfig: sb.kubeconfig,
      destination: sb.destination,
      timeoutMs: 5000,
    });
    kubeConfig = loadKubeConfig({ kubeconfig: sb.kubeconfig }).kubeConfig;
    client = new webApi.WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    await waitForDestinationCount(adapters.destination, authority('voting-svc'), 3);
    await waitForDestinationCount(adapters.destination, authority('web-svc'), 2);
  });

  afterAll(async () => {
    await adapters?.close();
    await Promise.all([sb?.stop(), slack?.close()]);
  });

  const freezeVoting = (): Promise<void> => freezeAndShrink(sb, adapters.destination, 'voting', 3);
  const healVoting = (): Promise<void> => heal(sb, adapters.destination, 'voting', 3);

  it('serves Leases with resourceVersion preconditions', async () => {
    const leases = createLeaseClient(createKubeCore(kubeConfig));
    const record = {
      holderIdentity: 'pod-a',
      leaseDurationSeconds: 15,
      acquireTime: Date.now(),
      renewTime: Date.now(),
      leaseTransitions: 0,
    };
    const created = await leases.create('meshbot', 'proof', record);
    await expect(leases.create('meshbot', 'proof', record)).rejects.toMatchObject({ kind: 'conflict' });
    const got = await leases.get('meshbot', 'proof');
    expect(got?.record.holderIdentity).toBe('pod-a');
    expect(Math.abs(got!.record.renewTime - record.renewTime)).toBeLessThan(1);
    const renewed = await leases.replace(
      'meshbot',
      'proof',
      { ...record, renewTime: record.renewTime + 1000 },
      created.resourceVersion,
    );
    expect(renewed.resourceVersion).not.toBe(created.resourceVersion);
    const stale = leases.replace(
      'meshbot',
      'proof',
      { ...record, holderIdentity: 'pod-b' },
      created.resourceVersion,
    );
    await expect(stale).rejects.toBeInstanceOf(MeshbotError);
    await expect(stale).rejects.toMatchObject({ kind: 'conflict' });
    expect(await leases.get('meshbot', 'absent')).toBeUndefined();
  });

  it('posts a frozen service once, reminds after the repeat interval, and resolves it in its thread', async () => {
    const store = storeNamed('report-state-run');
    const notifier = createSlackReportNotifier(client);
    let clock = Date.now();
    const r = report({ repeatInterval: '1h' });
    const run = (slot: string) =>
      runReport({
        report: r,
        cluster: 'sandbox',
        sweep: (req) => runSweepStep(req, adapters),
        store,
        notifier,
        slot,
        identity: 'pod-a',
        now: () => new Date(clock),
      });
    const posts = () => slack.messages(CHANNEL).filter((m) => !m.thread_ts);

    await freezeVoting();
    const first = await run('slot-1');
    expect(first.evaluation.toPost).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    const parent = posts()[0]!;
    expect(parent.text).toMatch(/Report drift\*: 1 new or worse finding/);
    expect(parent.text).toMatch(/stale-in-destination\* voting-svc\.emojivoto:80/);
    const thread = slack.thread(CHANNEL, parent.ts);
    expect(thread.replies).toHaveLength(1);
    // The stale service's first button starts the guided stale-endpoints runbook for it.
    const start = (
      thread.replies[0]!.blocks as Array<{ elements?: Array<{ text: { text: string }; value: string }> }>
    ).flatMap((b) => b.elements ?? [])[0]!;
    expect(start.text.text).toBe('Start the stale-endpoints runbook');
    expect(JSON.parse(start.value)).toMatchObject({
      command: 'runbook stale-endpoints voting-svc.emojivoto',
    });

    clock += 10 * 60_000;
    await run('slot-2');
    expect(posts()).toHaveLength(1);
    expect(slack.thread(CHANNEL, parent.ts).replies).toHaveLength(1);

    clock += 60 * 60_000;
    const reminded = await run('slot-3');
    expect(reminded.evaluation.toRemind).toHaveLength(1);
    expect(slack.thread(CHANNEL, parent.ts).replies.at(-1)!.text).toMatch(/^Still open/);

    await healVoting();
    clock += 4 * 60_000;
    const resolved = await run('slot-4');
    expect(resolved.evaluation.toResolve).toHaveLength(1);
    const replies = slack.thread(CHANNEL, parent.ts).replies;
    expect(replies.at(-1)!.text).toMatch(/voting-svc\.emojivoto:80 resolved after 1 h 14 min/);
    const updated = slack.messages(CHANNEL).find((m) => m.ts === parent.ts)!;
    expect(updated.updates).toBe(1);
    expect(updated.text).toMatch(/~.*voting-svc\.emojivoto:80~ :white_check_mark: resolved after 1 h 14 min/);
    const state = await store.read();
    expect(state.reports['drift']!.open).toEqual({});
    expect(state.reports['drift']!.finished?.slot).toBe('slot-4');

    await run('slot-5');
    expect(posts()).toHaveLength(1);
  });

  it('a snooze holds: no reminder while it lasts, the finding reminded once it has ended', async () => {
    const channel = 'C0SNOOZE';
    const store = storeNamed('report-state-snooze');
    const r = report({ name: 'snooze', channel, repeatInterval: '1h' });
    let clock = Date.now();
    const run = (slot: string) =>
      runReport({
        report: r,
        cluster: 'sandbox',
        sweep: (req) => runSweepStep(req, adapters),
        store,
        notifier: createSlackReportNotifier(client),
        slot,
        identity: 'pod-a',
        now: () => new Date(clock),
      });
    await freezeVoting();
    await run('snooze-1');
    const parent = slack.messages(channel).find((m) => !m.thread_ts)!;
    const fingerprint = Object.keys((await store.read()).reports['snooze']!.open)[0]!;
    // Snoozed for a day (as the Snooze 1 day button writes it).
    await store.update((s) => {
      s.snoozes[fingerprint] = {
        fingerprint,
        until: new Date(clock + 24 * 3600_000).toISOString(),
        by: 'UMUTATOR1',
        at: new Date(clock).toISOString(),
      };
      return s;
    });
    const replies = () => slack.thread(channel, parent.ts).replies.length;
    const before = replies();
    clock += 2 * 3600_000; // past the repeat interval: held back by the snooze
    const held = await run('snooze-2');
    expect(held.evaluation.changes.map((c) => [c.type, c.snoozed])).toEqual([['unchanged', true]]);
    expect(replies()).toBe(before);
    clock += 23 * 3600_000; // the snooze has ended, the finding is still there
    const after = await run('snooze-3');
    expect(after.evaluation.toRemind.map((a) => a.fingerprint)).toEqual([fingerprint]);
    expect(slack.thread(channel, parent.ts).replies.at(-1)!.text).toMatch(/^Still open/);
    expect(slack.messages(channel).filter((m) => !m.thread_ts)).toHaveLength(1);
    expect((await store.read()).snoozes[fingerprint]).toBeUndefined();
    await healVoting();
  });

  it('a leader that dies between a post and its record: the next run asks the channel and posts nothing twice', async () => {
    const channel = 'C0INTENT';
    const store = storeNamed('report-state-intent');
    const r = report({ name: 'intent', channel });
    const slackNotifier = createSlackReportNotifier(client);
    /** The process "dies" (throws) right after Slack answered this notifier call, once. */
    let dieAfter: keyof ReportNotifier | undefined;
    const notifier: ReportNotifier = {
      ...slackNotifier,
      postRun: async (...args) => {
        const posted = await slackNotifier.postRun(...args);
        if (dieAfter === 'postRun') throw new Error('killed after chat.postMessage');
        return posted;
      },
      postDetails: async (...args) => {
        await slackNotifier.postDetails(...args);
        if (dieAfter === 'postDetails') throw new Error('killed after the detail replies');
      },
      postResolved: async (...args) => {
        await slackNotifier.postResolved(...args);
        if (dieAfter === 'postResolved') throw new Error('killed after the resolved reply');
      },
    };
    const run = (slot: string, identity: string) =>
      runReport({
        report: r,
        cluster: 'sandbox',
        sweep: (req) => runSweepStep(req, adapters),
        store,
        notifier,
        slot,
        identity,
      });
    const posts = () => slack.messages(channel).filter((m) => !m.thread_ts);
    const posting = async () => (await store.read()).reports['intent']?.posting;
    await freezeVoting();

    // Dies once Slack has the run message, before its ts is recorded: the intent is all there is.
    dieAfter = 'postRun';
    await expect(run('2026-01-01T00:00:01.000Z', 'pod-a')).rejects.toThrow(/killed/);
    dieAfter = undefined;
    expect(posts()).toHaveLength(1);
    const left = await posting();
    expect(left).toMatchObject({ slot: '2026-01-01T00:00:01.000Z', by: 'pod-a', channel });
    expect(left?.ts).toBeUndefined();
    expect(left?.post.map((a) => a.subject)).toEqual(['voting-svc.emojivoto:80']);
    expect(posts()[0]!.metadata).toMatchObject({
      event_type: 'meshbot_report',
      event_payload: { report: 'intent', run: left!.run, note: 'run' },
    });
    // The next leader runs the slot again: it finds the message by its marker and adopts it,
    // posts the detail reply that never went out, and no second run message.
    const history = slack.callsOf('conversations.history').length;
    await run('2026-01-01T00:00:01.000Z', 'pod-b');
    expect(slack.callsOf('conversations.history').length).toBeGreaterThan(history);
    expect(posts()).toHaveLength(1);
    const parent = posts()[0]!;
    expect(slack.thread(channel, parent.ts).replies).toHaveLength(1);
    let state = (await store.read()).reports['intent']!;
    expect(state.posting).toBeUndefined();
    expect(Object.values(state.open).map((a) => a.post?.ts)).toEqual([parent.ts]);
    expect(state.finished).toMatchObject({ slot: '2026-01-01T00:00:01.000Z', by: 'pod-b' });

    // Heal; dies after the "resolved" reply, before the record: the next run does not resolve twice.
    await healVoting();
    dieAfter = 'postResolved';
    await expect(run('2026-01-01T00:00:02.000Z', 'pod-b')).rejects.toThrow(/killed/);
    dieAfter = undefined;
    const resolvedReplies = () =>
      slack.thread(channel, parent.ts).replies.filter((m) => /resolved after/.test(m.text));
    expect(resolvedReplies()).toHaveLength(1);
    await run('2026-01-01T00:00:02.000Z', 'pod-a');
    expect(resolvedReplies()).toHaveLength(1);
    expect(slack.messages(channel).find((m) => m.ts === parent.ts)!.text).toMatch(
      /~.*voting-svc\.emojivoto:80~ :white_check_mark: resolved after/,
    );
    state = (await store.read()).reports['intent']!;
    expect(state.open).toEqual({});
    expect(state.posting).toBeUndefined();

    // Frozen again; dies after the run message and its details, before the final record: the
    // recorded ts is enough, nothing is posted again.
    await freezeVoting();
    dieAfter = 'postDetails';
    await expect(run('2026-01-01T00:00:03.000Z', 'pod-a')).rejects.toThrow(/killed/);
    dieAfter = undefined;
    expect(posts()).toHaveLength(2);
    expect((await posting())?.ts).toBe(posts()[1]!.ts);
    const calls = slack.calls.length;
    await run('2026-01-01T00:00:03.000Z', 'pod-b');
    expect(posts()).toHaveLength(2);
    expect(slack.thread(channel, posts()[1]!.ts).replies).toHaveLength(1);
    expect(
      slack.calls.slice(calls).filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update'),
    ).toEqual([]);
    await healVoting();
  });

  it('a slot that fell due while no replica led is run once by the next leader, at once', async () => {
    const channel = 'C0CATCHUP';
    const store = storeNamed('report-state-catchup');
    const r = report({ name: 'catchup', channel, schedule: '0 0 * * * *' });
    const HOUR = 3600_000;
    const topOfHour = (ms: number) => new Date(Math.floor(ms / HOUR) * HOUR).toISOString();
    // The last leader ran the slot two hours ago, then nobody led when this hour's came due.
    const earlier = topOfHour(Date.now() - 2 * HOUR);
    await store.update((s) => {
      s.reports['catchup'] = {
        open: {},
        messages: {},
        started: { slot: earlier, at: earlier, by: 'pod-a' },
        finished: { slot: earlier, at: earlier, by: 'pod-a' },
      };
      return s;
    });
    await freezeVoting();
    const recovered: Array<[string, string]> = [];
    const ran: string[] = [];
    const scheduler = createReportScheduler({
      reports: [r],
      store,
      isLeader: () => true,
      run: async (report, slot) => {
        ran.push(slot);
        await runReport({
          report,
          cluster: 'sandbox',
          sweep: (req) => runSweepStep(req, adapters),
          store,
          notifier: createSlackReportNotifier(client),
          slot,
          identity: 'pod-b',
        });
      },
      onRecover: (_r, slot, reason) => void recovered.push([slot, reason]),
    });
    scheduler.start();
    const due = topOfHour(Date.now());
    await scheduler.recover();
    // A second start of leading (say the Lease flapped) does not run it again.
    await scheduler.recover();
    await scheduler.stop();
    expect(recovered).toEqual([[due, 'missed']]);
    expect(ran).toEqual([due]);
    expect((await store.read()).reports['catchup']!.finished).toMatchObject({ slot: due, by: 'pod-b' });
    expect(slack.messages(channel).filter((m) => !m.thread_ts)).toHaveLength(1);
    await healVoting();
  });

  it('two replicas sharing a Lease: only the leader runs the schedule, and a finished slot is not run again', async () => {
    const store = storeNamed('report-state-ha');
    const leases = createLeaseClient(createKubeCore(kubeConfig));
    const r = report({ name: 'ha' });
    const runsBy: Record<string, string[]> = { 'pod-a': [], 'pod-b': [] };
    const skipped: Record<string, number> = { 'pod-a': 0, 'pod-b': 0 };
    const notifier = createSlackReportNotifier(client);
    /** Re-evaluated whenever a replica runs or skips a slot. */
    let progress: () => void = () => undefined;
    const threeRuns = new Promise<void>((resolve) => {
      progress = () => {
        if (runsBy['pod-a']!.length >= 3 && skipped['pod-b']! >= 3) resolve();
      };
    });
    const replica = (identity: string) => {
      let leads: () => void = () => undefined;
      const leading = new Promise<void>((resolve) => (leads = resolve));
      const elector = createLeaderElector({
        onStartedLeading: () => leads(),
        leases,
        namespace: 'meshbot',
        name: 'meshbot-scheduler-ha',
        identity,
        leaseDurationMs: 1500,
        renewDeadlineMs: 1000,
        retryPeriodMs: 200,
      });
      const scheduler = createReportScheduler({
        reports: [r],
        store,
        isLeader: () => elector.isLeader(),
        run: async (report, slot) => {
          runsBy[identity]!.push(slot);
          progress();
          await runReport({
            report,
            cluster: 'sandbox',
            sweep: (req) => runSweepStep(req, adapters),
            store,
            notifier,
            slot,
            identity,
            fence: elector.fencingToken() ?? 0,
          });
        },
        onSkip: (_r, _slot, reason) => {
          if (reason === 'not-leader') skipped[identity]!++;
          progress();
        },
      });
      return { elector, scheduler, leading };
    };
    const before = slack.messages(CHANNEL).filter((m) => !m.thread_ts).length;
    await freezeVoting();
    const a = replica('pod-a');
    const b = replica('pod-b');
    a.elector.start();
    await a.leading;
    b.elector.start();
    a.scheduler.start();
    b.scheduler.start();
    // Three finished runs by the leader.
    await threeRuns;
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    await Promise.all([a.elector.stop(), b.elector.stop()]);
    expect(runsBy['pod-b']).toEqual([]);
    expect(new Set(runsBy['pod-a']).size).toBe(runsBy['pod-a']!.length);
    // One post for the frozen service, not one per run.
    expect(slack.messages(CHANNEL).filter((m) => !m.thread_ts).length - before).toBe(1);
    await healVoting();
  });

  it('a leader that dies mid-run: the other takes over within the lease duration and runs the unfinished slot, posting once', async () => {
    const store = storeNamed('report-state-failover');
    const sandboxLeases = createLeaseClient(createKubeCore(kubeConfig));
    let cut = false;
    const cuttable: LeaseClient = {
      get: (ns, name) =>
        cut ? Promise.reject(new MeshbotError('unreachable', 'cut')) : sandboxLeases.get(ns, name),
      create: (ns, name, r) =>
        cut ? Promise.reject(new MeshbotError('unreachable', 'cut')) : sandboxLeases.create(ns, name, r),
      replace: (ns, name, r, rv) =>
        cut ? Promise.reject(new MeshbotError('unreachable', 'cut')) : sandboxLeases.replace(ns, name, r, rv),
    };
    const r = report({ name: 'failover' });
    const notifier = createSlackReportNotifier(client);
    const timings = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };
    const before = slack.messages(CHANNEL).filter((m) => !m.thread_ts).length;
    await freezeVoting();

    // pod-a leads, starts a slot and dies in the middle of its sweep (its Lease renewals stop).
    let abandon: (err: Error) => void = () => undefined;
    let startedSlot: (slot: string) => void = () => undefined;
    const slotStarted = new Promise<string>((resolve) => (startedSlot = resolve));
    let aLeads: () => void = () => undefined;
    const aLeading = new Promise<void>((resolve) => (aLeads = resolve));
    const a = createLeaderElector({
      ...timings,
      leases: cuttable,
      namespace: 'meshbot',
      name: 'meshbot-scheduler-failover',
      identity: 'pod-a',
      onStartedLeading: () => aLeads(),
    });
    const aScheduler = createReportScheduler({
      reports: [r],
      store,
      isLeader: () => a.isLeader(),
      run: (report, slot) =>
        runReport({
          report,
          cluster: 'sandbox',
          sweep: () => {
            startedSlot(slot);
            cut = true;
            return new Promise((_resolve, reject) => (abandon = reject));
          },
          store,
          notifier,
          slot,
          identity: 'pod-a',
          fence: a.fencingToken() ?? 0,
        }).then(() => undefined),
      onError: () => undefined,
    });
    a.start();
    await aLeading;
    aScheduler.start();
    const unfinished = await slotStarted;
    const diedAt = performance.now();

    // pod-b stands by, takes over and runs the slot pod-a left unfinished.
    let bLeads: (at: number) => void = () => undefined;
    const bLeading = new Promise<number>((resolve) => (bLeads = resolve));
    const bSlots: string[] = [];
    let recovered: () => void = () => undefined;
    const ranUnfinished = new Promise<void>((resolve) => (recovered = resolve));
    const b = createLeaderElector({
      ...timings,
      leases: sandboxLeases,
      namespace: 'meshbot',
      name: 'meshbot-scheduler-failover',
      identity: 'pod-b',
      onStartedLeading: () => {
        bLeads(performance.now());
        void bScheduler.recover();
      },
    });
    const bScheduler = createReportScheduler({
      reports: [r],
      store,
      isLeader: () => b.isLeader(),
      run: async (report, slot) => {
        bSlots.push(slot);
        await runReport({
          report,
          cluster: 'sandbox',
          sweep: (req) => runSweepStep(req, adapters),
          store,
          notifier,
          slot,
          identity: 'pod-b',
          fence: b.fencingToken() ?? 0,
        });
        if (slot === unfinished) recovered();
      },
    });
    b.start();
    bScheduler.start();
    const tookOver = await bLeading;
    expect(tookOver - diedAt).toBeLessThan(timings.leaseDurationMs + 2 * timings.retryPeriodMs * 1.2);
    expect(a.isLeader()).toBe(false);
    await ranUnfinished;
    await bScheduler.idle();

    abandon(new Error('pod-a died'));
    await Promise.all([aScheduler.stop(), bScheduler.stop()]);
    await Promise.all([a.stop(), b.stop()]);
    expect(bSlots[0]).toBe(unfinished);
    const state = await store.read();
    expect(state.reports['failover']!.finished?.by).toBe('pod-b');
    // The frozen service is posted once: by pod-b, for the slot pod-a did not finish.
    expect(slack.messages(CHANNEL).filter((m) => !m.thread_ts).length - before).toBe(1);
    await healVoting();
  });
});
