/**
 * The scale test step against the sandbox's real API server (scale subresource, watches) and
 * destination controller (streams, the `freeze` fault): the passing path with every stage
 * timed, failures that still restore, and the safety refusals.
 */
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { MeshbotError } from '../../../src/errors.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { runScaleTestStep } from '../../../src/steps/scale-test/run-scale-test-step.js';
import type { ScaleTestEvent, StageName } from '../../../src/steps/scale-test/scale-test-types.js';
import type { WorkloadScaling } from '../../../src/adapters/kube/workload-scaling.js';
import {
  annotationOf,
  FAST,
  NS,
  openSandboxAdapters,
  replicasOf,
  scaleTestScenario,
  waitForSettled,
} from './scale-test-sandbox.js';
import { startFakePrometheus } from './fake-prometheus.js';
import { nextCommands } from '../../support/next-commands.js';

const UP: StageName[] = ['pod-created', 'pod-ready', 'slice-added', 'destination-added'];
const DOWN: StageName[] = ['pod-terminating', 'slice-removed', 'destination-removed'];

describe('scale-test step through the sandbox', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: scaleTestScenario() });
    adapters = await openSandboxAdapters(sb);
    await Promise.all([
      waitForSettled(sb.store, 'web', 2),
      waitForSettled(sb.store, 'frozen', 2),
      waitForSettled(sb.store, 'twice', 1),
      waitForSettled(sb.store, 'cancel', 1),
    ]);
  });
  afterEach(() => sb.clearFaults());
  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('passes with every stage timed, and puts the replicas back (service target)', async () => {
    const events: ScaleTestEvent[] = [];
    const result = await runScaleTestStep(
      {
        target: { service: 'web-svc', namespace: NS },
        requestedBy: 'tester',
        settings: FAST,
        onProgress: (e) => events.push(e),
      },
      adapters,
    );
    expect(result.status).toBe('pass');
    expect(result.data.plan).toMatchObject({
      workloadText: 'deploy/web.shop',
      fromReplicas: 2,
      toReplicas: 3,
    });
    const byName = new Map(result.data.stages.map((s) => [s.stage, s]));
    for (const name of [...UP, ...DOWN]) {
      expect(byName.get(name)).toMatchObject({ outcome: 'done' });
      expect(byName.get(name)!.atMs).toBeGreaterThanOrEqual(0);
    }
    // Stages of the way up come in causal order.
    const at = (n: StageName): number => byName.get(n)!.atMs!;
    expect(at('pod-created')).toBeLessThanOrEqual(at('pod-ready'));
    expect(at('pod-ready')).toBeLessThanOrEqual(at('slice-added'));
    expect(at('slice-added')).toBeLessThanOrEqual(at('destination-added'));
    expect(result.data.addedIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(result.data.restored).toBe(true);
    expect(result.evidence[0]!.rows).toHaveLength(UP.length + DOWN.length);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['plan', 'watching', 'scaled', 'stage', 'restored']),
    );
    expect(replicasOf(sb.store, 'web')).toBe(2);
    expect(annotationOf(sb.store, 'web')).toBeUndefined();
    await waitForSettled(sb.store, 'web', 2);
  });

  it("counts the new pod when its watch event comes before the scale's answer (regression)", async () => {
    // The scale's answer is held until the pod watch has delivered the new pod: the step used
    // to take the pods there "before" only after the answer, new pod included, and then
    // waited out pod-created.
    let scalingUp = false;
    let sawNewPod!: () => void;
    const newPodSeen = new Promise<void>((resolve) => (sawNewPod = resolve));
    const real = adapters.scaling;
    const scaling = new Proxy(real, {
      get(target, prop, receiver): unknown {
        if (prop === 'watchPods') {
          const watchPods: WorkloadScaling['watchPods'] = (namespace, selector, handlers, options) =>
            target.watchPods(
              namespace,
              selector,
              {
                ...handlers,
                onEvent(type, pod) {
                  handlers.onEvent(type, pod);
                  if (scalingUp && type === 'ADDED') sawNewPod();
                },
              },
              options,
            );
          return watchPods;
        }
        if (prop === 'replaceScale') {
          const replaceScale: WorkloadScaling['replaceScale'] = async (ref, replicas, resourceVersion) => {
            scalingUp = replicas === 3;
            const answer = await target.replaceScale(ref, replicas, resourceVersion);
            if (scalingUp) await newPodSeen;
            return answer;
          };
          return replaceScale;
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const result = await runScaleTestStep(
      { target: { service: 'web-svc', namespace: NS }, requestedBy: 'tester', settings: FAST },
      { ...adapters, scaling },
    );
    const created = result.data.stages.find((s) => s.stage === 'pod-created');
    expect(created).toMatchObject({ outcome: 'done' });
    expect(result.status).toBe('pass');
    expect(result.data.restored).toBe(true);
    await waitForSettled(sb.store, 'web', 2);
  });

  it('fails at the destination stage under freeze, naming it, and restores', async () => {
    sb.setFault({ type: 'freeze', service: 'frozen-svc.shop' });
    const result = await runScaleTestStep(
      {
        target: { kind: 'deployment', name: 'frozen', namespace: NS },
        requestedBy: 'tester',
        settings: FAST,
      },
      adapters,
    );
    expect(result.status).toBe('fail');
    const added = result.data.stages.find((s) => s.stage === 'destination-added')!;
    expect(added.outcome).toBe('timeout');
    expect(result.data.stages.find((s) => s.stage === 'slice-added')!.outcome).toBe('done');
    expect(result.summary).toMatch(
      /Kubernetes added \d+\.\d+\.\d+\.\d+ at \+\d+\.\d s; the destination never sent it within 3 s/,
    );
    expect(nextCommands(result.next)).toEqual(expect.arrayContaining(['metrics frozen-svc.shop', 'check']));
    expect(
      result.next.some((n) => /rollout restart deploy\/linkerd-destination/.test(n.description ?? '')),
    ).toBe(true);
    expect(result.data.restored).toBe(true);
    expect(replicasOf(sb.store, 'frozen')).toBe(2);
    expect(annotationOf(sb.store, 'frozen')).toBeUndefined();
  });

  it('times out on a pod that never turns ready, and restores', async () => {
    const result = await runScaleTestStep(
      { target: { kind: 'deployment', name: 'stuck', namespace: NS }, requestedBy: 'tester', settings: FAST },
      adapters,
    );
    expect(result.status).toBe('fail');
    const stages = new Map(result.data.stages.map((s) => [s.stage, s.outcome]));
    expect(stages.get('pod-created')).toBe('done');
    expect(stages.get('pod-ready')).toBe('timeout');
    expect(stages.get('destination-added')).toBe('skipped');
    expect(result.findings.map((f) => f.code)).toContain('pod-never-ready');
    expect(result.data.restored).toBe(true);
    expect(replicasOf(sb.store, 'stuck')).toBe(1);
    expect(annotationOf(sb.store, 'stuck')).toBeUndefined();
  });

  it('refuses a workload an HPA scales, changing nothing', async () => {
    const before = deploymentVersion();
    await expect(
      runScaleTestStep(
        {
          target: { kind: 'deployment', name: 'auto', namespace: NS },
          requestedBy: 'tester',
          settings: FAST,
        },
        adapters,
      ),
    ).rejects.toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/HorizontalPodAutoscaler auto/),
    });
    expect(deploymentVersion()).toBe(before);
    function deploymentVersion(): string | undefined {
      return sb.store.get({ group: 'apps', plural: 'deployments' }, NS, 'auto')?.metadata.resourceVersion;
    }
  });

  it('refuses past the configured maximum and outside the allowed namespaces', async () => {
    await expect(
      runScaleTestStep(
        {
          target: { kind: 'deployment', name: 'web', namespace: NS },
          requestedBy: 't',
          settings: { ...FAST, maxReplicas: 2 },
        },
        adapters,
      ),
    ).rejects.toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/past the configured maximum of 2/),
    });
    await expect(
      runScaleTestStep(
        {
          target: { kind: 'deployment', name: 'elsewhere', namespace: 'other' },
          requestedBy: 't',
          settings: { ...FAST, namespaces: [NS] },
        },
        adapters,
      ),
    ).rejects.toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/not allowed in namespace other/),
    });
  });

  it('refuses a second test on the same workload while the first runs', async () => {
    sb.setFault({ type: 'freeze', service: 'twice-svc.shop' });
    let second: Promise<unknown> | undefined;
    const first = runScaleTestStep(
      {
        target: { kind: 'deployment', name: 'twice', namespace: NS },
        requestedBy: 'first',
        settings: FAST,
        onProgress: (e) => {
          // Once the first has scaled, its record is on the workload: start the second.
          if (e.type === 'scaled' && e.direction === 'up') {
            second = runScaleTestStep(
              {
                target: { kind: 'deployment', name: 'twice', namespace: NS },
                requestedBy: 'second',
                settings: FAST,
              },
              adapters,
            ).then(
              () => 'ran',
              (err: unknown) => err,
            );
          }
        },
      },
      adapters,
    );
    const firstResult = await first;
    const err = await second;
    expect(err).toBeInstanceOf(MeshbotError);
    expect(err).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/another scale test .* asked by first/),
    });
    expect(firstResult.data.restored).toBe(true);
    expect(replicasOf(sb.store, 'twice')).toBe(1);
    expect(annotationOf(sb.store, 'twice')).toBeUndefined();
  });

  it('restores when cancelled mid-test through the AbortSignal', async () => {
    sb.setFault({ type: 'freeze', service: 'cancel-svc.shop' });
    const controller = new AbortController();
    const result = await runScaleTestStep(
      {
        target: { kind: 'deployment', name: 'cancel', namespace: NS },
        requestedBy: 'tester',
        settings: { ...FAST, stageTimeoutMs: 20_000 },
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === 'stage' && e.timing.stage === 'slice-added') controller.abort();
        },
      },
      adapters,
    );
    expect(result.data.ending).toBe('cancelled');
    expect(result.status).toBe('fail');
    expect(result.data.restored).toBe(true);
    expect(replicasOf(sb.store, 'cancel')).toBe(1);
    expect(annotationOf(sb.store, 'cancel')).toBeUndefined();
  });

  it('turns a 403 on the scale subresource into the RBAC rule to grant, and leaves nothing behind', async () => {
    sb.setAccessRules([{ verb: 'update', resource: 'deployments/scale', group: 'apps' }]);
    try {
      const result = await runScaleTestStep(
        { target: { kind: 'deployment', name: 'web', namespace: NS }, requestedBy: 'tester', settings: FAST },
        adapters,
      );
      expect(result.status).toBe('error');
      const f = result.findings.find((x) => x.code === 'forbidden-error')!;
      expect(f.message).toMatch(/forbids .* to update deployments\/scale/);
      expect(f.hint).toMatch(/resources: \["deployments\/scale"\] verbs: \["update"\]/);
      expect(result.data.restored).toBe(true);
      expect(replicasOf(sb.store, 'web')).toBe(2);
      expect(annotationOf(sb.store, 'web')).toBeUndefined();
    } finally {
      sb.setAccessRules([]);
    }
  });

  it('with Prometheus configured, times endpoints_updates moving', async () => {
    const prom = await startFakePrometheus(sb.metrics);
    const withProm = await openAdapters({
      kubeconfig: sb.kubeconfig,
      destination: sb.destination,
      timeoutMs: 8000,
      prometheusUrl: prom.url,
    });
    try {
      const result = await runScaleTestStep(
        {
          target: { service: 'web-svc', namespace: NS },
          requestedBy: 'tester',
          settings: { ...FAST, metricPollMs: 100 },
        },
        withProm,
      );
      expect(result.status).toBe('pass');
      const metric = result.data.stages.find((s) => s.stage === 'metric-moved')!;
      expect(metric.outcome).toBe('done');
      expect(result.data.endpointsUpdates!.after).toBeGreaterThan(result.data.endpointsUpdates!.before);
      expect(prom.queries[0]).toBe('sum(endpoints_updates{namespace="shop",service="web-svc"})');
    } finally {
      await withProm.close();
      await prom.close();
    }
  });

  it('stops with an error, not a verdict on the destination, when its stream ends mid-test', async () => {
    sb.setFault({ type: 'reset', afterMessages: 2, service: 'twice-svc.shop' });
    const result = await runScaleTestStep(
      { target: { kind: 'deployment', name: 'twice', namespace: NS }, requestedBy: 'tester', settings: FAST },
      adapters,
    );
    expect(result.status).toBe('error');
    expect(result.summary).toMatch(
      /the destination stream of twice-svc\.shop\.svc\.cluster\.local:80 ended early/,
    );
    expect(result.findings.map((f) => f.code)).not.toContain('destination-never-added');
    expect(result.data.restored).toBe(true);
    expect(replicasOf(sb.store, 'twice')).toBe(1);
    expect(annotationOf(sb.store, 'twice')).toBeUndefined();
  });
});
