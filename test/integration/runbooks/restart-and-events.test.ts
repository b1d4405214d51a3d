/**
 * The restart and events steps through the sandbox: a restart replaces the pods and waits for
 * the rollout; two clicks of one confirmation (even at the same moment, as two replicas would)
 * restart once; what is not allow-listed is refused before any change; a rollout that cannot
 * finish times out saying where it stuck. The events step names crash-looping pods.
 */
import type { Adapters } from '../../../src/adapters/open-adapters.js';
import { createWorkloadScaling } from '../../../src/adapters/kube/workload-scaling.js';
import { loadKubeConfig } from '../../../src/adapters/kube/load-kubeconfig.js';
import { createKubeCore } from '../../../src/adapters/kube/kube-core.js';
import { MeshbotError } from '../../../src/errors.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { runCommand } from '../../../src/steps/run-command.js';
import { parseCommand } from '../../../src/grammar/parse-command.js';
import { runRestartStep, type RestartRequest } from '../../../src/steps/restart/run-restart-step.js';
import { defaultRestartAllowList } from '../../../src/steps/restart/restart-policy.js';
import type { EventsData } from '../../../src/steps/events/run-events-step.js';
import { openSandboxAdapters, waitForSettled } from '../scale-test/scale-test-sandbox.js';
import { runRestartCommand } from '../../../src/cli/commands/restart.js';
import { runEventsCommand } from '../../../src/cli/commands/events.js';

const NS = 'shop';

describe('restart and events through the sandbox', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;
  const scaling = () =>
    createWorkloadScaling(
      createKubeCore(loadKubeConfig({ kubeconfig: sb.kubeconfig }).kubeConfig, { requestTimeoutMs: 8000 }),
    );
  const req = (name: string, extra: Partial<RestartRequest> = {}): RestartRequest => ({
    target: { kind: 'deployment', name, namespace: NS },
    requestedBy: 'U1',
    confirmedBy: 'U2',
    confirmationId: `c-${name}`,
    allow: [`deploy/*.${NS}`],
    timeoutMs: 20_000,
    ...extra,
  });
  const templateHashes = (app: string): string[] =>
    [
      ...new Set(
        sb.store
          .list({ apiVersion: 'apps/v1', kind: 'ReplicaSet' }, { namespace: NS, labelSelector: `app=${app}` })
          .items.map((rs) => rs.metadata.labels?.['pod-template-hash'] ?? ''),
      ),
    ].sort();

  beforeAll(async () => {
    sb = await startSandbox({
      scenario: {
        name: 'restart-integration',
        namespaces: [NS],
        terminationDelayMs: 20,
        linkerd: {},
        deployments: [
          { name: 'api', namespace: NS, replicas: 2, readyDelayMs: 20, containerPorts: [{ port: 8080 }] },
          { name: 'twice', namespace: NS, replicas: 1, readyDelayMs: 20, containerPorts: [{ port: 8080 }] },
          { name: 'stuck', namespace: NS, replicas: 1, neverReady: true, containerPorts: [{ port: 8080 }] },
          {
            name: 'crashy',
            namespace: NS,
            replicas: 1,
            crashLoop: { initialRestarts: 4, intervalMs: 60_000 },
            containerPorts: [{ port: 8080 }],
          },
        ],
        services: [{ name: 'crashy-svc', namespace: NS, selector: { app: 'crashy' }, ports: [{ port: 80 }] }],
      },
    });
    adapters = await openSandboxAdapters(sb);
    await Promise.all([waitForSettled(sb.store, 'api', 2), waitForSettled(sb.store, 'twice', 1)]);
  }, 60_000);

  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('restarts a deployment as kubectl rollout restart does and waits for the rollout', async () => {
    const before = templateHashes('api');
    const progress: string[] = [];
    const r = await runRestartStep(req('api', { onProgress: (t) => progress.push(t) }), scaling());
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/^Restarted deploy\/api\.shop \(confirmed by U2\); the rollout completed in /);
    expect(r.data.completed).toBe(true);
    expect(r.data.alreadyDone).toBe(false);
    const after = templateHashes('api');
    expect(after).toHaveLength(before.length + 1); // a new ReplicaSet for the new template
    const d = sb.store.get({ group: 'apps', plural: 'deployments' }, NS, 'api')!;
    const template = (d['spec'] as { template: { metadata: { annotations: Record<string, string> } } })
      .template;
    expect(template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(r.data.restartedAt);
    expect(JSON.parse(d.metadata.annotations!['meshbot.io/restart-claim']!)).toEqual({
      id: 'c-api',
      by: 'U2',
      at: r.data.restartedAt,
    });
    expect(progress[0]).toMatch(/^restarted deploy\/api\.shop/);
    expect(progress.at(-1)).toBe('rollout of deploy/api.shop: 2 of 2 new pods, 2 available');
  }, 30_000);

  it('restarts once for one confirmation, even for two clicks at the same moment', async () => {
    const before = templateHashes('twice');
    // Two replicas of meshbot, each with its own client, handle the same Confirm.
    const [a, b] = await Promise.all([
      runRestartStep(req('twice'), scaling()),
      runRestartStep(req('twice'), scaling()),
    ]);
    expect([a.status, b.status]).toEqual(['pass', 'pass']);
    expect([a.data.alreadyDone, b.data.alreadyDone].sort()).toEqual([false, true]);
    expect(templateHashes('twice')).toHaveLength(before.length + 1);
    const third = await runRestartStep(req('twice'), scaling());
    expect(third.data.alreadyDone).toBe(true);
    expect(third.findings[0]?.message).toMatch(
      /already restarted deploy\/twice\.shop at .*; it was not restarted again/,
    );
    expect(templateHashes('twice')).toHaveLength(before.length + 1);
  }, 30_000);

  it('refuses what is not allow-listed, with the reason, before any change', async () => {
    const before = templateHashes('api');
    const err = await runRestartStep(
      req('api', { allow: defaultRestartAllowList('linkerd') }),
      scaling(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MeshbotError);
    expect((err as MeshbotError).kind).toBe('refused');
    expect((err as MeshbotError).message).toBe(
      "deploy/api.shop is not on meshbot's restart allow-list (deploy/linkerd-destination.linkerd, deploy/linkerd-identity.linkerd, deploy/linkerd-proxy-injector.linkerd)",
    );
    expect(templateHashes('api')).toEqual(before);
    await expect(runRestartStep(req('nope'), scaling())).rejects.toThrow('deploy/nope.shop does not exist');
  });

  it('times out saying where the rollout stuck', async () => {
    const r = await runRestartStep(req('stuck', { timeoutMs: 1500 }), scaling());
    expect(r.status).toBe('fail');
    expect(r.data.stuckAt).toBe('after 1.5s: 1 of 1 new pods, 0 available');
    expect(r.findings[0]?.code).toBe('rollout-stuck');
  }, 30_000);

  it('events names a crash-looping pod, for a workload and for its service', async () => {
    for (const text of ['events deploy/crashy.shop', 'events crashy-svc.shop']) {
      const r = await runCommand(parseCommand(text), adapters);
      expect(r.status).toBe('fail');
      const data = r.data as EventsData;
      expect(data.selector).toBe('app=crashy');
      const f = r.findings.find((x) => x.code === 'crash-loop');
      expect(f?.message).toMatch(
        /^crashy-\S+ \(crashy\) is crash-looping \(CrashLoopBackOff, \d+ restarts; last exit: Error\)$/,
      );
      expect(r.evidence[0]?.columns).toEqual([
        'Pod',
        'Container',
        'Ready',
        'Restarts',
        'Last termination',
        'Waiting',
      ]);
    }
    const quiet = await runCommand(parseCommand('events deploy/twice.shop'), adapters);
    expect(quiet.status).toBe('pass');
    await expect(runCommand(parseCommand('events deploy/ghost.shop'), adapters)).rejects.toThrow(
      'deploy/ghost.shop does not exist',
    );
  }, 30_000);

  it('on the command line: restart asks for --yes, then rolls out; events prints the trouble', async () => {
    const io = () => {
      const out = { stdout: '', stderr: '' };
      return {
        out,
        io: {
          stdout: { write: (t: string) => (out.stdout += t), isTTY: false },
          stderr: { write: (t: string) => (out.stderr += t) },
          env: {},
        },
      };
    };
    const flags = { kubeconfig: sb.kubeconfig, destination: sb.destination, timeout: '8s' };
    const dry = io();
    expect(await runRestartCommand('deploy/api.shop', { ...flags, allow: ['deploy/*.shop'] }, dry.io)).toBe(
      2,
    );
    expect(dry.out.stderr).toMatch(
      /^This would change the cluster: restart deploy\/api\.shop: its 2 pods replaced/,
    );
    const refused = io();
    expect(await runRestartCommand('deploy/api.shop', { ...flags, yes: true }, refused.io)).toBe(1);
    expect(refused.out.stderr).toContain("Error: deploy/api.shop is not on meshbot's restart allow-list");
    const done = io();
    expect(
      await runRestartCommand(
        'deploy/api.shop',
        { ...flags, yes: true, allow: ['deploy/*.shop'], output: 'json' },
        done.io,
      ),
    ).toBe(0);
    expect(JSON.parse(done.out.stdout)).toMatchObject({ step: 'restart', status: 'pass' });
    const ev = io();
    expect(await runEventsCommand('deploy/crashy.shop', { ...flags, window: '2h' }, ev.io)).toBe(1);
    expect(ev.out.stdout).toContain('CrashLoopBackOff');
  }, 30_000);
});
