/**
 * The pool `serve` serves (servedClusterPool): with a `clusters:` section, one adapter set per
 * entry, opened on first use with that entry's kubeconfig, context and destination and the
 * process-wide timeout; without one, the single cluster of the flags, as before.
 */
import type { ClusterOptions } from '../../../src/adapters/cluster-options.js';
import { homeCluster, servedClusterPool } from '../../../src/adapters/configured-clusters.js';
import type { Adapters } from '../../../src/adapters/open-adapters.js';
import { clustersSchema } from '../../../src/config/clusters-schema.js';
import { UsageError } from '../../../src/errors.js';

function fakeOpen() {
  const opened: Array<{ cluster: string; options: ClusterOptions }> = [];
  const open = async (options: ClusterOptions, cluster: string): Promise<Adapters> => {
    opened.push({ cluster, options });
    return { cluster, close: async () => undefined } as unknown as Adapters;
  };
  return { open, opened };
}

describe('servedClusterPool', () => {
  it('serves every cluster of `clusters:`, each opened with its own entry and the shared timeout', async () => {
    const clusters = clustersSchema.parse([
      { name: 'east', kubeconfig: '/etc/meshbot/east', context: 'east-ctx', destination: 'dst.east:8086' },
      { name: 'west', kubeconfig: '/etc/meshbot/west', context: 'west-ctx' },
    ]);
    const f = fakeOpen();
    // The flags' kubeconfig and context are not used for configured clusters; the timeout is.
    const pool = servedClusterPool(
      clusters,
      { kubeconfig: '/flags/kubeconfig', context: 'flags-ctx', timeoutMs: 1234 },
      f.open,
    );
    expect(pool.clusters).toEqual(['east', 'west']);
    expect(f.opened).toEqual([]);
    expect((await pool.get('west')).cluster).toBe('west');
    expect(f.opened).toEqual([
      {
        cluster: 'west',
        options: expect.objectContaining({
          kubeconfig: '/etc/meshbot/west',
          context: 'west-ctx',
          timeoutMs: 1234,
        }),
      },
    ]);
    expect(f.opened[0]!.options.destination).toBeUndefined();
    await pool.get('east');
    expect(f.opened[1]!.options).toMatchObject({
      kubeconfig: '/etc/meshbot/east',
      destination: 'dst.east:8086',
    });
    expect(() => pool.get('flags-ctx')).toThrow(UsageError);
    await pool.close();
  });

  it('without `clusters:`, serves the one cluster of the flags, named by its context', async () => {
    const f = fakeOpen();
    const pool = servedClusterPool(
      undefined,
      { kubeconfig: '/flags/kubeconfig', context: 'kind-mesh' },
      f.open,
    );
    expect(pool.clusters).toEqual(['kind-mesh']);
    await pool.get();
    expect(f.opened[0]!.options).toMatchObject({ kubeconfig: '/flags/kubeconfig', context: 'kind-mesh' });
    await pool.close();
  });
});

// Regression: serve kept the reports' Lease and state in the first cluster even when another
// was the inCluster one, against docs/clusters.md (and the CLI's --post in the swept one).
describe('homeCluster', () => {
  it('is the inCluster cluster, else the first', () => {
    const local = clustersSchema.parse([
      { name: 'prod-eu', kubeconfig: '/etc/meshbot/prod-eu' },
      { name: 'staging', inCluster: true },
    ])!;
    expect(homeCluster(local).name).toBe('staging');
    const remote = clustersSchema.parse([
      { name: 'prod-eu', kubeconfig: '/etc/meshbot/prod-eu' },
      { name: 'staging', kubeconfig: '/etc/meshbot/staging' },
    ])!;
    expect(homeCluster(remote).name).toBe('prod-eu');
  });
});
