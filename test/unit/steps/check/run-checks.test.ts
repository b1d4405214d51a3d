import type { ControlPlaneReader } from '../../../../src/adapters/kube/control-plane-reader.js';
import { MeshbotError } from '../../../../src/errors.js';
import { CHECK_CATEGORIES, CHECKS } from '../../../../src/steps/check/check-catalog.js';
import {
  CheckProblem,
  createCheckContext,
  type CheckContext,
} from '../../../../src/steps/check/check-context.js';
import { validateCheckGraph } from '../../../../src/steps/check/check-graph.js';
import type {
  CategoryDefinition,
  CheckDefinition,
  CheckOutcome,
} from '../../../../src/steps/check/check-types.js';
import { runChecks } from '../../../../src/steps/check/run-checks.js';

/** The runner never touches the reader; the checks below ignore the context. */
const context = createCheckContext({} as ControlPlaneReader, {
  controlPlaneNamespace: 'linkerd',
  proxy: false,
});

const categories: CategoryDefinition[] = [
  { id: 'kubernetes-api', title: 'kubernetes-api', dependsOn: [] },
  { id: 'linkerd-existence', title: 'linkerd-existence', dependsOn: ['kubernetes-api'] },
  { id: 'linkerd-identity', title: 'linkerd-identity', dependsOn: ['linkerd-existence'] },
  { id: 'linkerd-data-plane', title: 'linkerd-data-plane', dependsOn: [], when: (o) => o.proxy },
];

function check(
  id: string,
  category: CheckDefinition['category'],
  run: CheckDefinition['run'],
  extra: Partial<CheckDefinition> = {},
): CheckDefinition {
  return { id, category, description: `${id} works`, hintAnchor: id, run, ...extra };
}

const pass = async (): Promise<CheckOutcome> => ({ status: 'pass', message: 'ok' });
const fail = async (): Promise<CheckOutcome> => ({ status: 'fail', message: 'broken', hint: 'fix it' });

async function statuses(
  checks: CheckDefinition[],
  options = { controlPlaneNamespace: 'linkerd', proxy: false },
) {
  const result = await runChecks({ categories, checks, options, context, checkTimeoutMs: 200 });
  return Object.fromEntries(result.flatMap((c) => c.checks.map((r) => [r.id, r.status])));
}

describe('runChecks', () => {
  it('groups results by category in catalog order with docs links', async () => {
    const result = await runChecks({
      categories,
      checks: [check('b', 'linkerd-existence', pass), check('a', 'kubernetes-api', pass)],
      options: { controlPlaneNamespace: 'linkerd', proxy: false },
      context,
    });
    expect(result.map((c) => c.id)).toEqual(['kubernetes-api', 'linkerd-existence']);
    expect(result[0]!.checks[0]).toMatchObject({
      id: 'a',
      status: 'pass',
      docsUrl: 'https://linkerd.io/2/checks/#a',
    });
  });

  it("skips a failed fatal check's dependent categories and later checks of its category, with the reason", async () => {
    const checks = [
      check('api', 'kubernetes-api', fail, { fatal: true }),
      check('api-2', 'kubernetes-api', pass),
      check('ns', 'linkerd-existence', pass),
      check('anchors', 'linkerd-identity', pass),
    ];
    const result = await runChecks({
      categories,
      checks,
      options: { controlPlaneNamespace: 'linkerd', proxy: false },
      context,
    });
    expect(result.flatMap((c) => c.checks.map((r) => r.status))).toEqual([
      'fail',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(result[1]!.checks[0]!.message).toBe('skipped: "api works" (kubernetes-api) did not pass');
    expect(result[1]!.status).toBe('skipped');
    expect(result[0]!.checks[0]!.hint).toBe('fix it');
  });

  it('a non-fatal failure does not skip dependants; `requires` skips only the checks that need it', async () => {
    const checks = [
      check('api', 'kubernetes-api', pass, { fatal: true }),
      check('pods', 'linkerd-existence', fail),
      check('anchors', 'linkerd-identity', fail),
      check('anchor-time', 'linkerd-identity', pass, { requires: ['anchors'] }),
      check('issuer', 'linkerd-identity', pass),
    ];
    expect(await statuses(checks)).toEqual({
      api: 'pass',
      pods: 'fail',
      anchors: 'fail',
      'anchor-time': 'skipped',
      issuer: 'pass',
    });
  });

  it("a 403 is that check's error with the RBAC hint; a CheckProblem is a failure; the run goes on", async () => {
    const forbidden = async (): Promise<CheckOutcome> => {
      throw new MeshbotError(
        'forbidden',
        'Kubernetes forbids meshbot to get secrets in namespace linkerd',
        'Grant it with a Role ...',
      );
    };
    const problem = async (): Promise<CheckOutcome> => {
      throw new CheckProblem('ConfigMap x does not exist', 'install it');
    };
    const result = await runChecks({
      categories,
      checks: [
        check('issuer', 'linkerd-identity', forbidden),
        check('anchors', 'linkerd-identity', problem),
        check('other', 'linkerd-identity', pass),
      ],
      options: { controlPlaneNamespace: 'linkerd', proxy: false },
      context,
    });
    expect(result[0]!.checks).toEqual([
      expect.objectContaining({
        id: 'issuer',
        status: 'error',
        message: expect.stringMatching(/forbids/),
        hint: 'Grant it with a Role ...',
      }),
      expect.objectContaining({
        id: 'anchors',
        status: 'fail',
        message: 'ConfigMap x does not exist',
        hint: 'install it',
      }),
      expect.objectContaining({ id: 'other', status: 'pass' }),
    ]);
    expect(result[0]!.status).toBe('error');
  });

  it('turns a check that does not finish in time into an error, and goes on', async () => {
    const never = (): Promise<CheckOutcome> => new Promise(() => undefined);
    const result = await runChecks({
      categories,
      checks: [
        check('slow', 'kubernetes-api', never, { fatal: true }),
        check('ns', 'linkerd-existence', pass),
      ],
      options: { controlPlaneNamespace: 'linkerd', proxy: false },
      context,
      checkTimeoutMs: 30,
    });
    expect(result[0]!.checks[0]).toMatchObject({ status: 'error', message: 'did not finish within 30 ms' });
    expect(result[1]!.checks[0]!.status).toBe('skipped');
  });

  it('runs independent checks concurrently, never more than the bound', async () => {
    let running = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const gated = (): Promise<CheckOutcome> => {
      running++;
      peak = Math.max(peak, running);
      return new Promise((resolve) =>
        gates.push(() => {
          running--;
          resolve({ status: 'pass', message: 'ok' });
        }),
      );
    };
    const checks = Array.from({ length: 6 }, (_, i) => check(`c${i}`, 'kubernetes-api', gated));
    const done = runChecks({
      categories,
      checks,
      options: { controlPlaneNamespace: 'linkerd', proxy: false },
      context,
      concurrency: 2,
    });
    let opened = 0;
    while (opened < 6) {
      await new Promise((r) => setImmediate(r));
      const open = gates.splice(0, gates.length);
      opened += open.length;
      open.forEach((release) => release());
    }
    const result = await done;
    expect(peak).toBe(2);
    expect(result[0]!.checks.every((r) => r.status === 'pass')).toBe(true);
  });

  it('leaves out a category whose `when` is false', async () => {
    const checks = [check('api', 'kubernetes-api', pass), check('proxies', 'linkerd-data-plane', pass)];
    expect(await statuses(checks)).toEqual({ api: 'pass' });
    expect(await statuses(checks, { controlPlaneNamespace: 'linkerd', proxy: true })).toEqual({
      api: 'pass',
      proxies: 'pass',
    });
  });

  it('tells a check past its time limit to stop: its signal aborts and its reads refuse to start (regression)', async () => {
    let seen: AbortSignal | undefined;
    let readAfter: unknown;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = async (ctx: CheckContext, signal: AbortSignal): Promise<CheckOutcome> => {
      seen = signal;
      await released;
      try {
        await ctx.reader.serverVersion();
      } catch (err) {
        readAfter = err;
      }
      return { status: 'pass', message: 'late' };
    };
    const reader = { serverVersion: async () => ({}) } as unknown as ControlPlaneReader;
    const result = await runChecks({
      categories,
      checks: [check('slow', 'kubernetes-api', slow)],
      options: { controlPlaneNamespace: 'linkerd', proxy: false },
      context: createCheckContext(reader, { controlPlaneNamespace: 'linkerd', proxy: false }),
      checkTimeoutMs: 20,
    });
    expect(result[0]!.checks[0]).toMatchObject({ status: 'error', errorKind: 'timeout' });
    expect(seen?.aborted).toBe(true);
    release();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(readAfter).toBeDefined();
  });

  it('refuses a catalog whose checks require each other in a cycle instead of waiting forever (regression)', async () => {
    const run = runChecks({
      categories,
      checks: [
        check('a', 'kubernetes-api', pass, { requires: ['b'] }),
        check('b', 'kubernetes-api', pass, { requires: ['a'] }),
      ],
      options: { controlPlaneNamespace: 'linkerd', proxy: false },
      context,
    });
    await expect(run).rejects.toThrow(/cycle: a -> b -> a/);
  });
});

describe('validateCheckGraph', () => {
  it("accepts meshbot's catalog", () => {
    expect(validateCheckGraph(CHECK_CATEGORIES, CHECKS)).toBe(CHECKS);
  });

  it('refuses unknown requirements, repeated ids and cycles through the implicit order', () => {
    expect(() =>
      validateCheckGraph(categories, [check('a', 'kubernetes-api', pass, { requires: ['nope'] })]),
    ).toThrow(/requires unknown check nope/);
    expect(() =>
      validateCheckGraph(categories, [
        check('a', 'kubernetes-api', pass),
        check('a', 'kubernetes-api', pass),
      ]),
    ).toThrow(/appears twice/);
    // b waits for the fatal a listed before it; a requiring b closes the loop.
    expect(() =>
      validateCheckGraph(categories, [
        check('a', 'kubernetes-api', pass, { fatal: true, requires: ['b'] }),
        check('b', 'kubernetes-api', pass),
      ]),
    ).toThrow(/cycle/);
  });
});
