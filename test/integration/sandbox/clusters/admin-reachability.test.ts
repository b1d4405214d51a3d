/**
 * The admin API's reachability endpoints (a cluster of a multi-cluster sandbox): GET
 * /reachability, POST /down and /up, wrong methods 405, and listed among the endpoints only
 * when the sandbox can go down.
 */
import { startAdminApi, type RunningAdminApi } from '../../../../src/sandbox/admin-api.js';

const noFaults = { setFault: () => undefined, clearFaults: () => undefined, faults: () => [] };

describe('admin API reachability', () => {
  let admin: RunningAdminApi;
  let plain: RunningAdminApi;
  const calls: string[] = [];
  beforeAll(async () => {
    let reachable = true;
    admin = await startAdminApi({
      faults: noFaults,
      reachability: {
        reachable: () => reachable,
        down: async (mode) => {
          calls.push(mode ? `down ${mode}` : 'down');
          reachable = false;
        },
        up: async () => {
          calls.push('up');
          reachable = true;
        },
      },
    });
    plain = await startAdminApi({ faults: noFaults });
  });
  afterAll(async () => {
    await admin.close();
    await plain.close();
  });

  it('takes the cluster down and up', async () => {
    const call = async (method: string, p: string): Promise<[number, unknown]> => {
      const res = await fetch(`${admin.url}${p}`, { method });
      return [res.status, await res.json()];
    };
    expect(await call('GET', '/reachability')).toEqual([200, { reachable: true }]);
    expect(await call('POST', '/down')).toEqual([200, { reachable: false }]);
    expect(await call('GET', '/reachability')).toEqual([200, { reachable: false }]);
    expect(await call('POST', '/up')).toEqual([200, { reachable: true }]);
    expect(await call('POST', '/down?mode=silent')).toEqual([200, { reachable: false }]);
    expect(await call('POST', '/up')).toEqual([200, { reachable: true }]);
    const bad = await call('POST', '/down?mode=drop');
    expect(bad[0]).toBe(400);
    expect(bad[1]).toMatchObject({ field: 'mode', error: expect.stringMatching(/refuse, silent/) });
    expect(calls).toEqual(['down refuse', 'up', 'down silent', 'up']);
    const wrong = await fetch(`${admin.url}/down`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('lists the endpoints only where the sandbox can go down', async () => {
    const listed = (await (await fetch(`${admin.url}/nope`)).json()) as { endpoints: string[] };
    expect(listed.endpoints).toEqual(expect.arrayContaining(['GET /reachability', 'POST /down', 'POST /up']));
    const res = await fetch(`${plain.url}/down`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { endpoints: string[] }).endpoints).not.toContain('POST /down');
  });
});
