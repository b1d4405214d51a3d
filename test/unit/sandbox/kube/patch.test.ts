import { applyPatch } from '../../../../src/sandbox/kube/patch.js';
import type { KubeObject } from '../../../../src/sandbox/kube/store-types.js';
import { StatusError } from '../../../../src/sandbox/kube/status-error.js';

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'demo',
      labels: { app: 'web' },
      finalizers: ['a'],
      ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u1' }],
    },
    spec: {
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'app:1',
              ports: [{ containerPort: 8080, name: 'http' }],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
            { name: 'sidecar', image: 's:1' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'x', operator: 'Exists' }],
        },
      },
    },
    status: { conditions: [{ type: 'Available', status: 'True' }] },
  };
}

type Json = Record<string, unknown>;
const spec = (o: KubeObject) => o['spec'] as Json;
const podSpec = (o: KubeObject) => (spec(o)['template'] as Json)['spec'] as Json;
const containers = (o: KubeObject) => podSpec(o)['containers'] as Json[];

function refused(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a StatusError');
}

describe('JSON merge patch', () => {
  it('merges objects, replaces lists and deletes with null, leaving the input untouched', () => {
    const original = deployment();
    const before = structuredClone(original);
    const out = applyPatch(
      original,
      {
        metadata: { labels: { tier: 'front', app: null } },
        spec: { replicas: 3, strategy: null },
        status: { conditions: [] },
      },
      MERGE,
    );
    expect(out.metadata.labels).toEqual({ tier: 'front' });
    expect(spec(out)['replicas']).toBe(3);
    expect(spec(out)['strategy']).toBeUndefined();
    expect(out['status']).toEqual({ conditions: [] });
    expect(original).toEqual(before);
  });

  it('accepts the raw body text and a content type with parameters', () => {
    const out = applyPatch(deployment(), '{"spec":{"replicas":2}}', `${MERGE}; charset=utf-8`);
    expect(spec(out)['replicas']).toBe(2);
  });

  it('refuses a body that is not a JSON object', () => {
    expect(refused(() => applyPatch(deployment(), '{not json', MERGE)).code).toBe(400);
    expect(refused(() => applyPatch(deployment(), [1, 2], MERGE)).code).toBe(400);
  });
});

describe('JSON patch', () => {
  it('applies add, replace, remove, copy, move and test', () => {
    const out = applyPatch(
      deployment(),
      [
        { op: 'test', path: '/spec/replicas', value: 1 },
        { op: 'replace', path: '/spec/replicas', value: 4 },
        { op: 'add', path: '/metadata/annotations', value: { a: 'b' } },
        { op: 'remove', path: '/spec/template/spec/containers/1' },
        { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
        { op: 'move', from: '/metadata/annotations', path: '/metadata/notes' },
      ],
      JSON_PATCH,
    );
    expect(spec(out)['replicas']).toBe(4);
    expect(containers(out)).toHaveLength(1);
    expect(out.metadata.labels).toEqual({ app: 'web', copy: 'web' });
    expect(out.metadata['notes']).toEqual({ a: 'b' });
    expect(out.metadata.annotations).toBeUndefined();
  });

  it('answers an operation that cannot apply with 422 and a malformed patch with 400', () => {
    const failedTest = refused(() =>
      applyPatch(deployment(), [{ op: 'test', path: '/spec/replicas', value: 9 }], JSON_PATCH),
    );
    expect(failedTest.code).toBe(422);
    expect(failedTest.reason).toBe('Invalid');
    const missing = refused(() =>
      applyPatch(deployment(), [{ op: 'replace', path: '/spec/nothing/here', value: 1 }], JSON_PATCH),
    );
    expect(missing.code).toBe(422);
    expect(missing.message).toMatch(/json patch/);
    expect(refused(() => applyPatch(deployment(), [{ op: 'frobnicate', path: '/x' }], JSON_PATCH)).code).toBe(
      400,
    );
    expect(refused(() => applyPatch(deployment(), { op: 'add' }, JSON_PATCH)).code).toBe(400);
    expect(
      refused(() => applyPatch(deployment(), [{ op: 'remove', path: '/metadata' }], JSON_PATCH)).code,
    ).toBe(400);
  });
});

describe('strategic merge patch', () => {
  it("merges a Deployment's containers by name, their ports, env and mounts by key", () => {
    const out = applyPatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'app',
                  image: 'app:2',
                  ports: [{ containerPort: 9090, name: 'admin' }],
                  env: [
                    { name: 'B', value: 'two' },
                    { name: 'C', value: '3' },
                  ],
                  volumeMounts: [{ mountPath: '/data', readOnly: true }],
                },
                { name: 'linkerd-proxy', image: 'proxy:1' },
              ],
            },
          },
        },
      },
      STRATEGIC,
    );
    expect(containers(out)).toEqual([
      {
        name: 'app',
        image: 'app:2',
        ports: [
          { containerPort: 8080, name: 'http' },
          { containerPort: 9090, name: 'admin' },
        ],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: 'two' },
          { name: 'C', value: '3' },
        ],
        volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
      },
      { name: 'sidecar', image: 's:1' },
      { name: 'linkerd-proxy', image: 'proxy:1' },
    ]);
    // Lists without a merge key are replaced.
    const replaced = applyPatch(
      deployment(),
      { spec: { template: { spec: { tolerations: [{ key: 'y' }] } } } },
      STRATEGIC,
    );
    expect(podSpec(replaced)['tolerations']).toEqual([{ key: 'y' }]);
  });

  it('merges Service ports by port and conditions by type, and replaces EndpointSlice endpoints', () => {
    const svc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] },
      status: { conditions: [{ type: 'A', status: 'False' }] },
    };
    const out = applyPatch(
      svc,
      {
        spec: { ports: [{ port: 80, targetPort: 'http' }] },
        status: {
          conditions: [
            { type: 'A', status: 'True' },
            { type: 'B', status: 'True' },
          ],
        },
      },
      STRATEGIC,
    );
    expect(spec(out)['ports']).toEqual([{ port: 80, targetPort: 'http' }, { port: 443 }]);
    expect((out['status'] as Json)['conditions']).toEqual([
      { type: 'A', status: 'True' },
      { type: 'B', status: 'True' },
    ]);
    const slice: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 's-1' },
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }],
    };
    expect(applyPatch(slice, { endpoints: [{ addresses: ['10.0.0.3'] }] }, STRATEGIC)['endpoints']).toEqual([
      { addresses: ['10.0.0.3'] },
    ]);
  });

  it('merges ownerReferences by uid and finalizers as a set', () => {
    const out = applyPatch(
      deployment(),
      {
        metadata: {
          ownerReferences: [
            { uid: 'u1', name: 'renamed' },
            { apiVersion: 'v1', kind: 'Y', name: 'p', uid: 'u2' },
          ],
          finalizers: ['a', 'b'],
        },
      },
      STRATEGIC,
    );
    expect(out.metadata.ownerReferences?.map((r) => `${r.uid}:${r.name}`)).toEqual(['u1:renamed', 'u2:p']);
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
    const removed = applyPatch(
      deployment(),
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      STRATEGIC,
    );
    expect(removed.metadata.finalizers).toEqual([]);
  });

  it('honours $patch delete and replace, $retainKeys, null, and ignores $setElementOrder', () => {
    const deleted = applyPatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'app' }],
              containers: [{ name: 'sidecar', $patch: 'delete' }],
              volumes: [{ name: 'data', $patch: 'delete' }],
            },
          },
          strategy: { $patch: 'delete' },
        },
      },
      STRATEGIC,
    );
    expect(containers(deleted).map((c) => c['name'])).toEqual(['app']);
    expect(podSpec(deleted)['volumes']).toEqual([]);
    expect(spec(deleted)['strategy']).toBeUndefined();

    const replacedList = applyPatch(
      deployment(),
      {
        spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o:1' }] } } },
      },
      STRATEGIC,
    );
    expect(containers(replacedList)).toEqual([{ name: 'only', image: 'o:1' }]);

    const replacedMap = applyPatch(
      deployment(),
      { metadata: { labels: { $patch: 'replace', fresh: 'yes' } } },
      STRATEGIC,
    );
    expect(replacedMap.metadata.labels).toEqual({ fresh: 'yes' });

    const retained = applyPatch(
      deployment(),
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      STRATEGIC,
    );
    expect(spec(retained)['strategy']).toEqual({ type: 'Recreate' });

    const nulled = applyPatch(deployment(), { spec: { template: { spec: { volumes: null } } } }, STRATEGIC);
    expect(podSpec(nulled)['volumes']).toBeUndefined();
  });

  it('refuses a bad directive or an element without its merge key', () => {
    expect(refused(() => applyPatch(deployment(), { spec: { $patch: 'explode' } }, STRATEGIC)).code).toBe(
      400,
    );
    const noKey = refused(() =>
      applyPatch(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, STRATEGIC),
    );
    expect(noKey.code).toBe(400);
    expect(noKey.message).toContain('does not contain declared merge key: name');
  });
});

describe('content types', () => {
  it('answers an unknown or apply patch type with 415', () => {
    for (const type of ['text/plain', 'application/apply-patch+yaml', 'application/json']) {
      const err = refused(() => applyPatch(deployment(), {}, type));
      expect(err.code).toBe(415);
      expect(err.reason).toBe('UnsupportedMediaType');
    }
  });
});
