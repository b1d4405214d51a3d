/**
 * `meshbot sweep` against the sandbox's real servers: a frozen service is found (and only after
 * it persisted), exit codes, JSON with stable fingerprints, and partial failures of Kubernetes
 * and of the destination reported as what could and could not be asked.
 */
import { runSweepCommand, type SweepFlagValues } from '../../../src/cli/commands/sweep.js';
import { fingerprintOf } from '../../../src/drift/fingerprint.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { SweepData, SweepFinding } from '../../../src/steps/sweep/sweep-types.js';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import {
  authority,
  podIps,
  scale,
  waitForDestinationCount,
  waitForOnlyReadyEndpoints,
  waitForPodGone,
  waitForReadyEndpoints,
} from '../endpoints/endpoints-sandbox.js';

const NS = 'emojivoto';
const SHOP = 'shop';

const deployment = (name: string, namespace: string, replicas: number) => ({
  name,
  namespace,
  replicas,
  meshed: true,
  containerPorts: [{ name: 'http', port: 8080 }],
});
const service = (name: string, namespace: string, app: string) => ({
  name,
  namespace,
  selector: { app },
  ports: [{ name: 'http', port: 80, targetPort: 8080 }],
});

const scenario = {
  name: 'sweep-integration',
  namespaces: [NS, SHOP],
  terminationDelayMs: 20,
  linkerd: { identity: {} },
  deployments: [
    deployment('web', NS, 2),
    deployment('voting', NS, 3),
    deployment('cart', SHOP, 2),
    { ...deployment('plain', SHOP, 1), meshed: false, labels: { app: 'plain' } },
  ],
  services: [
    service('web-svc', NS, 'web'),
    service('voting-svc', NS, 'voting'),
    service('cart-svc', SHOP, 'cart'),
    service('plain-svc', SHOP, 'plain'),
  ],
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  result?: StepResult<SweepData>;
}

describe('meshbot sweep through the sandbox', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;

  const run = async (flags: Partial<SweepFlagValues>): Promise<Run> => {
    let stdout = '';
    let stderr = '';
    const all: SweepFlagValues = {
      kubeconfig: sb.kubeconfig,
      destination: sb.destination,
      output: 'json',
      timeout: '5s',
      persistence: '200ms',
      ...flags,
    };
    const code = await runSweepCommand(all, {
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: (t: string) => (stderr += t) },
      env: {},
    });
    const r: Run = { code, stdout, stderr };
    if (all.output === 'json' && stdout.trim().startsWith('{'))
      r.result = JSON.parse(stdout) as StepResult<SweepData>;
    return r;
  };

  beforeAll(async () => {
    sb = await startSandbox({ scenario, podReadyDelayMs: 0 });
    adapters = await openAdapters({ kubeconfig: sb.kubeconfig, destination: sb.destination });
    await Promise.all([
      waitForReadyEndpoints(sb.store, 'web-svc', 2),
      waitForReadyEndpoints(sb.store, 'voting-svc', 3),
      waitForDestinationCount(adapters.destination, authority('web-svc'), 2),
      waitForDestinationCount(adapters.destination, authority('voting-svc'), 3),
      waitForDestinationCount(adapters.destination, `cart-svc.${SHOP}.svc.cluster.local:80`, 2),
    ]);
  });

  afterEach(() => {
    sb.clearFaults();
    sb.setAccessRules([]);
  });

  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('is clean on a healthy mesh: exit 0, meshed services only', async () => {
    const r = await run({ namespace: [NS, SHOP] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const d = r.result!.data;
    expect(d.services.listed).toBeGreaterThanOrEqual(4);
    // plain-svc's pod has no proxy.
    expect(d.services.meshed).toBe(3);
    expect(d.services.swept).toBe(3);
    expect(d.streams).toBe(3);
    expect(r.result!.findings).toEqual([]);
  });

  it('prints text for a terminal', async () => {
    const r = await run({ output: 'text', namespace: [NS] });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS\s+sweep/);
    expect(r.stdout).toMatch(/2 meshed services compared with the destination, none drifted/);
  });

  it('finds a frozen service that lost a pod: exit 1, one fingerprinted finding per kind, stable across runs', async () => {
    const proxy = adapters.destination.watch(authority('voting-svc'), () => undefined);
    sb.setFault({ type: 'freeze', service: `voting-svc.${NS}` });
    const before = podIps(sb.store, 'voting');
    scale(sb.store, 'voting', 2);
    const after = await waitForOnlyReadyEndpoints(sb.store, 'voting-svc', 2);
    const gone = before.find((ip) => !after.includes(ip))!;
    await waitForPodGone(sb.store, 'voting', gone);
    proxy();

    const first = await run({ namespace: [NS] });
    expect(first.code).toBe(1);
    const r = first.result!;
    expect(r.status).toBe('fail');
    const stale = r.findings as SweepFinding[];
    expect(stale).toHaveLength(1);
    const f = stale[0]!;
    expect(f).toMatchObject({
      kind: 'stale-in-destination',
      subject: `voting-svc.${NS}:80`,
      source: 'endpoints',
      addresses: [`${gone}:8080`],
      service: `voting-svc.${NS}`,
      port: 80,
    });
    expect(f.fingerprint).toBe(fingerprintOf(r.data.cluster, 'stale-in-destination', `voting-svc.${NS}:80`));
    expect(r.data.services).toMatchObject({ swept: 2, drifted: 1, unconfirmed: 0 });
    expect(r.next.map((n) => n.command)).toContain(`endpoints voting-svc.${NS}:80`); // JSON writes commands as text

    const again = await run({ namespace: [NS] });
    expect((again.result!.findings as SweepFinding[]).map((x) => x.fingerprint)).toEqual([f.fingerprint]);

    sb.clearFaults();
    scale(sb.store, 'voting', 3);
    await waitForOnlyReadyEndpoints(sb.store, 'voting-svc', 3);
    await waitForDestinationCount(adapters.destination, authority('voting-svc'), 3);
    expect((await run({ namespace: [NS] })).code).toBe(0);
  });

  it('does not report a difference that clears before the second look', async () => {
    // A lagging destination: the first look sees the old set, the second the new one.
    sb.setFault({ type: 'lag', ms: 300, service: `web-svc.${NS}` });
    const proxy = adapters.destination.watch(authority('web-svc'), () => undefined);
    scale(sb.store, 'web', 3);
    await waitForReadyEndpoints(sb.store, 'web-svc', 3);
    const r = await run({ namespace: [NS], persistence: '1s', controlPlane: false });
    proxy();
    expect(r.code).toBe(0);
    expect(r.result!.data.services.unconfirmed).toBeLessThanOrEqual(1);
    expect(r.result!.findings).toEqual([]);
  });

  it('refuses bad flags with exit 2', async () => {
    for (const flags of [
      { concurrency: '65' },
      { concurrency: '0' },
      { selector: 'app in (' },
      { namespace: ['Bad_NS'] },
      { persistence: 'soon' },
    ]) {
      const r = await run(flags);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Error: /);
    }
  });

  it('reports a namespace Kubernetes refuses and still sweeps the others (exit 3)', async () => {
    sb.setAccessRules([
      { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace: SHOP },
    ]);
    const r = await run({ namespace: [NS, SHOP], controlPlane: false });
    expect(r.code).toBe(3);
    const d = r.result!.data;
    expect(d.services.swept).toBe(2);
    expect(d.notAsked).toHaveLength(1);
    expect(d.notAsked[0]!.what).toBe(`endpointslices in namespace ${SHOP}`);
    expect(d.notAsked[0]!.reason).toMatch(/forbids .* to list endpointslices/);
    expect(r.result!.summary).toMatch(/could not ask endpointslices in namespace shop/);
    expect((r.result!.findings as SweepFinding[]).map((f) => f.kind)).toEqual(['sweep-could-not-ask']);
  });

  it('reports services the destination did not answer and the ones it did (exit 3)', async () => {
    sb.setFault({ type: 'unavailable', service: `cart-svc.${SHOP}` });
    const r = await run({ namespace: [NS, SHOP], controlPlane: false });
    expect(r.code).toBe(3);
    const d = r.result!.data;
    expect(d.services.swept).toBe(2);
    expect(d.services.notAsked).toBe(1);
    expect(d.notAsked[0]!.what).toMatch(/^destination for 1 service/);
  });

  it('exits 3 when the destination cannot be reached at all', async () => {
    const r = await run({
      namespace: [NS, SHOP],
      destination: '127.0.0.1:1',
      controlPlane: false,
      timeout: '1s',
    });
    expect(r.code).toBe(3);
    expect(r.result!.data.services.swept).toBe(0);
    expect(r.result!.data.services.notAsked).toBe(3);
  });
});
