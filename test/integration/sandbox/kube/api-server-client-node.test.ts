/**
 * @kubernetes/client-node 1.4.0 against the sandbox API server over real HTTP: typed API
 * clients, patch content types, the scale subresource, Watch, Informer, 410, 403 and
 * port-forward.
 */
import net from 'node:net';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { startApiServer, type RunningApiServer } from '../../../../src/sandbox/kube/api-server.js';
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import type { KubeObject, ObjectStore } from '../../../../src/sandbox/kube/store-types.js';
import { CONTROL_PLANE_TOKEN, kubeconfigYaml } from '../../../../src/sandbox/kube/write-kubeconfig.js';
import { EventLog } from './event-log.js';
import { podObject, seedEmojivoto } from './seed-objects.js';

const NS = 'emojivoto';

function kubeConfigFor(url: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfigYaml({ server: url }));
  return kc;
}

/** The HTTP code and Status body of a failed client-node call. */
async function failure(call: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof k8s.ApiException) {
      const body: unknown = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      return { code: err.code, body: body as Record<string, unknown> };
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('sandbox API server with @kubernetes/client-node', () => {
  let store: ObjectStore;
  let server: RunningApiServer;
  let kc: k8s.KubeConfig;
  let echo: net.Server;
  let echoPort: number;

  beforeAll(async () => {
    echo = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoPort = (echo.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  beforeEach(async () => {
    store = createObjectStore({ historyLimit: 50 });
    seedEmojivoto(store);
    server = await startApiServer({
      store,
      portForward: (namespace, pod, port) =>
        namespace === NS && pod === 'web-5f7d9-abcde' && port === 8080
          ? { host: '127.0.0.1', port: echoPort }
          : undefined,
    });
    kc = kubeConfigFor(server.url);
  });

  afterEach(async () => {
    await server.close();
    store.close();
  });

  it('serves discovery built from the kinds', async () => {
    const version = (await (await fetch(`${server.url}/version`)).json()) as Record<string, string>;
    expect(version).toMatchObject({ major: '1', minor: '31', gitVersion: 'v1.31.0' });

    const apps = (await (await fetch(`${server.url}/apis/apps/v1`)).json()) as {
      groupVersion: string;
      resources: Array<Record<string, unknown>>;
    };
    expect(apps.groupVersion).toBe('apps/v1');
    expect(apps.resources).toContainEqual(
      expect.objectContaining({
        name: 'deployments',
        kind: 'Deployment',
        namespaced: true,
        shortNames: ['deploy'],
      }),
    );
    expect(apps.resources).toContainEqual(
      expect.objectContaining({
        name: 'deployments/scale',
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
      }),
    );

    const core = (await (await fetch(`${server.url}/api/v1`)).json()) as {
      resources: Array<{ name: string }>;
    };
    expect(core.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'pods',
        'pods/status',
        'pods/portforward',
        'services',
        'endpoints',
        'namespaces',
      ]),
    );

    const groups = (await (await fetch(`${server.url}/apis`)).json()) as { groups: Array<{ name: string }> };
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'discovery.k8s.io']));

    const aggregated = await fetch(`${server.url}/apis`, {
      headers: {
        Accept:
          'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      },
    });
    expect(aggregated.headers.get('content-type')).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    const list = (await aggregated.json()) as {
      kind: string;
      items: Array<{
        metadata: { name: string };
        versions: Array<{ resources: Array<Record<string, unknown>> }>;
      }>;
    };
    expect(list.kind).toBe('APIGroupDiscoveryList');
    const appsGroup = list.items.find((i) => i.metadata.name === 'apps');
    expect(appsGroup?.versions[0]?.resources).toContainEqual(
      expect.objectContaining({
        resource: 'deployments',
        scope: 'Namespaced',
        responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        subresources: expect.arrayContaining([
          {
            subresource: 'scale',
            responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
            verbs: ['get', 'patch', 'update'],
          },
        ]),
      }),
    );

    const apis = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(apis.groups.map((g) => g.name)).toContain('coordination.k8s.io');

    const unknown = await fetch(`${server.url}/apis/example.com/v1/widgets`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('lists, gets, creates, replaces and patches core objects', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: NS });
    expect(pods.items.map((p) => p.metadata?.name).sort()).toEqual(['web-5f7d9-abcde', 'web-5f7d9-fghij']);
    expect(pods.metadata?.resourceVersion).toBe(store.resourceVersion());

    const selected = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.name=web-5f7d9-fghij' });
    expect(selected.items.map((p) => p.status?.podIP)).toEqual(['10.244.0.12']);

    const svc = await core.readNamespacedService({ name: 'web-svc', namespace: NS });
    expect(svc.spec?.ports?.[0]?.port).toBe(80);

    const created = await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: 'settings', labels: { team: 'mesh' } }, data: { a: '1' } },
    });
    expect(created.metadata?.uid).toBeTruthy();
    expect(store.get({ group: '', plural: 'configmaps' }, NS, 'settings')?.['data']).toEqual({ a: '1' });

    const replaced = await core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace: NS,
      body: { ...created, data: { a: '2' } },
    });
    expect(replaced.data).toEqual({ a: '2' });

    const stale = await failure(
      core.replaceNamespacedConfigMap({
        name: 'settings',
        namespace: NS,
        body: { ...created, data: { a: '3' } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({ reason: 'Conflict', code: 409 });

    const merged = await core.patchNamespacedConfigMap(
      { name: 'settings', namespace: NS, body: { data: { b: 'x' }, metadata: { labels: { team: null } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(merged.data).toEqual({ a: '2', b: 'x' });
    expect(merged.metadata?.labels?.['team']).toBeUndefined();

    const jsonPatched = await core.patchNamespacedConfigMap({
      name: 'settings',
      namespace: NS,
      body: [{ op: 'replace', path: '/data/a', value: 'json' }],
    });
    expect(jsonPatched.data).toEqual({ a: 'json', b: 'x' });

    const strategic = await core.patchNamespacedPod(
      {
        name: 'web-5f7d9-abcde',
        namespace: NS,
        body: { spec: { containers: [{ name: 'web-svc', image: 'buoyantio/emojivoto-web:v12' }] } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    // Strategic merge: the container merges by name and keeps its ports.
    expect(strategic.spec?.containers).toEqual([
      { name: 'web-svc', image: 'buoyantio/emojivoto-web:v12', ports: [{ containerPort: 8080 }] },
    ]);

    // Server-side apply: the applied fields become the manager's.
    const applied = await core.patchNamespacedConfigMap(
      {
        name: 'settings',
        namespace: NS,
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { c: '1' } },
        fieldManager: 'test',
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );
    expect(applied.data?.['c']).toBe('1');
    expect(applied.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toContainEqual([
      'test',
      'Apply',
    ]);

    const missing = await failure(core.readNamespacedPod({ name: 'nope', namespace: NS }));
    expect(missing.code).toBe(404);
    expect(missing.body).toMatchObject({ reason: 'NotFound', message: 'pods "nope" not found' });
  });

  it('answers bad bodies with 400 and deletes with the real responses', async () => {
    const bad = await fetch(`${server.url}/api/v1/namespaces/${NS}/configmaps`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"metadata": ',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });

    const wrongMethod = await fetch(`${server.url}/api/v1/namespaces/${NS}/pods`, {
      method: 'PUT',
      body: '{}',
    });
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });

    const core = kc.makeApiClient(k8s.CoreV1Api);
    // A graceful pod delete answers the pod, now Terminating; a 0 grace period removes it.
    const terminating = await core.deleteNamespacedPod({ name: 'web-5f7d9-abcde', namespace: NS });
    expect(terminating.metadata?.deletionTimestamp).toBeTruthy();
    expect(store.get({ group: '', plural: 'pods' }, NS, 'web-5f7d9-abcde')).toBeDefined();
    await core.deleteNamespacedPod({ name: 'web-5f7d9-abcde', namespace: NS, gracePeriodSeconds: 0 });
    expect(store.get({ group: '', plural: 'pods' }, NS, 'web-5f7d9-abcde')).toBeUndefined();

    const precondition = await failure(
      core.deleteNamespacedPod({
        name: 'web-5f7d9-fghij',
        namespace: NS,
        body: { preconditions: { resourceVersion: '1' } },
      }),
    );
    expect(precondition.code).toBe(409);

    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const status = await apps.deleteNamespacedDeployment({ name: 'web', namespace: NS });
    expect(status).toMatchObject({
      status: 'Success',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
  });

  it.each([
    [
      'a body of the wrong kind',
      'POST',
      `/api/v1/namespaces/${NS}/configmaps`,
      { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x' } },
      400,
      'BadRequest',
    ],
    [
      'a body of the wrong apiVersion',
      'POST',
      `/apis/apps/v1/namespaces/${NS}/deployments`,
      { kind: 'Deployment', apiVersion: 'apps/v1beta1', metadata: { name: 'x' } },
      400,
      'BadRequest',
    ],
    [
      'a namespace that differs from the URL',
      'POST',
      `/api/v1/namespaces/${NS}/configmaps`,
      { metadata: { name: 'x', namespace: 'other' } },
      400,
      'BadRequest',
    ],
    [
      'an invalid name',
      'POST',
      `/api/v1/namespaces/${NS}/configmaps`,
      { metadata: { name: 'Not_Valid' } },
      422,
      'Invalid',
    ],
    [
      'a duplicate',
      'POST',
      `/api/v1/namespaces/${NS}/services`,
      { metadata: { name: 'web-svc' } },
      409,
      'AlreadyExists',
    ],
    [
      'a missing namespace',
      'POST',
      '/api/v1/namespaces/nope/configmaps',
      { metadata: { name: 'x' } },
      404,
      'NotFound',
    ],
    [
      'a JSON patch that cannot apply',
      'PATCH',
      `/api/v1/namespaces/${NS}/services/web-svc`,
      [{ op: 'remove', path: '/spec/nothing' }],
      422,
      'Invalid',
    ],
    [
      'a merge patch that is not an object',
      'PATCH',
      `/api/v1/namespaces/${NS}/services/web-svc`,
      [1, 2],
      400,
      'BadRequest',
    ],
    [
      'a bad label selector',
      'GET',
      `/api/v1/pods?labelSelector=${encodeURIComponent('a in b')}`,
      undefined,
      400,
      'BadRequest',
    ],
    ['a bad continue token', 'GET', '/api/v1/pods?limit=1&continue=garbage', undefined, 400, 'BadRequest'],
    [
      'an unknown subresource',
      'GET',
      `/api/v1/namespaces/${NS}/pods/web-5f7d9-abcde/exec`,
      undefined,
      404,
      'NotFound',
    ],
    [
      'a scale of a kind without one',
      'GET',
      `/api/v1/namespaces/${NS}/services/web-svc/scale`,
      undefined,
      404,
      'NotFound',
    ],
    ['a named object in all namespaces', 'GET', '/api/v1/pods/web-5f7d9-abcde', undefined, 404, 'NotFound'],
    [
      'a create in all namespaces',
      'POST',
      '/api/v1/pods',
      { metadata: { name: 'x' } },
      405,
      'MethodNotAllowed',
    ],
  ])('refuses %s with the real Status', async (_what, method, url, body, code, reason) => {
    const contentType =
      method !== 'PATCH'
        ? 'application/json'
        : Array.isArray(body) && typeof body[0] === 'number'
          ? 'application/merge-patch+json'
          : 'application/json-patch+json';
    const res = await fetch(`${server.url}${url}`, {
      method,
      headers: { 'Content-Type': contentType },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status).toBe(code);
    expect(await res.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason, code });
  });

  it('refuses a body over 3 MiB with 413', async () => {
    const res = await fetch(`${server.url}/api/v1/namespaces/${NS}/configmaps`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(3.5 * 1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ reason: 'RequestEntityTooLarge', code: 413 });
  });

  it('lists EndpointSlices of a service with a label selector', async () => {
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    const slices = await discovery.listNamespacedEndpointSlice({
      namespace: NS,
      labelSelector: 'kubernetes.io/service-name=web-svc',
    });
    expect(slices.items).toHaveLength(1);
    expect(slices.items[0]?.endpoints.flatMap((e) => e.addresses)).toEqual(['10.244.0.11', '10.244.0.12']);
    const none = await discovery.listNamespacedEndpointSlice({
      namespace: NS,
      labelSelector: 'kubernetes.io/service-name=other',
    });
    expect(none.items).toHaveLength(0);
  });

  it('reads and writes the scale subresource with optimistic concurrency', async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: NS });
    expect(scale).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 2 },
      status: { replicas: 2, selector: 'app=web-svc' },
    });

    const updated = await apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace: NS,
      body: { ...scale, spec: { replicas: 5 } },
    });
    expect(updated.spec?.replicas).toBe(5);
    const deployment = store.get({ group: 'apps', plural: 'deployments' }, NS, 'web');
    expect((deployment?.['spec'] as { replicas: number }).replicas).toBe(5);

    const stale = await failure(
      apps.replaceNamespacedDeploymentScale({
        name: 'web',
        namespace: NS,
        body: { ...scale, spec: { replicas: 7 } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({ reason: 'Conflict' });

    const patched = await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: NS, body: { spec: { replicas: 1 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(patched.spec?.replicas).toBe(1);
  });

  it('writes status only through the status subresource', async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const current = await apps.readNamespacedDeployment({ name: 'web', namespace: NS });
    const replaced = await apps.replaceNamespacedDeployment({
      name: 'web',
      namespace: NS,
      body: { ...current, status: { replicas: 99 } },
    });
    expect(replaced.status?.replicas).toBe(2);
    const patched = await apps.patchNamespacedDeploymentStatus(
      { name: 'web', namespace: NS, body: { status: { readyReplicas: 1 }, spec: { replicas: 9 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(patched.status?.readyReplicas).toBe(1);
    expect(patched.spec?.replicas).toBe(2);
  });

  it('streams watch events from a Watch', async () => {
    const events = new EventLog<{ type: string; name: string | undefined }>();
    const ended = new EventLog<unknown>();
    const watch = new k8s.Watch(kc);
    const req = await watch.watch(
      `/api/v1/namespaces/${NS}/pods`,
      {},
      (type: string, obj: KubeObject) => events.push({ type, name: obj.metadata?.name }),
      (err: unknown) => ended.push(err ?? 'done'),
    );
    await events.waitFor((e) => e.type === 'ADDED' && e.name === 'web-5f7d9-fghij', 'initial ADDED');
    store.create(podObject('web-5f7d9-zzzzz', '10.244.0.13'));
    await events.waitFor((e) => e.type === 'ADDED' && e.name === 'web-5f7d9-zzzzz', 'ADDED of a new pod');
    store.delete({ group: '', plural: 'pods' }, NS, 'web-5f7d9-zzzzz', { gracePeriodSeconds: 0 });
    await events.waitFor((e) => e.type === 'DELETED' && e.name === 'web-5f7d9-zzzzz', 'DELETED');
    req.abort();
    await ended.waitFor(() => true, 'watch end');
  });

  it('sends a too-old resourceVersion as an ERROR event with a 410 Status, then ends the watch', async () => {
    let cm = store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'churn', namespace: NS },
    });
    for (let i = 0; i < 60; i++) cm = store.update({ ...cm, data: { i: String(i) } });

    const events = new EventLog<{ type: string; obj: Record<string, unknown> }>();
    const ended = new EventLog<unknown>();
    await new k8s.Watch(kc).watch(
      `/api/v1/namespaces/${NS}/configmaps`,
      { resourceVersion: '2' },
      (type: string, obj: Record<string, unknown>) => events.push({ type, obj }),
      (err: unknown) => ended.push(err ?? 'done'),
    );
    const error = await events.waitFor((e) => e.type === 'ERROR', 'ERROR event');
    expect(error.obj).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(await ended.waitFor(() => true, 'the watch to end')).toBe('done');

    const badSelector = await fetch(
      `${server.url}/api/v1/pods?watch=true&labelSelector=${encodeURIComponent('a in b')}`,
    );
    expect(badSelector.status).toBe(400);
    expect(await badSelector.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
  });

  it('keeps an Informer in sync through adds, updates and deletes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/pods`, () =>
      core.listNamespacedPod({ namespace: NS }),
    );
    const events = new EventLog<{ verb: string; name: string | undefined; ip: string | undefined }>();
    for (const verb of ['add', 'update', 'delete'] as const) {
      informer.on(verb, (pod: k8s.V1Pod) =>
        events.push({ verb, name: pod.metadata?.name, ip: pod.status?.podIP }),
      );
    }
    const errors = new EventLog<unknown>();
    informer.on('error', (err: unknown) => errors.push(err));
    await informer.start();
    try {
      await events.waitFor((e) => e.verb === 'add' && e.name === 'web-5f7d9-abcde', 'listed pod');
      store.create(podObject('web-5f7d9-new01', '10.244.0.20'));
      await events.waitFor((e) => e.verb === 'add' && e.name === 'web-5f7d9-new01', 'add');
      const pod = store.get({ group: '', plural: 'pods' }, NS, 'web-5f7d9-new01');
      if (!pod) throw new Error('pod missing');
      store.update({ ...pod, status: { ...(pod['status'] as object), podIP: '10.244.0.21' } });
      await events.waitFor((e) => e.verb === 'update' && e.ip === '10.244.0.21', 'update');
      store.delete({ group: '', plural: 'pods' }, NS, 'web-5f7d9-new01', { gracePeriodSeconds: 0 });
      await events.waitFor((e) => e.verb === 'delete' && e.name === 'web-5f7d9-new01', 'delete');
      expect(
        informer
          .list(NS)
          .map((p) => p.metadata?.name)
          .sort(),
      ).toEqual(['web-5f7d9-abcde', 'web-5f7d9-fghij']);
      expect(errors.items).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it('lets an Informer recover from 410 by listing again', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/pods`, () =>
      core.listNamespacedPod({ namespace: NS }),
    );
    const events = new EventLog<{ verb: string; name: string | undefined }>();
    const connects = new EventLog<number>();
    informer.on('add', (pod: k8s.V1Pod) => events.push({ verb: 'add', name: pod.metadata?.name }));
    informer.on('delete', (pod: k8s.V1Pod) => events.push({ verb: 'delete', name: pod.metadata?.name }));
    informer.on('connect', () => connects.push(connects.items.length + 1));
    await informer.start();
    try {
      await events.waitFor((e) => e.verb === 'add' && e.name === 'web-5f7d9-fghij', 'first list');
      await informer.stop();
      // While it is stopped, change the pods and churn past the retained history (50 events
      // per kind).
      store.delete({ group: '', plural: 'pods' }, NS, 'web-5f7d9-abcde', { gracePeriodSeconds: 0 });
      store.create(podObject('web-5f7d9-after', '10.244.0.50'));
      let pod = store.get({ group: '', plural: 'pods' }, NS, 'web-5f7d9-fghij') as KubeObject;
      for (let i = 0; i < 60; i++) {
        pod = store.update({ ...pod, metadata: { ...pod.metadata, annotations: { churn: String(i) } } });
      }

      await informer.start(); // watches from its old resourceVersion: 410, then lists again
      await connects.waitFor((n) => n >= 3, 'the reconnect after the 410');
      await events.waitFor(
        (e) => e.verb === 'delete' && e.name === 'web-5f7d9-abcde',
        'the deletion seen by the relist',
      );
      await events.waitFor(
        (e) => e.verb === 'add' && e.name === 'web-5f7d9-after',
        'the addition seen by the relist',
      );
      expect(
        informer
          .list(NS)
          .map((p) => p.metadata?.name)
          .sort(),
      ).toEqual(['web-5f7d9-after', 'web-5f7d9-fghij']);
    } finally {
      await informer.stop();
    }
  });

  it('answers a denied request with the RBAC 403 Status', async () => {
    server.setAccessRules([
      { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace: 'payments' },
    ]);
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    const denied = await failure(discovery.listNamespacedEndpointSlice({ namespace: 'payments' }));
    expect(denied.code).toBe(403);
    expect(denied.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:linkerd:meshbot" cannot list ' +
        'resource "endpointslices" in API group "discovery.k8s.io" in the namespace "payments"',
      reason: 'Forbidden',
      details: { group: 'discovery.k8s.io', kind: 'endpointslices' },
      code: 403,
    });
    // Other namespaces, and the cluster-wide list, are allowed.
    await expect(discovery.listNamespacedEndpointSlice({ namespace: NS })).resolves.toBeDefined();
    await expect(discovery.listEndpointSliceForAllNamespaces()).resolves.toBeDefined();

    const review = await kc.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectAccessReview({
      body: {
        spec: {
          resourceAttributes: {
            verb: 'list',
            group: 'discovery.k8s.io',
            resource: 'endpointslices',
            namespace: 'payments',
          },
        },
      },
    });
    expect(review.status?.allowed).toBe(false);

    server.setAccessRules([
      { verb: 'get', resource: 'pods', namespace: NS, user: 'system:serviceaccount:linkerd:meshbot' },
    ]);
    const pod = await failure(
      kc.makeApiClient(k8s.CoreV1Api).readNamespacedPod({ name: 'web-5f7d9-abcde', namespace: NS }),
    );
    expect(pod.body['message']).toBe(
      'pods "web-5f7d9-abcde" is forbidden: User "system:serviceaccount:linkerd:meshbot" cannot get resource "pods" in API group "" in the namespace "emojivoto"',
    );
  });

  it('names the user by bearer token; rules without a user spare the control plane', async () => {
    const strict = await startApiServer({ store, tokens: { 'alice-token': 'alice' } });
    try {
      strict.setAccessRules([
        { verb: '*', resource: 'secrets', user: 'alice' },
        { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io' },
      ]);
      const alice = new k8s.KubeConfig();
      alice.loadFromString(kubeconfigYaml({ server: strict.url, token: 'alice-token' }));
      const denied = await failure(
        alice.makeApiClient(k8s.CoreV1Api).listNamespacedSecret({ namespace: NS }),
      );
      expect(String(denied.body['message'])).toContain('User "alice" cannot list resource "secrets"');
      await expect(
        kubeConfigFor(strict.url).makeApiClient(k8s.CoreV1Api).listNamespacedSecret({ namespace: NS }),
      ).resolves.toBeDefined();

      // The rule without a user denies meshbot, not the simulated destination controller.
      const meshbot = await failure(
        kubeConfigFor(strict.url)
          .makeApiClient(k8s.DiscoveryV1Api)
          .listNamespacedEndpointSlice({ namespace: NS }),
      );
      expect(meshbot.code).toBe(403);
      const controlPlane = new k8s.KubeConfig();
      controlPlane.loadFromString(kubeconfigYaml({ server: strict.url, token: CONTROL_PLANE_TOKEN }));
      await expect(
        controlPlane.makeApiClient(k8s.DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: NS }),
      ).resolves.toBeDefined();

      const unknownToken = await fetch(`${strict.url}/api/v1/namespaces/${NS}/pods`, {
        headers: { Authorization: 'Bearer nope' },
      });
      expect(unknownToken.status).toBe(401);
      expect(await unknownToken.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
      expect((await fetch(`${strict.url}/api/v1/namespaces/${NS}/pods`)).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('prints Tables for kubectl, in lists and in watches', async () => {
    const accept =
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const res = await fetch(`${server.url}/api/v1/namespaces/${NS}/pods`, { headers: { Accept: accept } });
    const table = (await res.json()) as {
      kind: string;
      columnDefinitions: Array<{ name: string; priority: number }>;
      rows: Array<{ cells: unknown[]; object: { kind: string; metadata: { name: string } } }>;
    };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(table.rows[0]?.cells.slice(0, 4)).toEqual(['web-5f7d9-abcde', '1/1', 'Running', '0']);
    expect(table.rows[0]?.cells.slice(5, 7)).toEqual(['10.244.0.11', 'node-1']);
    expect(table.rows[0]?.object.kind).toBe('PartialObjectMetadata');

    const svc = (await (
      await fetch(`${server.url}/api/v1/namespaces/${NS}/services/web-svc?includeObject=Object`, {
        headers: { Accept: accept },
      })
    ).json()) as { rows: Array<{ cells: unknown[]; object: { kind: string } }> };
    expect(svc.rows[0]?.cells.slice(0, 5)).toEqual([
      'web-svc',
      'ClusterIP',
      '10.96.0.20',
      '<none>',
      '80/TCP',
    ]);
    expect(svc.rows[0]?.object.kind).toBe('Service');

    const controller = new AbortController();
    const watch = await fetch(
      `${server.url}/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=${store.resourceVersion()}`,
      {
        headers: { Accept: accept },
        signal: controller.signal,
      },
    );
    expect(watch.headers.get('transfer-encoding')).toBe('chunked');
    const reader = watch.body?.getReader();
    if (!reader) throw new Error('no body');
    store.create(podObject('web-5f7d9-watch', '10.244.0.30'));
    let text = '';
    while (!text.includes('\n')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    const event = JSON.parse(text.split('\n')[0] ?? '') as {
      type: string;
      object: { kind: string; rows: Array<{ cells: unknown[] }> };
    };
    expect(event.type).toBe('ADDED');
    expect(event.object.kind).toBe('Table');
    expect(event.object.rows[0]?.cells[0]).toBe('web-5f7d9-watch');
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });

  it('port-forwards with PortForward to the port the sandbox resolves', async () => {
    const output = new PassThrough();
    const errors = new PassThrough();
    const input = new PassThrough();
    const received = new EventLog<string>();
    let data = '';
    output.on('data', (chunk: Buffer) => {
      data += chunk.toString();
      received.push(data);
    });
    const ws = (await new k8s.PortForward(kc).portForward(
      NS,
      'web-5f7d9-abcde',
      [8080],
      output,
      errors,
      input,
    )) as {
      close(): void;
      protocol: string;
    };
    try {
      expect(ws.protocol).toBe('v4.channel.k8s.io');
      input.write('hello through the tunnel');
      await received.waitFor((d) => d === 'hello through the tunnel', 'the echo');
    } finally {
      ws.close();
    }
  });

  it('reports a port nothing listens on, and refuses missing pods and SPDY', async () => {
    const output = new PassThrough();
    const errors = new PassThrough();
    const errorText = new EventLog<string>();
    let text = '';
    errors.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      errorText.push(text);
    });
    const ws = (await new k8s.PortForward(kc).portForward(
      NS,
      'web-5f7d9-abcde',
      [9999],
      output,
      errors,
      new PassThrough(),
    )) as {
      close(): void;
    };
    try {
      const message = await errorText.waitFor((t) => t.includes('9999'), 'an error on the error channel');
      expect(message).toContain('error forwarding port 9999 to pod emojivoto/web-5f7d9-abcde');
    } finally {
      ws.close();
    }

    await expect(
      new k8s.PortForward(kc).portForward(NS, 'no-such-pod', [8080], output, errors, new PassThrough()),
    ).rejects.toBeDefined();

    const spdy = await fetch(
      `${server.url}/api/v1/namespaces/${NS}/pods/web-5f7d9-abcde/portforward?ports=8080`,
      {
        method: 'POST',
      },
    );
    expect(spdy.status).toBe(400);
    expect(await spdy.json()).toMatchObject({ reason: 'BadRequest', message: 'Upgrade request required' });
  });

  it('ends open watches and port-forwards when it closes', async () => {
    const own = await startApiServer({
      store,
      portForward: () => ({ host: '127.0.0.1', port: echoPort }),
    });
    const ownKc = kubeConfigFor(own.url);
    const ended = new EventLog<unknown>();
    await new k8s.Watch(ownKc).watch(
      `/api/v1/namespaces/${NS}/pods`,
      { resourceVersion: store.resourceVersion() },
      () => undefined,
      (err: unknown) => ended.push(err ?? 'done'),
    );
    const ws = (await new k8s.PortForward(ownKc).portForward(
      NS,
      'web-5f7d9-abcde',
      [8080],
      new PassThrough(),
      new PassThrough(),
      new PassThrough(),
    )) as { on(event: 'close', cb: () => void): void };
    const wsClosed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    await own.close();
    await ended.waitFor(() => true, 'the watch to end');
    await wsClosed;
    await expect(fetch(`${own.url}/version`)).rejects.toThrow();
  });
});
