import { jest } from '@jest/globals';
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import { StatusError } from '../../../../src/sandbox/kube/status-error.js';
import type { KubeObject, ObjectStore, WatchEvent } from '../../../../src/sandbox/kube/store-types.js';

const PODS = { group: '', plural: 'pods' };
const SVCS = { group: '', plural: 'services' };
const DEPLOYS = { group: 'apps', plural: 'deployments' };
const CMS = { group: '', plural: 'configmaps' };

function ns(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

function pod(name: string, labels: Record<string, string> = {}, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'demo', labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'app:1' }] },
    status: { phase: 'Running' },
    ...extra,
  };
}

function cm(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'demo' }, data };
}

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

/** Collects watch events; `next(n)` resolves once n events arrived. */
function collector() {
  const events: WatchEvent[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  return {
    events,
    onEvent: (ev: WatchEvent) => {
      events.push(ev);
      if (waiter && events.length >= waiter.n) {
        const w = waiter;
        waiter = undefined;
        w.resolve();
      }
    },
    until(n: number): Promise<void> {
      if (events.length >= n) return Promise.resolve();
      return new Promise((resolve) => (waiter = { n, resolve }));
    },
    summary: () => events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`),
  };
}

describe('object store', () => {
  let store: ObjectStore;
  beforeEach(() => {
    store = createObjectStore();
    store.create(ns('demo'));
  });
  afterEach(() => store.close());

  describe('create / get / update / delete', () => {
    it('sets uid, resourceVersion, creationTimestamp and generation, and stores a private copy', () => {
      const input = cm('settings', { a: '1' });
      const created = store.create(input);
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(created.metadata.generation).toBe(1);
      expect(input.metadata.uid).toBeUndefined();
      (created['data'] as Record<string, string>)['a'] = 'mutated';
      const got = store.get(CMS, 'demo', 'settings');
      expect(got?.['data']).toEqual({ a: '1' });
      (got?.['data'] as Record<string, string>)['a'] = 'mutated';
      expect(store.get(CMS, 'demo', 'settings')?.['data']).toEqual({ a: '1' });
    });

    it('gives namespaces their phase and name label', () => {
      const got = store.get({ group: '', plural: 'namespaces' }, undefined, 'demo');
      expect(got?.['status']).toEqual({ phase: 'Active' });
      expect(got?.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'demo' });
      expect(got?.metadata.namespace).toBeUndefined();
    });

    it('resolves generateName to the prefix and five lowercase alphanumerics', () => {
      const a = store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: '', generateName: 'web-', namespace: 'demo' },
      });
      const b = store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'web-', namespace: 'demo' } as KubeObject['metadata'],
      });
      expect(a.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(b.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(a.metadata.name).not.toBe(b.metadata.name);
    });

    it('increases one global resourceVersion across kinds, monotonically', () => {
      const rvs = [
        store.create(cm('a')).metadata.resourceVersion,
        store.create(pod('p')).metadata.resourceVersion,
        store.update({ ...cm('a', { x: 'y' }) }).metadata.resourceVersion,
        store.create(ns('other')).metadata.resourceVersion,
      ].map(Number);
      for (let i = 1; i < rvs.length; i++) expect(rvs[i]).toBeGreaterThan(rvs[i - 1] as number);
      expect(store.resourceVersion()).toBe(String(rvs[rvs.length - 1]));
      expect(store.list(CMS).resourceVersion).toBe(store.resourceVersion());
    });

    it('answers AlreadyExists, NotFound and a missing namespace with the real Status', () => {
      store.create(pod('web'));
      const exists = statusOf(() => store.create(pod('web')));
      expect(exists.body).toMatchObject({
        kind: 'Status',
        code: 409,
        reason: 'AlreadyExists',
        message: 'pods "web" already exists',
        details: { name: 'web', kind: 'pods' },
      });
      expect(statusOf(() => store.delete(PODS, 'demo', 'nope')).body).toMatchObject({
        code: 404,
        reason: 'NotFound',
        message: 'pods "nope" not found',
      });
      expect(statusOf(() => store.update(pod('nope'))).code).toBe(404);
      const noNs = statusOf(() => store.create({ ...pod('x'), metadata: { name: 'x', namespace: 'ghost' } }));
      expect(noNs.body).toMatchObject({
        code: 404,
        reason: 'NotFound',
        message: 'namespaces "ghost" not found',
      });
      const deploy = statusOf(() => store.delete(DEPLOYS, 'demo', 'web'));
      expect(deploy.message).toBe('deployments.apps "web" not found');
    });

    it('rejects invalid names with 422 Invalid naming the field', () => {
      const err = statusOf(() => store.create(cm('Bad_Name')));
      expect(err.code).toBe(422);
      expect(err.reason).toBe('Invalid');
      expect(err.message).toMatch(
        /^ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
      );
      expect(err.body.details?.causes?.[0]).toMatchObject({
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
      });
      expect(
        statusOf(() =>
          store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: '1svc', namespace: 'demo' } }),
        ).message,
      ).toMatch(/DNS-1035/);
      expect(
        statusOf(() =>
          store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '', namespace: 'demo' } }),
        ).message,
      ).toBe('ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
      expect(
        statusOf(() =>
          store.create({
            ...cm('x'),
            metadata: { name: 'x', namespace: 'demo', labels: { 'bad key!': 'v' } },
          }),
        ).code,
      ).toBe(422);
    });

    it('answers a stale resourceVersion with 409 Conflict and updates unconditionally without one', () => {
      const v1 = store.create(cm('c', { a: '1' }));
      const v2 = store.update({ ...v1, data: { a: '2' } });
      expect(Number(v2.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
      const err = statusOf(() => store.update({ ...v1, data: { a: '3' } }));
      expect(err.body).toMatchObject({
        code: 409,
        reason: 'Conflict',
        message:
          'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
      });
      const v3 = store.update({ ...cm('c', { a: '4' }) });
      expect(v3['data']).toEqual({ a: '4' });
      expect(v3.metadata.uid).toBe(v1.metadata.uid);
      expect(v3.metadata.creationTimestamp).toBe(v1.metadata.creationTimestamp);
    });

    it('bumps generation only when something outside metadata and status changes', () => {
      const d = store.create({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'demo' },
        spec: { replicas: 1 },
      });
      const labelled = store.update({ ...d, metadata: { ...d.metadata, labels: { a: 'b' } } });
      expect(labelled.metadata.generation).toBe(1);
      const withStatus = store.updateStatus({ ...labelled, status: { replicas: 1 } });
      expect(withStatus.metadata.generation).toBe(1);
      expect(withStatus['status']).toEqual({ replicas: 1 });
      const scaled = store.update({ ...withStatus, spec: { replicas: 3 } });
      expect(scaled.metadata.generation).toBe(2);
    });

    it('does not bump the resourceVersion on a no-op update', () => {
      const v1 = store.create(cm('c', { a: '1' }));
      expect(store.update(v1).metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
    });

    it('deletes a namespace with everything in it', () => {
      store.create(pod('p', {}, { spec: { containers: [] } }));
      store.create(cm('c'));
      const seen = collector();
      store.watch(CMS, { resourceVersion: store.resourceVersion() }, seen.onEvent);
      store.delete({ group: '', plural: 'namespaces' }, undefined, 'demo');
      expect(store.list(PODS).items).toHaveLength(0);
      expect(store.list(CMS).items).toHaveLength(0);
      expect(seen.summary()).toEqual(['DELETED c']);
    });
  });

  describe('list with selectors', () => {
    beforeEach(() => {
      store.create(ns('other'));
      store.create(pod('web-1', { app: 'web', tier: 'front' }));
      store.create(pod('web-2', { app: 'web' }, { status: { phase: 'Pending' } }));
      store.create(pod('db-1', { app: 'db' }));
      store.create({
        ...pod('web-3', { app: 'web' }),
        metadata: { name: 'web-3', namespace: 'other', labels: { app: 'web' } },
      });
    });
    const names = (items: KubeObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

    it('filters by namespace, label and field selectors', () => {
      expect(names(store.list(PODS).items)).toEqual(['demo/db-1', 'demo/web-1', 'demo/web-2', 'other/web-3']);
      expect(names(store.list(PODS, { namespace: 'demo', labelSelector: 'app=web' }).items)).toEqual([
        'demo/web-1',
        'demo/web-2',
      ]);
      expect(names(store.list(PODS, { labelSelector: 'app in (web,db),!tier' }).items)).toEqual([
        'demo/db-1',
        'demo/web-2',
        'other/web-3',
      ]);
      expect(names(store.list(PODS, { labelSelector: 'app!=web' }).items)).toEqual(['demo/db-1']);
      expect(names(store.list(PODS, { labelSelector: 'tier' }).items)).toEqual(['demo/web-1']);
      expect(names(store.list(PODS, { labelSelector: 'app notin (web)' }).items)).toEqual(['demo/db-1']);
      expect(names(store.list(PODS, { fieldSelector: 'metadata.name=web-3' }).items)).toEqual([
        'other/web-3',
      ]);
      expect(names(store.list(PODS, { fieldSelector: 'status.phase!=Running' }).items)).toEqual([
        'demo/web-2',
      ]);
      expect(names(store.list(PODS, { fieldSelector: 'metadata.namespace=other' }).items)).toEqual([
        'other/web-3',
      ]);
      expect(names(store.list(PODS, { labelSelector: 'app=nothing' }).items)).toEqual([]);
    });

    it('answers a bad selector with 400 BadRequest', () => {
      expect(statusOf(() => store.list(PODS, { labelSelector: 'app in (web' })).code).toBe(400);
      const err = statusOf(() => store.list(PODS, { fieldSelector: 'spec.foo=bar' }));
      expect(err.body).toMatchObject({
        code: 400,
        reason: 'BadRequest',
        message: 'field label not supported: spec.foo',
      });
    });
  });

  describe('delete', () => {
    it('deletes a pod gracefully: MODIFIED with deletionTimestamp, then DELETED on a grace-0 delete', async () => {
      const created = store.create(pod('web'));
      const seen = collector();
      store.watch(
        PODS,
        { namespace: 'demo', resourceVersion: created.metadata.resourceVersion },
        seen.onEvent,
      );
      const marked = store.delete(PODS, 'demo', 'web');
      expect(marked.metadata.deletionTimestamp).toBeDefined();
      expect(marked.metadata.deletionGracePeriodSeconds).toBe(30);
      expect(store.get(PODS, 'demo', 'web')?.metadata.deletionTimestamp).toBe(
        marked.metadata.deletionTimestamp,
      );
      const gone = store.delete(PODS, 'demo', 'web', { gracePeriodSeconds: 0 });
      expect(store.get(PODS, 'demo', 'web')).toBeUndefined();
      await seen.until(2);
      expect(seen.events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
      expect(seen.events[1]?.object.metadata.resourceVersion).toBe(gone.metadata.resourceVersion);
      expect(Number(gone.metadata.resourceVersion)).toBeGreaterThan(Number(marked.metadata.resourceVersion));
    });

    it('deletes an unscheduled pod at once', () => {
      store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'demo' },
        spec: { containers: [] },
      });
      store.delete(PODS, 'demo', 'p');
      expect(store.get(PODS, 'demo', 'p')).toBeUndefined();
    });

    it('keeps an object with finalizers until an update empties them', () => {
      const c = store.create({
        ...cm('guarded'),
        metadata: { name: 'guarded', namespace: 'demo', finalizers: ['example.com/keep'] },
      });
      const seen = collector();
      store.watch(CMS, { resourceVersion: c.metadata.resourceVersion }, seen.onEvent);
      const marked = store.delete(CMS, 'demo', 'guarded', { gracePeriodSeconds: 0 });
      expect(marked.metadata.deletionTimestamp).toBeDefined();
      expect(store.get(CMS, 'demo', 'guarded')).toBeDefined();
      const addFinalizer = statusOf(() =>
        store.update({
          ...marked,
          metadata: { ...marked.metadata, finalizers: ['example.com/keep', 'example.com/more'] },
        }),
      );
      expect(addFinalizer.code).toBe(422);
      const final = store.update({ ...marked, metadata: { ...marked.metadata, finalizers: [] } });
      expect(store.get(CMS, 'demo', 'guarded')).toBeUndefined();
      expect(seen.summary()).toEqual(['MODIFIED guarded', 'DELETED guarded']);
      expect(seen.events[1]?.object.metadata.resourceVersion).toBe(final.metadata.resourceVersion);
    });

    it('checks a resourceVersion precondition', () => {
      const c = store.create(cm('c'));
      store.update({ ...c, data: { a: 'b' } });
      const err = statusOf(() =>
        store.delete(CMS, 'demo', 'c', { preconditionResourceVersion: c.metadata.resourceVersion }),
      );
      expect(err.code).toBe(409);
      expect(err.message).toMatch(/^Operation cannot be fulfilled on configmaps "c": Precondition failed/);
    });
  });

  describe('patch and scale', () => {
    it('patches a Deployment strategically and through its scale subresource', () => {
      store.create({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'demo' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            spec: {
              containers: [
                { name: 'app', image: 'app:1' },
                { name: 'sidecar', image: 's:1' },
              ],
            },
          },
        },
      });
      const patched = store.patch(
        DEPLOYS,
        'demo',
        'web',
        { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:2' }] } } } },
        'application/strategic-merge-patch+json',
      );
      const containers = (
        (patched['spec'] as Record<string, unknown>)['template'] as { spec: { containers: unknown[] } }
      ).spec.containers;
      expect(containers).toEqual([
        { name: 'app', image: 'app:2' },
        { name: 'sidecar', image: 's:1' },
      ]);
      expect(patched.metadata.generation).toBe(2);
      const scale = store.patch(
        DEPLOYS,
        'demo',
        'web',
        { spec: { replicas: 3 } },
        'application/merge-patch+json',
        {
          subresource: 'scale',
        },
      );
      expect(scale).toMatchObject({
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        spec: { replicas: 3 },
        status: { selector: 'app=web' },
      });
      expect((store.get(DEPLOYS, 'demo', 'web')?.['spec'] as { replicas: number }).replicas).toBe(3);
      expect(store.getScale(DEPLOYS, 'demo', 'web').spec).toEqual({ replicas: 3 });
      expect(statusOf(() => store.getScale(CMS, 'demo', 'x')).code).toBe(404);
      expect(
        statusOf(() => store.patch(DEPLOYS, 'demo', 'web', 'not json', 'application/merge-patch+json')).code,
      ).toBe(400);
      expect(statusOf(() => store.patch(DEPLOYS, 'demo', 'web', {}, 'text/plain')).code).toBe(415);
    });

    it('patches status only through the status subresource', () => {
      store.create(pod('web'));
      const p = store.patch(
        PODS,
        'demo',
        'web',
        { status: { phase: 'Failed' }, spec: { nodeName: 'x' } },
        'application/merge-patch+json',
        {
          subresource: 'status',
        },
      );
      expect(p['status']).toEqual({ phase: 'Failed' });
      expect((p['spec'] as { nodeName: string }).nodeName).toBe('node-1');
    });

    it('answers a patch carrying a stale resourceVersion with 409', () => {
      const c = store.create(cm('c'));
      store.update({ ...c, data: { a: '1' } });
      const err = statusOf(() =>
        store.patch(
          CMS,
          'demo',
          'c',
          { metadata: { resourceVersion: c.metadata.resourceVersion }, data: { b: '2' } },
          'application/merge-patch+json',
        ),
      );
      expect(err.code).toBe(409);
    });
  });

  describe('watch', () => {
    it('sends current objects as ADDED when started without a resourceVersion, then streams live', () => {
      store.create(cm('a'));
      const seen = collector();
      store.watch(CMS, { namespace: 'demo' }, seen.onEvent);
      store.create(cm('b'));
      store.update(cm('b', { x: '1' }));
      store.delete(CMS, 'demo', 'a');
      expect(seen.summary()).toEqual(['ADDED a', 'ADDED b', 'MODIFIED b', 'DELETED a']);
    });

    it('a shared watch delivers the stored objects themselves, and copies only to re-version a hidden object', () => {
      store.create(pod('web-1', { app: 'web' }));
      const seen = collector();
      store.watch(PODS, { labelSelector: 'app=web', shared: true }, seen.onEvent);
      store.update(pod('web-1', { app: 'web', tier: 'front' }));
      const stored = store.listStored(PODS, { labelSelector: 'app=web' }).items;
      expect(seen.events[0]?.object).not.toBe(stored[0]);
      expect(seen.events[1]?.object).toBe(stored[0]);
      const before = stored[0]?.metadata.resourceVersion;
      const moved = store.update(pod('web-1', { app: 'db' }));
      expect(seen.summary()).toEqual(['ADDED web-1', 'MODIFIED web-1', 'DELETED web-1']);
      // The DELETED carries the previous content at the version of the change that hid it.
      expect(seen.events[2]?.object.metadata.resourceVersion).toBe(moved.metadata.resourceVersion);
      expect(seen.events[2]?.object.metadata.labels).toEqual({ app: 'web', tier: 'front' });
      expect(seen.events[1]?.object.metadata.resourceVersion).toBe(before);
    });

    it('replays the events after a resourceVersion', () => {
      const a = store.create(cm('a'));
      store.create(cm('b'));
      store.update(cm('a', { x: '1' }));
      store.create(pod('p'));
      const seen = collector();
      store.watch(CMS, { resourceVersion: a.metadata.resourceVersion }, seen.onEvent);
      expect(seen.summary()).toEqual(['ADDED b', 'MODIFIED a']);
      const rvs = seen.events.map((e) => Number(e.object.metadata.resourceVersion));
      expect(rvs[0]).toBeGreaterThan(Number(a.metadata.resourceVersion));
      expect(rvs[1]).toBeGreaterThan(rvs[0] as number);
    });

    it('answers a compacted resourceVersion with 410 Expired', () => {
      const small = createObjectStore({ historyLimit: 3 });
      try {
        small.create(ns('demo'));
        const first = small.create(cm('c0'));
        for (let i = 1; i <= 5; i++) small.create(cm(`c${i}`));
        const err = statusOf(() =>
          small.watch(CMS, { resourceVersion: first.metadata.resourceVersion }, () => undefined),
        );
        expect(err.body).toMatchObject({ code: 410, reason: 'Expired' });
        expect(err.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
        const recent = small.list(CMS).resourceVersion;
        expect(() => small.watch(CMS, { resourceVersion: recent }, () => undefined)).not.toThrow();
      } finally {
        small.close();
      }
    });

    it('sends bookmarks when allowed', async () => {
      jest.useFakeTimers();
      try {
        const seen = collector();
        store.watch(
          CMS,
          { resourceVersion: store.resourceVersion(), allowWatchBookmarks: true },
          seen.onEvent,
        );
        store.create(cm('a'));
        jest.advanceTimersByTime(1000);
        await seen.until(2);
        expect(seen.events[1]).toEqual({
          type: 'BOOKMARK',
          object: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { resourceVersion: store.resourceVersion() },
          },
        });
      } finally {
        jest.useRealTimers();
      }
    });

    it('sends ADDED/DELETED as objects start or stop matching the label selector', () => {
      store.create(pod('web', { app: 'web' }));
      const seen = collector();
      store.watch(PODS, { labelSelector: 'app=web', resourceVersion: store.resourceVersion() }, seen.onEvent);
      store.update(pod('web', { app: 'other' }));
      store.update(pod('web', { app: 'web' }));
      store.update(pod('web', { app: 'web', v: '2' }));
      store.create(pod('db', { app: 'db' }));
      expect(seen.summary()).toEqual(['DELETED web', 'ADDED web', 'MODIFIED web']);
      expect(seen.events[0]?.object.metadata.labels).toEqual({ app: 'web' });
    });

    it('tells a label-filtered watcher about a deletion even when the final update changed the labels', () => {
      const c = store.create({
        ...cm('guarded'),
        metadata: {
          name: 'guarded',
          namespace: 'demo',
          labels: { app: 'web' },
          finalizers: ['example.com/keep'],
        },
      });
      const seen = collector();
      store.watch(
        CMS,
        { labelSelector: 'app=web', resourceVersion: c.metadata.resourceVersion },
        seen.onEvent,
      );
      const marked = store.delete(CMS, 'demo', 'guarded');
      store.update({ ...marked, metadata: { ...marked.metadata, labels: { app: 'gone' }, finalizers: [] } });
      expect(seen.summary()).toEqual(['MODIFIED guarded', 'DELETED guarded']);
      expect(store.list(CMS, { labelSelector: 'app=gone' }).items).toEqual([]);
    });

    it('replays history and then streams live events in order', () => {
      const start = store.resourceVersion();
      store.create(cm('a'));
      const seen = collector();
      store.watch(CMS, { resourceVersion: start }, seen.onEvent);
      store.create(cm('b'));
      expect(seen.summary()).toEqual(['ADDED a', 'ADDED b']);
      const rvs = seen.events.map((e) => Number(e.object.metadata.resourceVersion));
      expect(rvs[1]).toBeGreaterThan(rvs[0] as number);
    });

    it('stops a watch whose callback throws, and keeps serving the others', () => {
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        let calls = 0;
        const healthy = collector();
        store.watch(CMS, {}, () => {
          calls++;
          throw new Error('boom');
        });
        store.watch(CMS, {}, healthy.onEvent);
        store.create(cm('a'));
        store.create(cm('b'));
        expect(calls).toBe(1);
        expect(healthy.summary()).toEqual(['ADDED a', 'ADDED b']);
        expect(warn).toHaveBeenCalledTimes(1);
      } finally {
        warn.mockRestore();
      }
    });

    it('filters by field selector', () => {
      const seen = collector();
      store.watch(PODS, { fieldSelector: 'status.phase=Running' }, seen.onEvent);
      store.create(pod('a'));
      store.create(pod('b', {}, { status: { phase: 'Pending' } }));
      store.update(pod('b', {}, { status: { phase: 'Running' } }));
      expect(seen.summary()).toEqual(['ADDED a', 'ADDED b']);
    });

    it('keeps the order of events when a watcher writes from its callback', () => {
      const first: string[] = [];
      const second: string[] = [];
      store.watch(CMS, {}, (ev) => {
        first.push(`${ev.type} ${ev.object.metadata.name}`);
        if (ev.type === 'ADDED' && ev.object.metadata.name === 'a') store.create(cm('b'));
      });
      store.watch(CMS, {}, (ev) => second.push(`${ev.type} ${ev.object.metadata.name}`));
      store.create(cm('a'));
      expect(first).toEqual(['ADDED a', 'ADDED b']);
      expect(second).toEqual(['ADDED a', 'ADDED b']);
    });

    it('stops a watch, and close() stops every watch and bookmark timer', () => {
      jest.useFakeTimers();
      try {
        const a = collector();
        const b = collector();
        const stopA = store.watch(CMS, {}, a.onEvent);
        store.watch(CMS, { allowWatchBookmarks: true }, b.onEvent);
        stopA();
        store.create(cm('x'));
        expect(a.events).toHaveLength(0);
        expect(b.events).toHaveLength(1);
        store.close();
        expect(jest.getTimerCount()).toBe(0);
        store.create(cm('y'));
        jest.advanceTimersByTime(5000);
        expect(b.events).toHaveLength(1);
      } finally {
        jest.useRealTimers();
      }
    });

    it('answers an unknown kind with 404', () => {
      expect(statusOf(() => store.list({ group: '', plural: 'widgets' })).code).toBe(404);
      expect(store.kindOf({ apiVersion: 'apps/v1', kind: 'Deployment' }).plural).toBe('deployments');
      expect(store.kindOf(SVCS).shortNames).toContain('svc');
    });
  });
});
