/**
 * `meshbot sandbox --clusters east,west` (the handler, in process): one JSON line with each
 * cluster's addresses, one kubeconfig with a context per cluster, one Prometheus config that a
 * real Prometheus scrapes with a `cluster` label per cluster (west down: its targets down, east's
 * up); bad --clusters input and flags that cannot apply to several clusters exit 2 with a message.
 */
import * as k8s from '@kubernetes/client-node';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { runSandboxCommand, type SandboxFlagValues } from '../../../../src/cli/commands/sandbox.js';
import type { ClusterSetAddresses } from '../../../../src/sandbox/sandbox-types.js';
import { capture, startSandboxCommand } from '../../../support/sandbox-command-run.js';
import { queryVector, startPrometheus, waitForQuery } from '../../../support/start-prometheus.js';

async function failing(flags: SandboxFlagValues): Promise<{ code: number; stderr: string; stdout: string }> {
  const stdout = capture();
  const stderr = capture();
  const code = await runSandboxCommand(flags, { stdout, stderr, until: Promise.resolve() });
  return { code, stderr: stderr.text(), stdout: stdout.text() };
}

describe('meshbot sandbox --clusters (handler)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'meshbot-sandbox-clusters-cmd-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--json prints one line with every cluster; one kubeconfig, a context each; Prometheus labels each cluster', async () => {
    const { stdout, stderr, ready, exitCode, stop } = startSandboxCommand<ClusterSetAddresses>({
      clusters: 'east,west',
      json: true,
      podReadyDelay: '0',
      kubeconfigOut: path.join(dir, 'clusters.kubeconfig'),
      prometheusConfigOut: path.join(dir, 'prometheus.yml'),
      kubeconfigAs: ['meshbot/meshbot', path.join(dir, 'sa.kubeconfig')],
    });
    const addresses = await ready;
    try {
      const lines = stdout.text().split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      const printed = JSON.parse(lines[0]!) as ClusterSetAddresses;
      expect(printed).toEqual(addresses);
      expect(Object.keys(printed)).toEqual(['kubeconfig', 'prometheusConfig', 'clusters']);
      expect(Object.keys(printed.clusters)).toEqual(['east', 'west']);
      expect(printed.kubeconfig).toBe(path.join(dir, 'clusters.kubeconfig'));
      const [east, west] = [printed.clusters['east']!, printed.clusters['west']!];
      for (const [name, c] of [
        ['east', east],
        ['west', west],
      ] as const) {
        expect(Object.keys(c)).toEqual([
          'context',
          'apiServer',
          'kubeconfig',
          'destination',
          'metrics',
          'admin',
          'proxyMetrics',
          'podCidr',
          'serviceCidr',
          'prometheusConfig',
        ]);
        expect(c.context).toBe(name);
        // One Prometheus per cluster, as linkerd-viz: this cluster's targets alone, unlabelled.
        expect(c.prometheusConfig).toBe(path.join(dir, `prometheus-${name}.yml`));
        const own = readFileSync(c.prometheusConfig!, 'utf8');
        expect(own).toContain(`targets: ["${new URL(c.proxyMetrics).host}"]`);
        expect(own.match(/targets:/g)).toHaveLength(2);
        expect(own).not.toContain('cluster:');
        expect(c.destination).toMatch(/^127\.0\.0\.1:\d+$/);
      }
      expect([east.podCidr, east.serviceCidr, west.podCidr, west.serviceCidr]).toEqual([
        '10.1.0.0/16',
        '10.96.0.0/16',
        '10.2.0.0/16',
        '10.97.0.0/16',
      ]);
      expect(new Set([east.apiServer, west.apiServer, east.destination, west.destination]).size).toBe(4);

      const kc = YAML.parse(readFileSync(printed.kubeconfig, 'utf8')) as {
        contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
        clusters: Array<{ name: string; cluster: { server: string } }>;
        'current-context': string;
      };
      expect(kc.contexts.map((c) => c.name)).toEqual(['east', 'west']);
      expect(kc.contexts[1]!.context).toEqual({ cluster: 'west', user: 'west' });
      expect(kc.clusters.map((c) => c.cluster.server)).toEqual([east.apiServer, west.apiServer]);
      expect(kc['current-context']).toBe('east');
      // Each cluster's own kubeconfig has one context, named after it.
      expect(readFileSync(west.kubeconfig, 'utf8')).toContain('current-context: west');
      // --kubeconfig-as: the ServiceAccount in every cluster, a context each (over https).
      const sa = YAML.parse(readFileSync(path.join(dir, 'sa.kubeconfig'), 'utf8')) as {
        contexts: Array<{ name: string; context: { namespace?: string } }>;
        clusters: Array<{ cluster: { server: string } }>;
      };
      expect(sa.contexts.map((c) => [c.name, c.context.namespace])).toEqual([
        ['east', 'meshbot'],
        ['west', 'meshbot'],
      ]);
      for (const c of sa.clusters) expect(c.cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      // Through west's gate over TLS: the API server knows the ServiceAccount, and RBAC (no bindings) refuses it.
      const asSa = new k8s.KubeConfig();
      asSa.loadFromFile(path.join(dir, 'sa.kubeconfig'));
      asSa.setCurrentContext('west');
      await expect(
        asSa.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'emojivoto' }),
      ).rejects.toMatchObject({ code: 403 });

      const config = readFileSync(printed.prometheusConfig, 'utf8');
      expect(config).toContain(
        `targets: ["${new URL(west.metrics).host}"]\n        labels: { cluster: "west" }`,
      );
      const targets = [east, west].flatMap((c) => [
        { job: 'linkerd-controller', url: c.metrics },
        { job: 'linkerd-proxy', url: c.proxyMetrics },
      ]);
      const prometheus = await startPrometheus({ targets, configFile: printed.prometheusConfig });
      try {
        const up = await queryVector(prometheus.url, 'count by (cluster, job) (up == 1)');
        expect(up.map((s) => `${s.metric['cluster']}/${s.metric['job']}=${s.value[1]}`).sort()).toEqual([
          'east/linkerd-controller=1',
          'east/linkerd-proxy=1',
          'west/linkerd-controller=1',
          'west/linkerd-proxy=1',
        ]);
        // The proxies of both clusters, told apart by the label.
        await waitForQuery(prometheus.url, 'count(count by (cluster) (request_total))', (v) => v === 2);
        // The destination's own cluster="local" (as linkerd2's) is kept as exported_cluster.
        await waitForQuery(
          prometheus.url,
          'count(endpoints_subscribers{cluster="west", exported_cluster="local"})',
          (v) => v > 0,
        );
        // west down: Prometheus finds its targets refusing, east's still up.
        expect(await (await fetch(`${west.admin}/down`, { method: 'POST' })).json()).toEqual({
          reachable: false,
        });
        await waitForQuery(prometheus.url, 'sum(up{cluster="west"})', (v) => v === 0);
        expect((await queryVector(prometheus.url, 'sum(up{cluster="east"})'))[0]?.value[1]).toBe('2');
        await fetch(`${west.admin}/up`, { method: 'POST' });
        await waitForQuery(prometheus.url, 'sum(up{cluster="west"})', (v) => v === 2);
      } finally {
        await prometheus.stop();
      }
    } finally {
      stop();
    }
    expect(await exitCode).toBe(0);
    expect(stderr.text()).toBe('');
    await expect(fetch(`${addresses.clusters['east']!.admin}/healthz`)).rejects.toThrow();
    expect(existsSync(addresses.kubeconfig)).toBe(true);
    expect(existsSync(addresses.clusters['east']!.kubeconfig)).toBe(false);
  });

  it('prints each cluster as text without --json', async () => {
    const stdout = capture();
    const code = await runSandboxCommand(
      { clusters: 'east,west', podReadyDelay: '0' },
      { stdout, stderr: capture(), until: Promise.resolve() },
    );
    expect(code).toBe(0);
    expect(stdout.text()).toMatch(
      /^meshbot sandbox is running: clusters east, west \(scenario emojivoto\)\n {2}kubeconfig: +\S+ \(contexts east, west\)\n\n {2}east \(scenario emojivoto; pods 10\.1\.0\.0\/16, services 10\.96\.0\.0\/16\)\n {4}API server: +http:\/\/127\.0\.0\.1:\d+\n/,
    );
    expect(stdout.text()).toMatch(
      /\n {2}west \(scenario emojivoto; pods 10\.2\.0\.0\/16, services 10\.97\.0\.0\/16\)\n/,
    );
    expect(stdout.text()).toMatch(/kubectl --context west get pods -A/);
    expect(stdout.text()).toMatch(/\n {4}prometheus: +\S+prometheus-west\.yml \(this cluster alone\)\n/);
  });

  it.each([
    ['', '--clusters: expected at least one cluster name'],
    [' , ', '--clusters: "": expected a cluster name, got an empty one (got " , ")'],
    ['east,east', '--clusters: cluster "east" is named twice (got "east,east")'],
    ['east,,west', '--clusters: "": expected a cluster name, got an empty one (got "east,,west")'],
    [
      'East,west',
      `--clusters: "East": expected a cluster name of lowercase letters, digits and '-', starting and ending with a letter or digit (got "East,west")`,
    ],
    ['prod_eu', `--clusters: "prod_eu": expected a cluster name of lowercase letters`],
  ])('--clusters "%s" exits 2: %s', async (clusters, message) => {
    const run = await failing({ clusters });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`Error: ${message}`);
    expect(run.stderr).toContain('Hint: Name the clusters, comma-separated, e.g. --clusters east,west');
  });

  it('exits 2 for flags that name one cluster, and --clusters with a set of clusters', async () => {
    const ports = await failing({ clusters: 'east,west', apiPort: '6443' });
    expect(ports.code).toBe(2);
    expect(ports.stderr).toMatch(
      /^Error: --api-port cannot be used with several clusters: each cluster gets free ports\n/,
    );
    const both = await failing({ clusters: 'a,b', scenario: 'east-west' });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(
      /^Error: --clusters cannot be combined with --scenario east-west: that scenario names its own clusters \(east, west\)\n/,
    );
  });

  it('a cluster-set file is validated with its problems listed', async () => {
    const file = path.join(dir, 'set.yaml');
    writeFileSync(
      file,
      [
        'name: bad-set',
        'clusters:',
        '  - name: east',
        '  - name: East',
        '    scenario: emojivoto',
        '  - name: west',
        '    faults: [{ type: explode }]',
        '',
      ].join('\n'),
    );
    const run = await failing({ scenario: file });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `Error: scenario file ${file} is not a valid set of clusters:\n  clusters[1].name: expected a cluster name`,
    );
    expect(run.stderr).toContain('clusters[2].faults[0].type: expected a fault type');
    writeFileSync(file, 'name: dup\nclusters:\n  - name: east\n  - name: east\n');
    expect((await failing({ scenario: file })).stderr).toContain('clusters: cluster "east" is named twice');
    writeFileSync(file, 'name: unknown\nclusters:\n  - name: east\n    scenario: emojivotoo\n');
    expect((await failing({ scenario: file })).stderr).toContain(
      'Error: cluster east: unknown scenario "emojivotoo" (did you mean "emojivoto"?)',
    );
  });
});
