/**
 * The pieces of a multi-cluster sandbox that need no servers: cluster names, address ranges,
 * the merged kubeconfig, cluster-set scenarios and the Prometheus config of several clusters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { MeshbotError } from '../../../../src/errors.js';
import { clusterListProblem, parseClusterList } from '../../../../src/sandbox/clusters/cluster-names.js';
import { clusterNetwork } from '../../../../src/sandbox/clusters/cluster-networks.js';
import { mergeKubeconfigs } from '../../../../src/sandbox/clusters/merge-kubeconfigs.js';
import { kubeconfigYaml } from '../../../../src/sandbox/kube/write-kubeconfig.js';
import { prometheusClustersScrapeConfig } from '../../../../src/sandbox/prometheus-scrape-config.js';
import { parseClusterSet, readClusterSet } from '../../../../src/sandbox/scenario/load-cluster-set.js';
import { loadScenario } from '../../../../src/sandbox/scenario/load-scenario.js';

describe('cluster names', () => {
  it('accepts DNS labels, each once', () => {
    expect(parseClusterList('east,west')).toEqual(['east', 'west']);
    expect(parseClusterList(' prod-eu , staging2 ')).toEqual(['prod-eu', 'staging2']);
    expect(clusterListProblem(['a'])).toBeUndefined();
  });
  it('refuses empty, duplicate, invalid and too many names with a usage error', () => {
    expect(() => parseClusterList('')).toThrow(MeshbotError);
    expect(clusterListProblem([])).toBe('expected at least one cluster name');
    expect(clusterListProblem(['a', 'b', 'a'])).toBe('cluster "a" is named twice');
    expect(clusterListProblem(['-east'])).toMatch(/^"-east": expected a cluster name of lowercase letters/);
    expect(clusterListProblem(['x'.repeat(64)])).toMatch(/at most 63 characters/);
    expect(clusterListProblem(Array.from({ length: 17 }, (_, i) => `c${i}`))).toBe(
      'expected at most 16 clusters, got 17',
    );
  });
});

describe('clusterNetwork', () => {
  it('gives each cluster its own ranges, the first the single-cluster ones', () => {
    expect(clusterNetwork(0)).toEqual({
      podCidr: '10.1.0.0/16',
      serviceCidr: '10.96.0.0/16',
      podCidrV6: 'fd00:10:244:0::/64',
      serviceCidrV6: 'fd00:10:96:0::/108',
    });
    expect(clusterNetwork(15)).toMatchObject({ podCidr: '10.16.0.0/16', podCidrV6: 'fd00:10:244:f::/64' });
    expect(() => clusterNetwork(16)).toThrow('out of range');
  });
});

describe('mergeKubeconfigs', () => {
  it('renames each single-context kubeconfig after its cluster, the first current', () => {
    const merged = YAML.parse(
      mergeKubeconfigs([
        { name: 'east', yaml: kubeconfigYaml({ server: 'http://127.0.0.1:1', name: 'east' }) },
        { name: 'west', yaml: kubeconfigYaml({ server: 'http://127.0.0.1:2', namespace: 'emojivoto' }) },
      ]),
    ) as Record<string, unknown>;
    expect(merged['current-context']).toBe('east');
    expect(merged['contexts']).toEqual([
      { name: 'east', context: { cluster: 'east', user: 'east' } },
      { name: 'west', context: { cluster: 'west', user: 'west', namespace: 'emojivoto' } },
    ]);
    expect(merged['clusters']).toEqual([
      { name: 'east', cluster: { server: 'http://127.0.0.1:1', 'insecure-skip-tls-verify': true } },
      { name: 'west', cluster: { server: 'http://127.0.0.1:2', 'insecure-skip-tls-verify': true } },
    ]);
  });
});

describe('cluster-set scenarios', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'meshbot-cluster-set-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the built-in east-west: emojivoto twice, web-svc frozen in west only', () => {
    const set = readClusterSet('east-west');
    expect(set?.map((c) => [c.name, c.scenario.name, c.scenario.faults])).toEqual([
      ['east', 'emojivoto', []],
      ['west', 'emojivoto', [{ type: 'freeze', service: 'web-svc.emojivoto' }]],
    ]);
    expect(readClusterSet('emojivoto')).toBeUndefined();
    expect(() => loadScenario('east-west')).toThrow(
      'built-in scenario "east-west" is a set of clusters (it has clusters:), not the scenario of one cluster',
    );
  });

  it('takes a scenario by relative path or inline, and adds the entry faults to its own', () => {
    writeFileSync(path.join(dir, 'small.yaml'), 'name: small\nnamespaces: [a]\n');
    const set = parseClusterSet(
      {
        name: 'mixed',
        clusters: [
          { name: 'one', scenario: './small.yaml', faults: [{ type: 'lag', ms: 10 }] },
          {
            name: 'two',
            scenario: { name: 'inline', faults: [{ type: 'freeze' }] },
            faults: [{ type: 'unavailable' }],
          },
        ],
      },
      'test set',
      dir,
    );
    expect(set.map((c) => [c.name, c.scenario.name, c.scenario.faults.map((f) => f.type)])).toEqual([
      ['one', 'small', ['lag']],
      ['two', 'inline', ['freeze', 'unavailable']],
    ]);
  });

  it('names the field and the cluster of each problem', () => {
    expect(() => parseClusterSet({ name: 'x', clusters: [] }, 'set')).toThrow(
      'set is not a valid set of clusters:\n  clusters: expected at least one cluster',
    );
    expect(() => parseClusterSet({ name: 'x', clusters: [{ name: 'a', extra: 1 }] }, 'set')).toThrow(
      /clusters\[0\]/,
    );
    expect(() =>
      parseClusterSet(
        { name: 'x', clusters: [{ name: 'a', scenario: { name: 'y', deployments: 3 } }] },
        'set',
      ),
    ).toThrow(
      'cluster a: set: its scenario is not a valid scenario:\n  deployments: expected a list of deployments',
    );
  });
});

describe('prometheusClustersScrapeConfig', () => {
  it('one static config per cluster in each job, labelled cluster', () => {
    const text = prometheusClustersScrapeConfig(
      [
        {
          cluster: 'east',
          metrics: 'http://127.0.0.1:1/metrics',
          proxyMetrics: 'http://127.0.0.1:2/metrics',
        },
        {
          cluster: 'west',
          metrics: 'http://127.0.0.1:3/metrics',
          proxyMetrics: 'http://127.0.0.1:4/metrics',
        },
      ],
      'scenario emojivoto',
    );
    const config = YAML.parse(text) as {
      scrape_configs: Array<{
        job_name: string;
        static_configs: Array<{ targets: string[]; labels: unknown }>;
      }>;
    };
    expect(config.scrape_configs.map((j) => [j.job_name, j.static_configs])).toEqual([
      [
        'linkerd-controller',
        [
          { targets: ['127.0.0.1:1'], labels: { cluster: 'east' } },
          { targets: ['127.0.0.1:3'], labels: { cluster: 'west' } },
        ],
      ],
      [
        'linkerd-proxy',
        [
          { targets: ['127.0.0.1:2'], labels: { cluster: 'east' } },
          { targets: ['127.0.0.1:4'], labels: { cluster: 'west' } },
        ],
      ],
    ]);
    expect(text).toMatch(
      /^# Prometheus scraping the meshbot sandbox's clusters east, west \(scenario emojivoto\)/,
    );
  });
});
