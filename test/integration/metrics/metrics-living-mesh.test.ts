/**
 * The issue-16 acceptance path, as a user sets it up: `meshbot sandbox --json` prints where it
 * wrote its Prometheus scrape config; Debian's Prometheus runs with exactly that file; the
 * meshed clients' own subscriptions (no stream held by hand) give the destination controller
 * its series, and `meshbot metrics` judges them. Waits are bounded polls of Prometheus's query
 * API (an external server's state, no event to wait on), never sleeps.
 */
import * as k8s from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { runSandboxCommand } from '../../../src/cli/commands/sandbox.js';
import type { SandboxAddresses } from '../../../src/sandbox/sandbox-types.js';
import {
  queryVector,
  startPrometheus,
  waitForQuery,
  type RunningPrometheus,
  type VectorSample,
} from '../../support/start-prometheus.js';
import { NS, runMetricsCli, type MetricsRun } from './metrics-rig.js';
import { ownResources } from '../../support/owned-resources.js';

const DESTINATION_FINDINGS = ['destination-not-scraped', 'no-destination-series', 'no-subscribers'];

interface Running {
  addresses: SandboxAddresses;
  prometheus: RunningPrometheus;
  stop(): Promise<void>;
}

/** `meshbot sandbox --json` in process, and Prometheus started with the config file it wrote. */
async function startAsUser(scenario: string): Promise<Running> {
  let release!: () => void;
  const until = new Promise<void>((r) => (release = r));
  let onReady!: (a: SandboxAddresses) => void;
  const ready = new Promise<SandboxAddresses>((r) => (onReady = r));
  let stderr = '';
  const exited = runSandboxCommand(
    { scenario, json: true, podReadyDelay: '0' },
    { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, until, onReady },
  );
  const addresses = await Promise.race([
    ready,
    exited.then((code) => {
      throw new Error(`meshbot sandbox exited ${code}: ${stderr}`);
    }),
  ]);
  const stopSandbox = async (): Promise<void> => {
    release();
    await exited;
  };
  try {
    const configFile = addresses.prometheusConfig!;
    const config = await readFile(configFile, 'utf8');
    expect(config).toContain(`targets: ["${new URL(addresses.metrics).host}"]`);
    const prometheus = await startPrometheus({
      configFile,
      targets: [
        { job: 'linkerd-controller', url: addresses.metrics },
        { job: 'linkerd-proxy', url: addresses.proxyMetrics! },
      ],
    });
    return {
      addresses,
      prometheus,
      stop: async () => {
        await prometheus.stop();
        await stopSandbox();
      },
    };
  } catch (err) {
    await stopSandbox();
    throw err;
  }
}

function metrics(r: Running, target: string): Promise<MetricsRun> {
  return runMetricsCli(target, {
    kubeconfig: r.addresses.kubeconfig,
    destination: r.addresses.destination,
    prometheus: r.prometheus.url,
    window: '1m',
    settle: '0s',
    chart: false,
  });
}

const codes = (run: MetricsRun): string[] => (run.result?.findings ?? []).map((f) => f.code);

describe('metrics on emojivoto, scraped with the config meshbot sandbox printed', () => {
  let r: Running;
  const owned = ownResources();

  beforeAll(async () => {
    r = await owned.own(startAsUser('emojivoto'), (started) => started.stop());
    // Two scrapes of web-svc's subscriber and update series (increase() needs two samples).
    const web = `{namespace="${NS}",service="web-svc"}`;
    await waitForQuery(r.prometheus.url, `sum(endpoints_subscribers${web})`, (v) => v >= 1);
    await waitForQuery(r.prometheus.url, `sum(count_over_time(endpoints_updates${web}[1m]))`, (v) => v >= 2);
    await waitForQuery(
      r.prometheus.url,
      `sum(rate(request_total{namespace="${NS}",deployment="web",direction="inbound"}[1m]))`,
      (v) => v > 0,
    );
  }, 60_000);

  afterAll(async () => {
    await owned.stopAll();
  });

  it('web-svc has subscribers and updates with data, and no destination finding', async () => {
    const run = await metrics(r, 'web-svc.emojivoto');
    expect(run.stderr).toBe('');
    const d = run.result!.data.destination;
    expect(d.scraped).toBe(true);
    expect(d.subscribers).toBe(1); // vote-bot's proxy
    expect(d.updatesIncrease).not.toBeNull();
    expect(d.exists).toBe(true);
    expect(d.pods).toBe(1);
    expect(codes(run).filter((c) => DESTINATION_FINDINGS.includes(c))).toEqual([]);
    expect(run.result!.data.golden.rps).toBeGreaterThan(0);
  });

  it("the proxies' outbound metrics and the controller's subscribers agree on who calls whom", async () => {
    const url = r.prometheus.url;
    const outbound = `request_total{namespace="${NS}",direction="outbound"}`;
    await waitForQuery(url, `count(count by (deployment, dst_service) (${outbound}))`, (v) => v === 3);
    const calls = await queryVector(url, `count by (deployment, dst_service) (${outbound})`);
    expect(calls.map((c) => `${c.metric.deployment} -> ${c.metric.dst_service}`).sort()).toEqual([
      'vote-bot -> web-svc',
      'web -> emoji-svc',
      'web -> voting-svc',
    ]);
    // Calling pods per service (outbound series are per calling pod) = the controller's subscribers.
    const callers = await queryVector(url, `count by (dst_service) (${outbound})`);
    const subscribers = await queryVector(url, `sum by (service) (endpoints_subscribers{namespace="${NS}"})`);
    const byService = (v: VectorSample[], label: string): Record<string, string> =>
      Object.fromEntries(v.map((x) => [x.metric[label]!, x.value[1]]));
    expect(byService(subscribers, 'service')).toEqual(byService(callers, 'dst_service'));
  });
});

describe('metrics on emojivoto-stale after web is replaced, scraped with the printed config', () => {
  let r: Running;
  const owned = ownResources();

  beforeAll(async () => {
    r = await owned.own(startAsUser('emojivoto-stale'), (started) => started.stop());
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(r.addresses.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const [web] = (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web-svc' })).items;
    const oldName = web!.metadata!.name!;
    await waitForQuery(
      r.prometheus.url,
      `sum(endpoints_subscribers{namespace="${NS}",service="web-svc"})`,
      (v) => v >= 1,
    );
    await core.deleteNamespacedPod({ name: oldName, namespace: NS });
    // Prometheus has seen the replacement's proxy start and the old one go.
    const ps = `process_start_time_seconds{namespace="${NS}",deployment="web"`;
    await waitForQuery(r.prometheus.url, `count(${ps},pod!="${oldName}"})`, (v) => v >= 1);
    await waitForQuery(r.prometheus.url, `count(${ps},pod="${oldName}"}) or vector(0)`, (v) => v === 0);
    // ... and the controller's view of emoji-svc's callers: the new web pod only.
    await waitForQuery(
      r.prometheus.url,
      `sum(endpoints_subscribers{namespace="${NS}",service="emoji-svc"})`,
      (v) => v === 1,
    );
  }, 60_000);

  afterAll(async () => {
    await owned.stopAll();
  });

  it('reports updates-not-moving for web-svc', async () => {
    const run = await metrics(r, 'web-svc.emojivoto');
    expect(run.code).toBe(1);
    expect(codes(run)).toContain('updates-not-moving');
    expect(run.result!.data.destination.subscribers).toBe(1);
  });

  it('reports nothing of the kind for emoji-svc, whose pods did not change', async () => {
    const run = await metrics(r, 'emoji-svc.emojivoto');
    expect(codes(run)).not.toContain('updates-not-moving');
    expect(codes(run).filter((c) => DESTINATION_FINDINGS.includes(c))).toEqual([]);
    expect(run.result!.data.destination.subscribers).toBe(1); // the new web pod's proxy
  });
});
