/**
 * ServiceProfiles and HTTPRoutes (both API groups) through the sandbox API server with the real
 * kubectl: discovery finds them by plural, short name and group, and kubectl applies them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type RunningApiServer } from '../../../../src/sandbox/kube/api-server.js';
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import type { ObjectStore } from '../../../../src/sandbox/kube/store-types.js';
import { writeKubeconfig } from '../../../../src/sandbox/kube/write-kubeconfig.js';
import { serviceProfileObject, httpRouteObject } from '../../../../src/sandbox/scenario/route-schema.js';

describe('route kinds with kubectl', () => {
  let dir: string;
  let store: ObjectStore;
  let server: RunningApiServer;
  let kubeconfig: string;

  const kubectl = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args],
        { timeout: 20_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshbot-route-kinds-'));
    store = createObjectStore();
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'emojivoto' } });
    store.create(
      serviceProfileObject(
        { service: 'web-svc', namespace: 'emojivoto', routes: [{ name: 'GET /api/list', method: 'GET' }] },
        'cluster.local',
      ),
    );
    store.create(
      httpRouteObject({
        name: 'emoji-find',
        namespace: 'emojivoto',
        group: 'policy.linkerd.io',
        parent: 'emoji-svc',
        matches: [{ path: '/find', pathType: 'PathPrefix' }],
      }),
    );
    server = await startApiServer({ store });
    kubeconfig = await writeKubeconfig({ server: server.url, path: path.join(dir, 'kubeconfig') });
  });

  afterAll(async () => {
    await server.close();
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gets ServiceProfiles by plural and short name', async () => {
    const sp = await kubectl('get', 'sp', '-n', 'emojivoto', '-o', 'name');
    expect(sp.stderr).toBe('');
    expect(sp.stdout.trim()).toBe('serviceprofile.linkerd.io/web-svc.emojivoto.svc.cluster.local');
    const json = await kubectl('get', 'serviceprofiles', '-n', 'emojivoto', '-o', 'json');
    expect(JSON.parse(json.stdout).items[0].spec.routes).toEqual([
      { name: 'GET /api/list', condition: { method: 'GET' } },
    ]);
  });

  it('gets and applies HTTPRoutes of both groups', async () => {
    const linkerd = await kubectl('get', 'httproutes.policy.linkerd.io', '-n', 'emojivoto', '-o', 'name');
    expect(linkerd.stdout.trim()).toBe('httproute.policy.linkerd.io/emoji-find');
    const file = path.join(dir, 'route.yaml');
    await writeFile(
      file,
      JSON.stringify(
        httpRouteObject({
          name: 'web-api',
          namespace: 'emojivoto',
          group: 'gateway.networking.k8s.io',
          parent: 'web-svc',
          port: 80,
          matches: [],
        }),
      ),
    );
    const applied = await kubectl('apply', '-f', file);
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim()).toBe('httproute.gateway.networking.k8s.io/web-api created');
    const gateway = await kubectl(
      'get',
      'httproutes.gateway.networking.k8s.io',
      '-n',
      'emojivoto',
      '-o',
      'json',
    );
    expect(JSON.parse(gateway.stdout).items[0].spec.parentRefs).toEqual([
      { group: 'core', kind: 'Service', name: 'web-svc', namespace: 'emojivoto', port: 80 },
    ]);
  });
});
