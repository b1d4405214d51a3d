import { serverSideApply, recordUpdate } from '../../../../src/sandbox/kube/server-side-apply.js';
import type { KubeObject } from '../../../../src/sandbox/kube/store-types.js';

const cm = (data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'ns', ...(labels ? { labels } : {}) },
  data,
});

describe('serverSideApply', () => {
  it('records the applied fields as FieldsV1 of an Apply entry', () => {
    const created = serverSideApply({
      current: undefined,
      applied: cm({ a: '1' }, { x: 'y' }),
      manager: 'm',
      force: false,
    });
    expect(created.metadata['managedFields']).toEqual([
      expect.objectContaining({
        manager: 'm',
        operation: 'Apply',
        fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:x': {} } } },
      }),
    ]);
  });

  it('words several conflicts by manager, as the real server does', () => {
    const first = serverSideApply({
      current: undefined,
      applied: cm({ a: '1', b: '1' }),
      manager: 'one',
      force: false,
    });
    expect(() =>
      serverSideApply({ current: first, applied: cm({ a: '2', b: '2' }), manager: 'two', force: false }),
    ).toThrow('Apply failed with 2 conflicts: conflicts with "one":\n- .data.a\n- .data.b');
  });

  it('tracks updates only on objects whose fields are tracked', () => {
    const untracked = cm({ a: '1' });
    expect(recordUpdate(cm({ a: '2' }), untracked, 'kubectl-edit').metadata['managedFields']).toBeUndefined();
    const tracked = serverSideApply({
      current: undefined,
      applied: cm({ a: '1' }),
      manager: 'm',
      force: false,
    });
    const next = recordUpdate(
      { ...cm({ a: '2' }), metadata: { ...tracked.metadata } },
      tracked,
      'kubectl-edit',
    );
    expect((next.metadata['managedFields'] as Array<{ manager: string }>).map((e) => e.manager)).toEqual([
      'kubectl-edit',
    ]);
  });
});
