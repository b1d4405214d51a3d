/**
 * `meshbot tap` through the sandbox's aggregated tap API (real HTTP, the real wire): a
 * workload whose one path fails a fifth of its requests is named by that path, in text and in
 * JSON; the match (--to, --path, --method) and the limits (--max) are honoured; a caller without
 * the tap RBAC gets a 403 naming it; a tap with viz missing or down is a finding, not a crash;
 * bad input and limits above the caps are refused before anything is asked.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runTapCommand, type TapFlagValues } from '../../../src/cli/commands/tap.js';
import { openAdapters } from '../../../src/adapters/open-adapters.js';
import { parseCommand } from '../../../src/grammar/parse-command.js';
import { runTapStep } from '../../../src/steps/tap/run-tap-step.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { TapData } from '../../../src/steps/tap/tap-types.js';
import { AGENT_PATH, FAILING_PATH, HEALTHY_PATH, tapScenario } from './tap-sandbox.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      env: {},
    },
  };
}

async function tap(sb: RunningSandbox, target: string, flags: TapFlagValues = {}) {
  const c = capture();
  const code = await runTapCommand(target, { kubeconfig: sb.kubeconfig, timeout: '8s', ...flags }, c.io);
  return { code, ...c.out };
}

describe('meshbot tap through the sandbox', () => {
  let sb: RunningSandbox;
  let dir: string;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: tapScenario() });
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshbot-tap-'));
  }, 60_000);

  afterAll(async () => {
    await sb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('names the path that fails a fifth of its requests (JSON: every request, the routes)', async () => {
    const r = await tap(sb, 'deploy/web.emojivoto', { duration: '3s', max: '1000', output: 'json' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as StepResult<TapData>;
    expect(result.status).toBe('fail');
    expect(result.summary).toContain(FAILING_PATH);
    const failing = result.findings.filter((f) => f.code === 'route-failing');
    expect(failing).toHaveLength(1);
    expect(failing[0]!.message).toContain(FAILING_PATH);
    expect(failing[0]!.message).toContain('deploy/voting');
    const doughnut = result.data.routes.find((x) => x.path === FAILING_PATH)!;
    expect(doughnut.successRate).toBeGreaterThan(0.7);
    expect(doughnut.successRate).toBeLessThan(0.9);
    expect(doughnut.statuses['grpc 2']).toBeGreaterThan(0);
    expect(doughnut.method).toBe('POST');
    expect(result.data.routes.find((x) => x.path === HEALTHY_PATH)!.successRate).toBe(1);
    // Inbound (vote-bot -> web) and outbound requests of web's proxy, all in the full list.
    const inbound = result.data.routes.find((x) => x.path === '/api/vote')!;
    expect(inbound.direction).toBe('inbound');
    expect(result.data.requests.length).toBeGreaterThanOrEqual(result.data.requestCount);
    expect(result.data.requests[0]).toMatchObject({ method: expect.any(String), source: expect.any(String) });
    expect(result.data.ended).toBe('duration');
    // The raw events as linkerd viz tap -o json prints them: each request's init among them.
    expect(result.data.eventsDropped).toBe(0);
    expect(result.data.events.filter((e) => e.requestInitEvent).length).toBe(result.data.requests.length);
    const end = result.data.events.find((e) => e.responseEndEvent?.grpcStatusCode === 2)!;
    expect(end).toMatchObject({
      proxyDirection: 'OUTBOUND',
      source: { ip: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/), metadata: { deployment: 'web' } },
      destination: { metadata: { deployment: 'voting', namespace: 'emojivoto' } },
      responseEndEvent: { trailers: null, sinceRequestInit: expect.any(Object) },
    });
  }, 30_000);

  it('renders a text summary a person reads in five seconds', async () => {
    const r = await tap(sb, 'deploy/web.emojivoto', { duration: '2s' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(FAILING_PATH);
    expect(r.stdout).toMatch(/Routes of deploy\/web\.emojivoto/);
    expect(r.stdout).toMatch(/Failing requests/);
  }, 30_000);

  it('honours --to, --path, --method and stops at --max', async () => {
    const r = await tap(sb, 'deploy/web.emojivoto', {
      to: 'svc/voting-svc.emojivoto',
      path: '/emojivoto.v1.VotingService/VotePoop',
      method: 'POST',
      duration: '10s',
      max: '15',
      output: 'json',
    });
    const result = JSON.parse(r.stdout) as StepResult<TapData>;
    expect(result.status).toBe('pass');
    expect(result.data.ended).toBe('count');
    expect(result.data.requestCount).toBe(15);
    expect(result.data.routes.map((x) => x.path)).toEqual([HEALTHY_PATH]);
    expect(result.durationMs).toBeLessThan(8000);
    const none = await tap(sb, 'deploy/web.emojivoto', { method: 'DELETE', duration: '1s', output: 'json' });
    expect(JSON.parse(none.stdout)).toMatchObject({ status: 'warn', findings: [{ code: 'no-requests' }] });
  }, 30_000);

  it('ends an open tap when its adapter set closes (shutdown), and refuses new ones', async () => {
    const adapters = await openAdapters({ kubeconfig: sb.kubeconfig, timeoutMs: 8000 });
    const command = parseCommand('tap deploy/web.emojivoto --duration 60s --max 10000');
    if (command.name !== 'tap') throw new Error('not a tap');
    const started = Date.now();
    let closed = false;
    const result = await runTapStep(command, adapters, {
      limits: { maxDurationSeconds: 60, maxRequests: 10_000 },
      onProgress: (text) => {
        // The first count of requests: the stream is open and flowing.
        if (!closed && /requests so far/.test(text)) {
          closed = true;
          void adapters.close();
        }
      },
    });
    expect(closed).toBe(true);
    expect(result.data?.ended).toBe('aborted');
    expect(result.data?.requestCount).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(
      runTapStep(command, adapters, { limits: { maxDurationSeconds: 60, maxRequests: 10_000 } }),
    ).rejects.toThrow(/closed/);
  }, 30_000);

  it('is an aggregated API kubectl discovers: the APIService, and tap resources with verb watch', async () => {
    const kubectl = (...args: string[]) =>
      new Promise<{ stdout: string; stderr: string }>((resolve) =>
        execFile(
          'kubectl',
          ['--kubeconfig', sb.kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args],
          { timeout: 20_000 },
          (_err, stdout, stderr) => resolve({ stdout, stderr }),
        ),
      );
    const apiService = await kubectl('get', 'apiservice', 'v1alpha1.tap.linkerd.io', '-o', 'json');
    expect(JSON.parse(apiService.stdout)).toMatchObject({
      spec: {
        group: 'tap.linkerd.io',
        version: 'v1alpha1',
        service: { namespace: 'linkerd-viz', name: 'tap' },
      },
    });
    const resources = await kubectl('api-resources', '--api-group', 'tap.linkerd.io', '-o', 'wide');
    expect(resources.stderr).toBe('');
    expect(resources.stdout).toMatch(/deployments\s+tap\.linkerd\.io\/v1alpha1\s+true\s+Tap\s+watch/);
    const raw = await kubectl('get', '--raw', '/apis/tap.linkerd.io/v1alpha1');
    expect(JSON.parse(raw.stdout)).toMatchObject({
      kind: 'APIResourceList',
      groupVersion: 'tap.linkerd.io/v1alpha1',
    });
  }, 30_000);

  it('refuses bad input and limits above the caps, asking nothing', async () => {
    const cases: Array<[string, TapFlagValues, RegExp]> = [
      ['deploy/web.emojivoto', { duration: 'ten' }, /--duration "ten" is not a duration/],
      ['deploy/web.emojivoto', { duration: '10m' }, /--duration 10m is out of range/],
      ['deploy/web.emojivoto', { duration: '2m' }, /--duration 2m is above the cap of 1m/],
      ['deploy/web.emojivoto', { max: '5000' }, /--max 5000 is above the cap of 1000 requests/],
      ['deploy/web.emojivoto', { max: '0' }, /--max 0 is out of range/],
      ['deploy/web.emojivoto', { method: 'FETCH' }, /--method "FETCH" is not an HTTP method/],
      ['deploy/web.emojivoto', { path: 'api' }, /--path "api" is not a path prefix/],
      ['deploy/web.emojivoto', { to: 'voting-svc' }, /--to "voting-svc" is not of the form/],
      ['svc/web-svc.emojivoto', {}, /tap cannot watch "svc\/web-svc.emojivoto"/],
      ['web.emojivoto', {}, /tap cannot watch "web.emojivoto"/],
    ];
    for (const [target, flags, message] of cases) {
      const r = await tap(sb, target, flags);
      expect({ target, flags, code: r.code }).toEqual({ target, flags, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/Hint: /);
    }
  }, 30_000);

  it('a deployment that does not exist is said so', async () => {
    const r = await tap(sb, 'deploy/nope.emojivoto', { duration: '1s' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('deployments.apps "nope" not found');
  }, 30_000);

  it('a caller without the tap RBAC gets a 403 naming watch on deployments/tap', async () => {
    // A ServiceAccount that may read pods but not tap.
    const kubeconfig = path.join(dir, 'reader.yaml');
    sb.store.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'reader', namespace: 'emojivoto' },
    });
    await writeFile(kubeconfig, await sb.kubeconfigFor('emojivoto', 'reader'));
    const denied = capture();
    const code = await runTapCommand(
      'deploy/web.emojivoto',
      { kubeconfig, timeout: '8s', duration: '1s' },
      denied.io,
    );
    expect(code).toBe(3);
    expect(denied.out.stderr).toContain('watch');
    expect(denied.out.stderr).toContain('deployments/tap');
    expect(denied.out.stderr).toContain('tap.linkerd.io');
    expect(denied.out.stderr).toMatch(
      /Hint: .*apiGroups: \["tap\.linkerd\.io"\] resources: \["deployments\/tap"\] verbs: \["watch"\]/,
    );
    // Granted as linkerd-viz's tap-admin ClusterRole does (tap.linkerd.io * watch), it taps.
    sb.store.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'tap-admin-test' },
      rules: [{ apiGroups: ['tap.linkerd.io'], resources: ['*'], verbs: ['watch'] }],
    });
    sb.store.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'reader-tap', namespace: 'emojivoto' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tap-admin-test' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'emojivoto' }],
    });
    const allowed = capture();
    expect(
      await runTapCommand('deploy/web.emojivoto', { kubeconfig, timeout: '8s', duration: '1s' }, allowed.io),
    ).toBe(1);
    expect(allowed.out.stdout).toContain(FAILING_PATH);
  }, 30_000);
});

describe('meshbot tap without linkerd-viz', () => {
  it('says viz is not installed (404), or that tap is down (503), as a finding', async () => {
    const absent = await startSandbox({ scenario: tapScenario({ installed: false }) });
    try {
      const r = await tap(absent, 'deploy/web.emojivoto', { duration: '1s', output: 'json' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(3);
      const result = JSON.parse(r.stdout) as StepResult;
      expect(result.status).toBe('error');
      expect(result.findings[0]).toMatchObject({ code: 'viz-not-installed' });
      expect(result.findings[0]!.message).toContain('linkerd-viz is not installed');
      expect(result.findings[0]!.hint).toContain('linkerd viz install');
    } finally {
      await absent.stop();
    }
    const down = await startSandbox({ scenario: tapScenario({ tap: 'down' }) });
    try {
      const r = await tap(down, 'deploy/web.emojivoto', { duration: '1s' });
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('not serving');
      expect(r.stdout).toContain('v1alpha1.tap.linkerd.io');
    } finally {
      await down.stop();
    }
  }, 60_000);
});

describe('meshbot tap of daemonsets, pods and namespaces, and --to each of them', () => {
  let sb: RunningSandbox;
  let dir: string;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: tapScenario() });
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshbot-tap-kinds-'));
  }, 60_000);

  afterAll(async () => {
    await sb?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const json = (r: { stdout: string }) => JSON.parse(r.stdout) as StepResult<TapData>;
  const podsOf = (app: string) =>
    sb.store
      .listStored({ apiVersion: 'v1', kind: 'Pod' }, { namespace: 'emojivoto' })
      .items.filter((p) => p.metadata.labels?.['app'] === app)
      .map((p) => p.metadata.name)
      .sort();

  it('taps a DaemonSet: the requests its pods (one per node) serve', async () => {
    expect(podsOf('node-agent')).toHaveLength(3);
    const r = await tap(sb, 'ds/node-agent.emojivoto', { duration: '2s', output: 'json' });
    expect(r.stderr).toBe('');
    const result = json(r);
    expect(result.target).toBe('daemonset/node-agent.emojivoto');
    expect(result.status).toBe('pass');
    expect(result.data.routes).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: AGENT_PATH,
        destination: 'daemonset/node-agent',
        direction: 'inbound',
      }),
    ]);
    expect(result.data.requests.every((q) => q.source === 'deploy/web')).toBe(true);
  }, 30_000);

  it('taps one pod: only what that pod’s proxy sees (vote-bot’s pod calls web, nothing else)', async () => {
    const [pod] = podsOf('vote-bot');
    const r = await tap(sb, `po/${pod}.emojivoto`, { duration: '2s', output: 'json' });
    const result = json(r);
    expect(result.target).toBe(`pod/${pod}.emojivoto`);
    expect(result.data.routes.map((x) => [x.path, x.direction])).toEqual([['/api/vote', 'outbound']]);
    expect(result.next.map((n) => n.label)).toContain("Read the pod's proxy log");
  }, 30_000);

  it('taps a namespace with --to a DaemonSet: both ends of web -> node-agent, nothing else', async () => {
    const r = await tap(sb, 'ns/emojivoto', {
      to: 'ds/node-agent.emojivoto',
      duration: '2s',
      output: 'json',
    });
    const result = json(r);
    expect(result.target).toBe('ns/emojivoto');
    expect(result.data.match).toEqual({ to: 'daemonset/node-agent.emojivoto' });
    const directions = new Set(result.data.routes.map((x) => `${x.path} ${x.direction}`));
    expect([...directions].sort()).toEqual([`${AGENT_PATH} inbound`, `${AGENT_PATH} outbound`]);
  }, 30_000);

  it('--to one pod and --to a namespace match by the destination’s labels', async () => {
    const [agent] = podsOf('node-agent');
    const toPod = json(
      await tap(sb, 'deploy/web.emojivoto', { to: `pod/${agent}.emojivoto`, duration: '2s', output: 'json' }),
    );
    expect(toPod.data.routes.map((x) => x.path)).toEqual([AGENT_PATH]);
    expect(toPod.data.requestCount).toBeGreaterThan(0);
    const elsewhere = json(
      await tap(sb, 'deploy/web.emojivoto', { to: 'ns/linkerd', duration: '1s', output: 'json' }),
    );
    expect(elsewhere.findings[0]).toMatchObject({ code: 'no-requests' });
  }, 30_000);

  it('a pod whose tap is disabled by annotation is named, with what to do', async () => {
    const [name] = podsOf('emoji-svc');
    const pod = sb.store.get({ apiVersion: 'v1', kind: 'Pod' }, 'emojivoto', name!)!;
    sb.store.update({
      ...pod,
      metadata: {
        ...pod.metadata,
        annotations: { ...pod.metadata.annotations, 'viz.linkerd.io/disable-tap': 'true' },
      },
    });
    const r = await tap(sb, `pod/${name}.emojivoto`, { duration: '1s' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      '1 pods found with tap disabled via the viz.linkerd.io/disable-tap annotation',
    );
    expect(r.stderr).toContain(`* ${name}`);
    expect(r.stderr).toMatch(/Hint: .*remove the annotation/);
  }, 30_000);

  it('says which daemonset or namespace does not exist, as the tap server does', async () => {
    const ds = await tap(sb, 'ds/nope.emojivoto', { duration: '1s' });
    expect(ds.code).toBe(3);
    expect(ds.stderr).toContain('daemonsets.apps "nope" not found');
    const ns = await tap(sb, 'ns/nope', { duration: '1s' });
    expect(ns.code).toBe(3);
    expect(ns.stderr).toContain('namespaces "nope" not found');
    expect(ns.stderr).toContain('kubectl get namespaces');
  }, 30_000);

  it('a 403 names the resource of each kind: daemonsets/tap; for a namespace, tap then namespaces/tap', async () => {
    sb.store.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'oncall', namespace: 'emojivoto' },
    });
    const kubeconfig = path.join(dir, 'oncall.yaml');
    await writeFile(kubeconfig, await sb.kubeconfigFor('emojivoto', 'oncall'));
    const as = async (target: string) => {
      const c = capture();
      const code = await runTapCommand(target, { kubeconfig, timeout: '8s', duration: '1s' }, c.io);
      return { code, ...c.out };
    };
    const ds = await as('ds/node-agent.emojivoto');
    expect(ds.code).toBe(3);
    expect(ds.stderr).toContain('RBAC permission "watch" on "daemonsets/tap"');
    // The API server reads .../watch/namespaces/NS/tap as resource `tap` in NS.
    const ns = await as('ns/emojivoto');
    expect(ns.code).toBe(3);
    expect(ns.stderr).toContain('RBAC permission "watch" on "tap"');
    expect(ns.stderr).toContain('resources: ["tap", "namespaces/tap"]');
    // With `tap` alone the API server lets it through; the tap server's own review wants namespaces/tap.
    const grant = (name: string, resources: string[]) => {
      sb.store.create({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name, namespace: 'emojivoto' },
        rules: [{ apiGroups: ['tap.linkerd.io'], resources, verbs: ['watch'] }],
      });
      sb.store.create({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace: 'emojivoto' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name: 'oncall', namespace: 'emojivoto' }],
      });
    };
    grant('tap-path', ['tap']);
    const half = await as('ns/emojivoto');
    expect(half.code).toBe(3);
    expect(half.stderr).toContain('RBAC permission "watch" on "namespaces/tap"');
    grant('tap-namespace', ['namespaces/tap', 'daemonsets/tap']);
    const whole = await as('ns/emojivoto');
    expect(whole.stderr).toBe('');
    expect(whole.stdout).toContain('Routes of ns/emojivoto');
    expect((await as('ds/node-agent.emojivoto')).stdout).toContain(AGENT_PATH);
  }, 30_000);
});
