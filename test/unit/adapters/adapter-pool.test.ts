import { createAdapterPool, singleClusterPool } from '../../../src/adapters/adapter-pool.js';
import type { Adapters } from '../../../src/adapters/open-adapters.js';
import { UsageError } from '../../../src/errors.js';

function fakeOpen() {
  const opened: string[] = [];
  const closed: string[] = [];
  let fail = false;
  const open = async (_o: unknown, cluster: string): Promise<Adapters> => {
    opened.push(cluster);
    if (fail) throw new Error('no credentials');
    return { cluster, close: async () => void closed.push(cluster) } as unknown as Adapters;
  };
  return { open, opened, closed, failNext: (f: boolean) => (fail = f) };
}

describe('AdapterPool', () => {
  it('opens one set per cluster on first use, shares it, and closes what it opened', async () => {
    const f = fakeOpen();
    const pool = createAdapterPool({ default: {}, other: {} }, f.open);
    const [a, b] = await Promise.all([pool.get(), pool.get('default')]);
    expect(a).toBe(b);
    expect((await pool.get('other')).cluster).toBe('other');
    expect(f.opened).toEqual(['default', 'other']);
    await pool.close();
    expect(f.closed.sort()).toEqual(['default', 'other']);
    expect(() => pool.get('nope')).toThrow(UsageError);
  });

  it('tries again after a failed open', async () => {
    const f = fakeOpen();
    const pool = singleClusterPool({ context: 'kind-mesh' }, f.open);
    expect(pool.clusters).toEqual(['kind-mesh']);
    f.failNext(true);
    await expect(pool.get()).rejects.toThrow('no credentials');
    f.failNext(false);
    expect((await pool.get()).cluster).toBe('kind-mesh');
    expect(f.opened).toEqual(['kind-mesh', 'kind-mesh']);
    await pool.close();
  });
});
