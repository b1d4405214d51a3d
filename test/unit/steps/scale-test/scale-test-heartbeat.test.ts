import type { KubeWorkload, WorkloadRef } from '../../../../src/adapters/kube/workload-scaling.js';
import { MeshbotError } from '../../../../src/errors.js';
import {
  decodeAnnotation,
  encodeAnnotation,
  SCALE_TEST_ANNOTATION,
} from '../../../../src/steps/scale-test/scale-test-annotation.js';
import { renewHeartbeat } from '../../../../src/steps/scale-test/scale-test-heartbeat.js';

const ref: WorkloadRef = { kind: 'deployment', name: 'web', namespace: 'shop' };
const record = {
  v: 1 as const,
  testId: 'mine0001',
  originalReplicas: 2,
  testReplicas: 3,
  startedAt: '2026-11-23T12:00:00.000Z',
  requestedBy: 'U0ALICE',
  overallTimeoutMs: 120_000,
  heartbeatAt: '2026-11-23T12:00:00.000Z',
  heartbeatMs: 3000,
};

/** A workload store with resourceVersion preconditions, as the API server keeps them. */
function fakeScaling(annotation: string | undefined) {
  let rv = 1;
  let annotations: Record<string, string> = annotation ? { [SCALE_TEST_ANNOTATION]: annotation } : {};
  const writes: Array<{ value: string | null; resourceVersion?: string }> = [];
  const workload = (): KubeWorkload => ({
    ...ref,
    resourceVersion: String(rv),
    replicas: 3,
    readyReplicas: 3,
    selector: {},
    templateLabels: {},
    annotations: { ...annotations },
  });
  return {
    writes,
    /** Another writer changes the object between a read and a write. */
    bump: () => rv++,
    annotation: () => annotations[SCALE_TEST_ANNOTATION],
    scaling: {
      getWorkload: async () => workload(),
      setAnnotation: async (_r: WorkloadRef, key: string, value: string | null, resourceVersion?: string) => {
        writes.push({ value, ...(resourceVersion ? { resourceVersion } : {}) });
        if (resourceVersion !== undefined && resourceVersion !== String(rv))
          throw new MeshbotError('conflict', 'changed');
        const next = { ...annotations };
        if (value === null) delete next[key];
        else next[key] = value;
        annotations = next;
        rv++;
        return workload();
      },
    },
  };
}

describe('the scale-test heartbeat', () => {
  it('renews its own record with the resourceVersion it read', async () => {
    const f = fakeScaling(encodeAnnotation(record));
    const at = new Date('2026-11-23T12:00:03.000Z');
    expect(await renewHeartbeat(f.scaling, ref, 'mine0001', at)).toBe(true);
    expect(f.writes).toEqual([expect.objectContaining({ resourceVersion: '1' })]);
    expect(decodeAnnotation(f.annotation())).toEqual({ ...record, heartbeatAt: at.toISOString() });
  });

  it('never writes over a record that is not its own, or one gone', async () => {
    const other = fakeScaling(encodeAnnotation({ ...record, testId: 'newer001' }));
    expect(await renewHeartbeat(other.scaling, ref, 'mine0001', new Date())).toBe(false);
    expect(other.writes).toEqual([]);
    const gone = fakeScaling(undefined);
    expect(await renewHeartbeat(gone.scaling, ref, 'mine0001', new Date())).toBe(false);
    expect(gone.writes).toEqual([]);
  });

  it('a record changed between its read and its write is left as it is (the next beat retries)', async () => {
    const f = fakeScaling(encodeAnnotation(record));
    const get = f.scaling.getWorkload;
    f.scaling.getWorkload = async () => {
      const w = await get();
      f.bump(); // e.g. recovery removed it, or the replicas changed
      return w;
    };
    expect(await renewHeartbeat(f.scaling, ref, 'mine0001', new Date())).toBe(true);
    expect(decodeAnnotation(f.annotation())).toEqual(record);
  });
});
