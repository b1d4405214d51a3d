/**
 * `check` through the sandbox: a real API server over HTTP, client-node, the scenarios in
 * scenarios/check-*.yaml (certificates generated when they load).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { runCheckCommand } from '../../../src/cli/commands/check.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import { renderCheckText } from '../../../src/render/text/render-check-text.js';
import { POD, type Pod } from '../../../src/sandbox/cluster/kube-refs.js';
import { waitUntil } from '../../../src/sandbox/cluster/wait-until.js';
import { writeKubeconfig } from '../../../src/sandbox/kube/write-kubeconfig.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { CheckData, CheckResult, CheckResultStatus } from '../../../src/steps/check/check-types.js';
import { runCheckStep } from '../../../src/steps/check/run-check-step.js';

function statuses(result: StepResult<CheckData>): Record<string, CheckResultStatus> {
  return Object.fromEntries(result.data.categories.flatMap((c) => c.checks.map((r) => [r.id, r.status])));
}

function notPassing(result: StepResult<CheckData>): Record<string, CheckResultStatus> {
  return Object.fromEntries(Object.entries(statuses(result)).filter(([, s]) => s !== 'pass'));
}

function checkResult(result: StepResult<CheckData>, id: string): CheckResult {
  const found = result.data.categories.flatMap((c) => c.checks).find((r) => r.id === id);
  if (!found) throw new Error(`no check ${id} in the result`);
  return found;
}

/** Collects what a CLI command writes. */
function captureIO(): {
  stdout: { write(t: string): boolean };
  stderr: { write(t: string): boolean };
  env: NodeJS.ProcessEnv;
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => ((out += t), true) },
    stderr: { write: (t: string) => ((err += t), true) },
    env: { NO_COLOR: '1' },
    out: () => out,
    err: () => err,
  };
}

async function withSandbox<T>(
  scenario: string,
  fn: (sandbox: RunningSandbox, adapters: Adapters) => Promise<T>,
): Promise<T> {
  const sandbox = await startSandbox({ scenario, podReadyDelayMs: 0 });
  const adapters = await openAdapters({ kubeconfig: sandbox.kubeconfig });
  try {
    return await fn(sandbox, adapters);
  } finally {
    await adapters.close();
    await sandbox.stop();
  }
}

describe('check against the healthy emojivoto sandbox', () => {
  let sandbox: RunningSandbox;
  let adapters: Adapters;
  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0 });
    adapters = await openAdapters({ kubeconfig: sandbox.kubeconfig });
  });
  afterAll(async () => {
    await adapters?.close();
    await sandbox?.stop();
  });
  afterEach(() => sandbox.setAccessRules([]));

  it('passes every check, data plane included, grouped by category like linkerd check', async () => {
    const result = await runCheckStep({ proxy: true }, adapters);
    expect(notPassing(result)).toEqual({});
    expect(result.status).toBe('pass');
    expect(result.data.categories.map((c) => c.id)).toEqual([
      'kubernetes-api',
      'kubernetes-version',
      'linkerd-existence',
      'linkerd-config',
      'linkerd-identity',
      'linkerd-webhooks-and-apisvc-tls',
      'linkerd-destination',
      'linkerd-data-plane',
    ]);
    expect(result.data.controlPlaneVersion).toBe('stable-2.14.10');
    expect(result.findings).toEqual([]);
    const text = renderCheckText(result);
    expect(text).toContain('linkerd-identity\n----------------\n√ trust anchors can be read and parsed\n');
    expect(text).toContain('Status check results are √');
  });

  it('checks one namespace with --namespace, and fails an unknown one', async () => {
    const one = await runCheckStep({ proxy: false, namespace: 'emojivoto' }, adapters);
    expect(one.data.dataPlane).toBe('emojivoto');
    expect(checkResult(one, 'l5d-data-plane-ready').message).toMatch(
      /meshed pods in namespace emojivoto, every proxy ready/,
    );
    const none = await runCheckStep({ proxy: true, namespace: 'nope' }, adapters);
    expect(checkResult(none, 'l5d-data-plane-exists')).toMatchObject({
      status: 'fail',
      message: 'namespace nope does not exist',
    });
    expect(checkResult(none, 'l5d-data-plane-version').status).toBe('skipped');
    expect(none.status).toBe('fail');
  });

  it("a 403 on the issuer Secret is that check's error with the RBAC rule; every other check still runs", async () => {
    sandbox.setAccessRules([{ verb: 'get', resource: 'secrets', group: '', namespace: 'linkerd' }]);
    const result = await runCheckStep({ proxy: false }, adapters);
    const issuer = checkResult(result, 'l5d-identity-issuer-readable');
    expect(issuer.status).toBe('error');
    expect(issuer.message).toMatch(/forbids .* get secrets in namespace linkerd/);
    expect(issuer.hint).toMatch(/Role in namespace linkerd .*resources: \["secrets"\] verbs: \["get"\]/);
    expect(notPassing(result)).toEqual({
      'l5d-identity-issuer-readable': 'error',
      'l5d-identity-issuer-algorithm': 'skipped',
      'l5d-identity-issuer-time-valid': 'skipped',
      'l5d-identity-issuer-not-expiring-soon': 'skipped',
      'l5d-identity-issuer-issued-by-anchor': 'skipped',
    });
    expect(result.status).toBe('fail');
    expect(result.findings).toEqual([
      expect.objectContaining({ severity: 'error', code: 'l5d-identity-issuer-readable', hint: issuer.hint }),
    ]);
  });

  it('CLI: exit 0 and linkerd-check text when healthy; JSON with --output json', async () => {
    const io = captureIO();
    expect(await runCheckCommand({ kubeconfig: sandbox.kubeconfig, proxy: true }, io)).toBe(0);
    expect(io.out()).toMatch(/^kubernetes-api\n--------------\n√ can query the Kubernetes API\n/);
    const json = captureIO();
    expect(await runCheckCommand({ kubeconfig: sandbox.kubeconfig, output: 'json' }, json)).toBe(0);
    const parsed = JSON.parse(json.out()) as StepResult<CheckData>;
    expect(parsed).toMatchObject({
      step: 'check',
      status: 'pass',
      data: { controlPlaneNamespace: 'linkerd' },
    });
    expect(parsed.data.counts.fail).toBe(0);
  });

  it('CLI: exit 1 when a check fails (403), 2 on a bad namespace', async () => {
    sandbox.setAccessRules([{ verb: 'get', resource: 'secrets', group: '', namespace: 'linkerd' }]);
    const io = captureIO();
    expect(await runCheckCommand({ kubeconfig: sandbox.kubeconfig }, io)).toBe(1);
    expect(io.out()).toContain(
      '× issuer cert can be read and parsed\n    could not check: Kubernetes forbids',
    );
    const bad = captureIO();
    expect(await runCheckCommand({ kubeconfig: sandbox.kubeconfig, namespace: 'Not_A_Namespace' }, bad)).toBe(
      2,
    );
    expect(bad.err()).toMatch(/^Error: namespace "Not_A_Namespace" is not a valid DNS-1123 label/);
  });
});

describe('check against broken control planes', () => {
  it('fails an expired trust anchor', async () => {
    await withSandbox('check-expired-anchor', async (_sandbox, adapters) => {
      const result = await runCheckStep({ proxy: false }, adapters);
      expect(notPassing(result)).toEqual({
        'l5d-identity-trust-anchors-time-valid': 'fail',
        'l5d-identity-trust-anchors-not-expiring-soon': 'skipped',
      });
      const r = checkResult(result, 'l5d-identity-trust-anchors-time-valid');
      expect(r.message).toBe('1 trust anchor is outside its validity period');
      expect(r.details?.[0]).toMatch(
        /^root\.linkerd\.cluster\.local \(serial [0-9A-F]+\) expired on \d{4}-\d\d-\d\dT/,
      );
      expect(r.docsUrl).toBe('https://linkerd.io/2/checks/#l5d-identity-trustAnchors-are-time-valid');
      expect(result.status).toBe('fail');
    });
  });

  it('warns for an issuer that expires in 10 days, and the CLI still exits 0', async () => {
    await withSandbox('check-issuer-expiring', async (sandbox, adapters) => {
      const result = await runCheckStep({ proxy: false }, adapters);
      expect(notPassing(result)).toEqual({ 'l5d-identity-issuer-not-expiring-soon': 'warn' });
      expect(checkResult(result, 'l5d-identity-issuer-not-expiring-soon').details?.[0]).toMatch(
        /\(in (9|10) days\)$/,
      );
      expect(result.status).toBe('warn');
      const io = captureIO();
      expect(await runCheckCommand({ kubeconfig: sandbox.kubeconfig }, io)).toBe(0);
      expect(io.out()).toContain(
        '‼ issuer cert is valid for at least 60 days\n    1 issuer certificate expires within 60 days\n',
      );
      expect(io.out()).toContain(
        'see https://linkerd.io/2/checks/#l5d-identity-issuer-cert-not-expiring-soon for hints',
      );
    });
  });

  it('fails a crash-looping destination, counting its restarts and its BackOff events', async () => {
    await withSandbox('check-crashloop-destination', async (sandbox, adapters) => {
      await waitUntil(
        sandbox.store,
        [POD],
        () =>
          (sandbox.store.list(POD, { namespace: 'linkerd' }).items as Pod[]).some(
            (p) =>
              p.metadata.labels?.['linkerd.io/control-plane-component'] === 'destination' &&
              p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff'),
          ),
        { what: 'the destination pod to crash-loop' },
      );
      const result = await runCheckStep({ proxy: false }, adapters);
      expect(notPassing(result)).toEqual({
        'l5d-api-control-ready': 'fail',
        'l5d-destination-ready': 'fail',
        'l5d-destination-events': 'fail',
      });
      const pods = checkResult(result, 'l5d-api-control-ready');
      expect(pods.message).toBe('no ready pod for linkerd-destination; 5 restarts in all');
      expect(pods.details?.find((d) => d.startsWith('destination:'))).toMatch(
        /^destination: pod\/linkerd-destination-\S+ Running, not ready: .*destination \(CrashLoopBackOff\).*, 5 restarts$/,
      );
      expect(checkResult(result, 'l5d-destination-events').message).toMatch(
        /^destination is crash-looping: \d+ BackOff \(restarting a failed container\) in the last 15 min; 5 restarts$/,
      );
      expect(result.next.map((n) => n.label)).toContain('Compare what destination serves with Kubernetes');
      expect(result.next.every((n) => n.command === undefined)).toBe(true);
      const io = captureIO();
      expect(await runCheckCommand({ kubeconfig: sandbox.kubeconfig }, io)).toBe(1);
    });
  });

  it('warns about a proxy older than the control plane, naming the pod', async () => {
    await withSandbox('check-old-proxy', async (_sandbox, adapters) => {
      const result = await runCheckStep({ proxy: false, namespace: 'emojivoto' }, adapters);
      expect(notPassing(result)).toEqual({ 'l5d-data-plane-version': 'warn' });
      const r = checkResult(result, 'l5d-data-plane-version');
      expect(r.message).toMatch(
        /^1 of 2 proxies in namespace emojivoto do not run the control plane's version stable-2\.14\.10 \(1 older\): voting-\S+\.emojivoto$/,
      );
      expect(r.details).toEqual([
        expect.stringMatching(
          /^pod\/voting-\S+\.emojivoto runs stable-2\.13\.7 \(older than stable-2\.14\.10\)$/,
        ),
      ]);
      expect(r.hint).toMatch(/kubectl rollout restart/);
    });
  });

  it('fails a missing CRD, naming it', async () => {
    await withSandbox('check-missing-crd', async (_sandbox, adapters) => {
      const result = await runCheckStep({ proxy: false }, adapters);
      expect(notPassing(result)).toEqual({ 'l5d-existence-crd': 'fail' });
      expect(checkResult(result, 'l5d-existence-crd').message).toBe(
        'missing 1 of 7 Linkerd CRDs: servers.policy.linkerd.io',
      );
      expect(result.findings).toEqual([
        expect.objectContaining({
          severity: 'fail',
          code: 'l5d-existence-crd',
          docsUrl: 'https://linkerd.io/2/checks/#l5d-existence-crd',
          hint: expect.stringMatching(/linkerd install --crds/),
        }),
      ]);
    });
  });
});

describe('check when Kubernetes cannot be asked', () => {
  it('is an error: the API check fails, every other category is skipped, the CLI exits 3', async () => {
    // A sandbox stopped at once leaves a kubeconfig whose server no longer listens.
    const sandbox = await startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0 });
    const kubeconfig = await writeKubeconfig({ server: sandbox.apiServer });
    await sandbox.stop();
    try {
      const adapters = await openAdapters({ kubeconfig, timeoutMs: 2000 });
      try {
        const result = await runCheckStep({ proxy: true }, adapters);
        expect(result.status).toBe('error');
        expect(checkResult(result, 'k8s-api')).toMatchObject({
          status: 'error',
          message: expect.stringMatching(/could not be reached/),
        });
        expect(Object.values(notPassing(result)).filter((s) => s !== 'skipped')).toEqual(['error']);
        expect(result.summary).toMatch(/^Could not ask Kubernetes/);
      } finally {
        await adapters.close();
      }
      const io = captureIO();
      expect(await runCheckCommand({ kubeconfig, timeout: '2s' }, io)).toBe(3);
      expect(io.out()).toContain('Status check results are ×');
    } finally {
      await rm(path.dirname(kubeconfig), { recursive: true, force: true });
    }
  });

  it('is an error, exit 3, when the API server does not accept the credentials (401)', async () => {
    const sandbox = await startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0 });
    const kubeconfig = await writeKubeconfig({ server: sandbox.apiServer, token: 'not-a-known-token' });
    try {
      const adapters = await openAdapters({ kubeconfig });
      try {
        const result = await runCheckStep({ proxy: false }, adapters);
        expect(result.status).toBe('error');
        expect(checkResult(result, 'k8s-api')).toMatchObject({
          status: 'error',
          errorKind: 'unauthenticated',
          message: expect.stringMatching(/did not accept meshbot's credentials \(401 Unauthorized\)/),
        });
      } finally {
        await adapters.close();
      }
      const io = captureIO();
      expect(await runCheckCommand({ kubeconfig }, io)).toBe(3);
    } finally {
      await sandbox.stop();
      await rm(path.dirname(kubeconfig), { recursive: true, force: true });
    }
  });
});
