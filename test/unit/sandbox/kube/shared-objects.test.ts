import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import { draftOf, ownCopy } from '../../../../src/sandbox/kube/shared-objects.js';
import type { KubeObject, WatchEvent } from '../../../../src/sandbox/kube/store-types.js';

const PODS = { group: '', plural: 'pods' };

function setup() {
  const store = createObjectStore();
  store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
  const created = store.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'demo', labels: { app: 'web' } },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 80 }] }],
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  });
  return { store, created };
}

describe('structural sharing in the object store', () => {
  it('keeps stored objects frozen, deeply: nobody can change them in place', () => {
    const { store } = setup();
    const stored = store.getStored(PODS, 'demo', 'web-1') as KubeObject;
    expect(Object.isFrozen(stored)).toBe(true);
    const containers = (stored['spec'] as { containers: Array<{ ports: object[] }> }).containers;
    expect(Object.isFrozen(containers[0]!.ports[0])).toBe(true);
    expect(() => {
      (stored.metadata.labels as Record<string, string>)['app'] = 'changed';
    }).toThrow(TypeError);
  });

  it('never keeps what a caller handed it, and answers writes with copies unless asked to share', () => {
    const { store, created } = setup();
    created.metadata.labels!['app'] = 'changed';
    expect(store.getStored(PODS, 'demo', 'web-1')!.metadata.labels).toEqual({ app: 'web' });
    expect(Object.isFrozen(created)).toBe(false);
    const input = draftOf(store.getStored(PODS, 'demo', 'web-1') as KubeObject);
    input['status'] = { phase: 'Running' };
    const shared = store.update(input, { shared: true });
    expect(shared).toBe(store.getStored(PODS, 'demo', 'web-1'));
    (input['status'] as Record<string, string>)['phase'] = 'Failed';
    expect(store.get(PODS, 'demo', 'web-1')!['status']).toEqual({ phase: 'Running' });
  });

  it('shares what a write did not change with the version before, in the store and its watch events', () => {
    const { store } = setup();
    const before = store.getStored(PODS, 'demo', 'web-1') as KubeObject;
    const events: WatchEvent[] = [];
    const stop = store.watch(PODS, { resourceVersion: store.resourceVersion(), shared: true }, (ev) =>
      events.push(ev),
    );
    const draft = draftOf(before);
    draft['status'] = { ...(draft['status'] as object), phase: 'Running' };
    const after = store.update(draft, { shared: true });
    stop();
    expect(after.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
    expect(after['spec']).toBe(before['spec']);
    expect(after.metadata.labels).toBe(before.metadata.labels);
    expect((after['status'] as { conditions: unknown }).conditions).toBe(
      (before['status'] as { conditions: unknown }).conditions,
    );
    expect(events.map((e) => [e.type, e.object])).toEqual([['MODIFIED', after]]);
    expect(events[0]!.object).toBe(after);
  });

  it('ownCopy copies what is not frozen and shares what is', () => {
    const frozen = Object.freeze({ a: 1 });
    const value = { frozen, open: { b: [1, 2] } };
    const copy = ownCopy(value);
    expect(copy).toEqual(value);
    expect(copy.frozen).toBe(frozen);
    expect(copy.open).not.toBe(value.open);
    expect(copy.open.b).not.toBe(value.open.b);
  });
});
