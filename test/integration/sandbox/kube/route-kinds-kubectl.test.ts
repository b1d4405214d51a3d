/**
 * ServiceProfiles, HTTPRoutes (both API groups) and GRPCRoutes through the sandbox API server
 * with the real kubectl: discovery finds them by plural, short name and group, and kubectl
 * applies them; as a real API server, it serves each only while its CRD is installed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type RunningApiServer } from '../../../../src/sandbox/kube/api-server.js';
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import type { ObjectStore } from '../../../../src/sandbox/kube/store-types.js';
import { writeKubeconfig } from '../../../../src/sandbox/kube/write-kubeconfig.js';
import { crdObject } from '../../../../src/sandbox/scenario/linkerd-control-plane.js';
import {
  grpcRouteObject,
  httpRouteObject,
  serviceProfileObject,
} from '../../../../src/sandbox/scenario/route-schema.js';

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
    // linkerd-crds of 2.14: no GRPCRoute CRD until a test installs it.
    for (const crd of [
      'serviceprofiles.linkerd.io',
      'httproutes.policy.linkerd.io',
      'httproutes.gateway.networking.k8s.io',
    ] as const) {
      store.create(crdObject(crd, 'linkerd', 'stable-2.14.10'));
    }
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

  it('serves GRPCRoutes only once their CRD is installed, as a real API server (regression)', async () => {
    const before = await kubectl('get', 'grpcroutes', '-n', 'emojivoto');
    expect(before.code).not.toBe(0);
    expect(before.stderr).toContain('the server doesn\'t have a resource type "grpcroutes"');
    const raw = await kubectl(
      'get',
      '--raw',
      '/apis/gateway.networking.k8s.io/v1/namespaces/emojivoto/grpcroutes',
    );
    expect(raw.code).not.toBe(0);
    expect(raw.stderr).toMatch(/NotFound|the server could not find the requested resource/);

    const crdFile = path.join(dir, 'grpcroutes-crd.yaml');
    await writeFile(
      crdFile,
      JSON.stringify(crdObject('grpcroutes.gateway.networking.k8s.io', 'linkerd', 'edge-24.5.2')),
    );
    const installed = await kubectl('apply', '-f', crdFile);
    expect(installed.stderr).toBe('');
    expect(installed.stdout.trim()).toBe(
      'customresourcedefinition.apiextensions.k8s.io/grpcroutes.gateway.networking.k8s.io created',
    );

    const routeFile = path.join(dir, 'grpcroute.yaml');
    await writeFile(
      routeFile,
      JSON.stringify(
        grpcRouteObject({
          name: 'emoji-list',
          namespace: 'emojivoto',
          parent: 'emoji-svc',
          port: 8080,
          matches: [{ service: 'emoji.v1.EmojiService', method: 'ListAll', type: 'Exact' }],
        }),
      ),
    );
    const applied = await kubectl('apply', '-f', routeFile);
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim()).toBe('grpcroute.gateway.networking.k8s.io/emoji-list created');
    const listed = await kubectl('get', 'grpcroutes', '-n', 'emojivoto', '-o', 'json');
    expect(JSON.parse(listed.stdout).items[0].spec.rules[0].matches).toEqual([
      { method: { type: 'Exact', service: 'emoji.v1.EmojiService', method: 'ListAll' } },
    ]);

    // Deleting the CRD takes the kind away again.
    const deleted = await kubectl('delete', 'crd', 'grpcroutes.gateway.networking.k8s.io');
    expect(deleted.code).toBe(0);
    // (kubectl's discovery cache still lists the kind: ask the URL itself.)
    const after = await kubectl(
      'get',
      '--raw',
      '/apis/gateway.networking.k8s.io/v1/namespaces/emojivoto/grpcroutes',
    );
    expect(after.code).not.toBe(0);
    expect(after.stderr).toMatch(/the server could not find the requested resource/);
  });
});
