/**
 * A report's sweeps over several clusters (sweepClusters): bounded concurrency, each sweep in
 * its own time, a failure or a timeout isolated to its cluster and named, results in the
 * clusters' order whatever finished first.
 */
import { jest } from '@jest/globals';
import type { StepResult } from '../../../src/domain/step-result.js';
import { failedSweepResult, sweepClusters } from '../../../src/drift/sweep-clusters.js';
import { fingerprintOf } from '../../../src/drift/fingerprint.js';
import { MeshbotError } from '../../../src/errors.js';
import type { SweepData, SweepFinding, SweepRequest } from '../../../src/steps/sweep/sweep-types.js';

const request = (cluster: string): SweepRequest => ({ cluster, namespaces: ['shop'] });

/** A sweep result of a cluster, made from the failed-sweep shape (the fields the merge reads). */
function swept(cluster: string): StepResult<SweepData> {
  const r = failedSweepResult(
    request(cluster),
    new MeshbotError('internal', 'x'),
    new Date().toISOString(),
    1,
  );
  return {
    ...r,
    status: 'pass',
    summary: `${cluster}: ok.`,
    findings: [],
    data: { ...r.data, notAsked: [] },
  };
}

/** A promise settled from outside, to hold sweeps until the test lets them go. */
function gate<T>(): { promise: Promise<T>; open(value: T): void } {
  let open: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe('sweepClusters', () => {
  it('sweeps at most `concurrency` clusters at once and returns them in the given order', async () => {
    const held = new Map(['a', 'b', 'c', 'd'].map((c) => [c, gate<StepResult<SweepData>>()]));
    const started: string[] = [];
    let running = 0;
    let most = 0;
    const done = sweepClusters(
      ['a', 'b', 'c', 'd'].map(request),
      async (r) => {
        started.push(r.cluster);
        most = Math.max(most, ++running);
        try {
          return await held.get(r.cluster)!.promise;
        } finally {
          running--;
        }
      },
      { concurrency: 2, timeoutMs: 10_000 },
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a', 'b']);
    held.get('b')!.open(swept('b'));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a', 'b', 'c']);
    for (const c of ['d', 'c', 'a']) held.get(c)!.open(swept(c));
    const results = await done;
    expect(most).toBe(2);
    expect(results.map((r) => r.cluster)).toEqual(['a', 'b', 'c', 'd']);
    expect(results.every((r) => r.failed === undefined)).toBe(true);
  });

  it("isolates a cluster whose sweep runs out of time: its own error part, the others' results as they are", async () => {
    jest.useFakeTimers();
    try {
      let aborted: unknown;
      const done = sweepClusters(
        [request('east'), request('west')],
        (r, signal) =>
          r.cluster === 'east'
            ? Promise.resolve(swept('east'))
            : new Promise((_, reject) =>
                signal.addEventListener('abort', () => {
                  aborted = signal.reason;
                  reject(signal.reason as Error);
                }),
              ),
        { concurrency: 2, timeoutMs: 30_000 },
      );
      await jest.advanceTimersByTimeAsync(30_000);
      const [east, west] = await done;
      expect(east!.result.summary).toBe('east: ok.');
      expect(west!.failed).toMatchObject({ kind: 'timeout' });
      expect(aborted).toBe(west!.failed);
      expect(west!.result.status).toBe('error');
      expect(west!.result.summary).toBe('west: not swept: the sweep did not finish within 30s.');
      const [finding] = west!.result.findings as SweepFinding[];
      expect(finding).toMatchObject({
        cluster: 'west',
        kind: 'sweep-could-not-ask',
        fingerprint: fingerprintOf('west', 'sweep-could-not-ask', 'whole cluster'),
        subject: 'whole cluster',
        message: 'could not sweep cluster west: the sweep did not finish within 30s',
      });
      expect(finding!.hint).toMatch(/sweepTimeout/);
      expect(west!.result.data.notAsked).toEqual([
        expect.objectContaining({ what: 'cluster west (the whole sweep)' }),
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('names a cluster whose sweep throws, and sweeps the rest', async () => {
    const results = await sweepClusters(
      [request('east'), request('west')],
      async (r) => {
        if (r.cluster === 'east') throw new MeshbotError('forbidden', 'cannot list services', 'Grant list.');
        return swept(r.cluster);
      },
      { concurrency: 1, timeoutMs: 10_000 },
    );
    expect(results[0]!.failed?.message).toBe('cannot list services');
    expect(results[0]!.result.summary).toBe('east: not swept: cannot list services.');
    expect((results[0]!.result.findings[0] as SweepFinding).hint).toBe('Grant list.');
    expect(results[1]!.failed).toBeUndefined();
    // Not a MeshbotError: said as an unexpected error, still only that cluster's.
    const [odd] = await sweepClusters(
      [request('east')],
      async () => {
        throw new TypeError('boom');
      },
      { concurrency: 1, timeoutMs: 10_000 },
    );
    expect(odd!.failed).toMatchObject({ kind: 'internal', message: 'unexpected error: boom' });
  });
});
