/**
 * The sandbox's tap server chooses the pods of a target as linkerd-viz's does (GetObjects,
 * GetPodsFor): by the owner's selector AND its ownership, only Pending or Running, only meshed.
 */
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import type { KubeObject, ObjectStore } from '../../../../src/sandbox/kube/store-types.js';
import { podsToTap } from '../../../../src/sandbox/tap/tap-target-pods.js';

const NS = 'emojivoto';

function owner(
  store: ObjectStore,
  kind: string,
  name: string,
  matchLabels: Record<string, string>,
  owners: KubeObject[] = [],
) {
  return store.create({
    apiVersion: 'apps/v1',
    kind,
    metadata: {
      name,
      namespace: NS,
      labels: matchLabels,
      ...(owners.length
        ? {
            ownerReferences: owners.map((o) => ({
              apiVersion: o.apiVersion,
              kind: o.kind,
              name: o.metadata.name,
              uid: o.metadata.uid!,
              controller: true,
            })),
          }
        : {}),
    },
    spec: {
      selector: { matchLabels },
      template: { metadata: { labels: matchLabels }, spec: { containers: [] } },
    },
  });
}

function pod(
  store: ObjectStore,
  name: string,
  labels: Record<string, string>,
  opts: { owner?: KubeObject; phase?: string; meshed?: boolean; namespace?: string } = {},
) {
  return store.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace ?? NS,
      labels: { ...labels, ...(opts.meshed === false ? {} : { 'linkerd.io/control-plane-ns': 'linkerd' }) },
      ...(opts.owner
        ? {
            ownerReferences: [
              {
                apiVersion: opts.owner.apiVersion,
                kind: opts.owner.kind,
                name: opts.owner.metadata.name,
                uid: opts.owner.metadata.uid!,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: { containers: [] },
    status: { phase: opts.phase ?? 'Running' },
  });
}

function names(result: ReturnType<typeof podsToTap>): string[] {
  if ('error' in result) throw new Error(result.error);
  return result.pods.map((p) => p.metadata.name).sort();
}

describe('podsToTap: the pods a tap reaches', () => {
  let store: ObjectStore;
  beforeEach(() => {
    store = createObjectStore();
    for (const ns of [NS, 'other'])
      store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });

  it('a daemonset: its selector and its ownership (a look-alike pod of another owner is not tapped)', () => {
    const ds = owner(store, 'DaemonSet', 'node-agent', { app: 'node-agent' });
    pod(store, 'node-agent-a', { app: 'node-agent' }, { owner: ds });
    pod(store, 'node-agent-b', { app: 'node-agent' }, { owner: ds, phase: 'Pending' });
    pod(store, 'node-agent-done', { app: 'node-agent' }, { owner: ds, phase: 'Succeeded' });
    pod(store, 'node-agent-plain', { app: 'node-agent' }, { owner: ds, meshed: false });
    pod(store, 'impostor', { app: 'node-agent' });
    expect(
      names(podsToTap(store, { type: 'daemonset', namespace: NS, name: 'node-agent' }, 'linkerd')),
    ).toEqual(['node-agent-a', 'node-agent-b']);
  });

  it('a deployment: the pods of the replicasets it owns', () => {
    const deploy = owner(store, 'Deployment', 'web', { app: 'web' });
    const rsNew = owner(store, 'ReplicaSet', 'web-2', { app: 'web', 'pod-template-hash': '2' }, [deploy]);
    const rsOld = owner(store, 'ReplicaSet', 'web-1', { app: 'web', 'pod-template-hash': '1' }, [deploy]);
    const stray = owner(store, 'ReplicaSet', 'web-stray', { app: 'web', 'pod-template-hash': '9' });
    pod(store, 'web-2-a', { app: 'web', 'pod-template-hash': '2' }, { owner: rsNew });
    pod(store, 'web-1-a', { app: 'web', 'pod-template-hash': '1' }, { owner: rsOld });
    pod(store, 'web-9-a', { app: 'web', 'pod-template-hash': '9' }, { owner: stray });
    expect(names(podsToTap(store, { type: 'deployment', namespace: NS, name: 'web' }, 'linkerd'))).toEqual([
      'web-1-a',
      'web-2-a',
    ]);
  });

  it('a namespace: every meshed pod in it; a pod: itself', () => {
    pod(store, 'a', { app: 'a' });
    pod(store, 'b', { app: 'b' }, { meshed: false });
    pod(store, 'c', { app: 'c' }, { namespace: 'other' });
    expect(names(podsToTap(store, { type: 'namespace', namespace: NS, name: NS }, 'linkerd'))).toEqual(['a']);
    expect(names(podsToTap(store, { type: 'pod', namespace: 'other', name: 'c' }, 'linkerd'))).toEqual(['c']);
  });

  it('says what the real server says: not found, no pods to tap, an unknown type', () => {
    expect(podsToTap(store, { type: 'daemonset', namespace: NS, name: 'nope' }, 'linkerd')).toEqual({
      error: 'daemonsets.apps "nope" not found',
    });
    expect(podsToTap(store, { type: 'namespace', namespace: 'x', name: 'nope' }, 'linkerd')).toEqual({
      error: 'namespaces "nope" not found',
    });
    // A kind the sandbox does not serve has no objects.
    expect(podsToTap(store, { type: 'job', namespace: NS, name: 'backup' }, 'linkerd')).toEqual({
      error: 'jobs.batch "backup" not found',
    });
    pod(store, 'unmeshed', { app: 'u' }, { meshed: false });
    expect(podsToTap(store, { type: 'pod', namespace: NS, name: 'unmeshed' }, 'linkerd')).toEqual({
      error: 'no pods to tap for type="pod" name="unmeshed"\n',
    });
    // Tap disabled by annotation: left out, and named when nothing is left.
    const quiet = store.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'quiet',
        namespace: 'other',
        labels: { 'linkerd.io/control-plane-ns': 'linkerd' },
        annotations: { 'viz.linkerd.io/disable-tap': 'true' },
      },
      spec: { containers: [] },
      status: { phase: 'Running' },
    });
    expect(
      podsToTap(store, { type: 'pod', namespace: 'other', name: quiet.metadata.name }, 'linkerd'),
    ).toEqual({
      error:
        'no pods to tap for type="pod" name="quiet"\n1 pods found with tap disabled via the viz.linkerd.io/disable-tap annotation:\n\t* quiet\nremove this annotation to make these pods valid tap targets\n',
    });
    expect(podsToTap(store, { type: 'widget', namespace: NS, name: 'x' }, 'linkerd')).toEqual({
      error: 'unimplemented resource type: widget',
    });
  });
});
