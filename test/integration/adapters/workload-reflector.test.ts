/**
 * The workload reflector against the sandbox's real API server (its own store: a short watch
 * history and frequent bookmarks): one list per kind, then watches resumed from the newest
 * resourceVersion (bookmarks included) when the server ends them, nothing missed in between,
 * deletions told; and the adapter's watch says when its resourceVersion is too old (410).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import {
  startWorkloadReflector,
  type WorkloadReflector,
} from '../../../src/adapters/kube/workload-reflector.js';
import {
  isWatchExpired,
  type KubeWorkload,
  type WatchOptions,
  type WorkloadScaling,
} from '../../../src/adapters/kube/workload-scaling.js';
import { startApiServer, type RunningApiServer } from '../../../src/sandbox/kube/api-server.js';
import { createObjectStore } from '../../../src/sandbox/kube/object-store.js';
import type { KubeObject, ObjectStore } from '../../../src/sandbox/kube/store-types.js';
import { kubeconfigYaml } from '../../../src/sandbox/kube/write-kubeconfig.js';

const deployment = (name: string, namespace: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'x' }] } },
  },
});

/** Resolves when `test` holds for something pushed to the list (checked on each push). */
function waitable<T>() {
  const items: T[] = [];
  const waiters: Array<{ test: (all: T[]) => boolean; resolve: () => void }> = [];
  return {
    items,
    push(item: T) {
      items.push(item);
      for (const w of [...waiters]) {
        if (w.test(items)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    until(test: (all: T[]) => boolean): Promise<void> {
      return new Promise((resolve) => (test(items) ? resolve() : waiters.push({ test, resolve })));
    },
  };
}

describe('the workload reflector through the sandbox API server', () => {
  let store: ObjectStore;
  let server: RunningApiServer;
  let adapters: Adapters;
  let dir: string;
  let reflector: WorkloadReflector | undefined;

  beforeEach(async () => {
    store = createObjectStore({ historyLimit: 3, bookmarkIntervalMs: 100 });
    for (const ns of ['shop', 'web'])
      store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    store.create(deployment('cart', 'shop'));
    store.create(deployment('front', 'web'));
    server = await startApiServer({ store });
    dir = mkdtempSync(join(tmpdir(), 'meshbot-reflector-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml({ server: server.url }));
    adapters = await openAdapters({ kubeconfig, timeoutMs: 5000 }, 'east');
  });
  afterEach(async () => {
    reflector?.close();
    reflector = undefined;
    await adapters.close();
    await server.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists once per kind, then resumes each watch the server ends from the newest resourceVersion', async () => {
    // What the reflector asks of the adapter, and the bookmarks it is given.
    const opened = waitable<{ kind: string; options: WatchOptions }>();
    const bookmarks: string[] = [];
    const scaling: Pick<WorkloadScaling, 'watchWorkloads'> = {
      watchWorkloads: (kind, ns, handlers, options) => {
        opened.push({ kind, options });
        return adapters.scaling.watchWorkloads(
          kind,
          ns,
          {
            ...handlers,
            onBookmark: (rv) => {
              bookmarks.push(rv);
              handlers.onBookmark?.(rv);
            },
          },
          options,
        );
      },
    };
    const errors: unknown[] = [];
    const seen = waitable<{ type: string; w: KubeWorkload }>();
    reflector = startWorkloadReflector(scaling, { onError: (e) => void errors.push(e), watchSeconds: 1 });
    reflector.subscribe({
      onUpsert: (w) => seen.push({ type: 'upsert', w }),
      onDelete: (w) => seen.push({ type: 'delete', w }),
    });
    await seen.until((all) => all.length >= 2);
    expect(seen.items.map((e) => `${e.w.namespace}/${e.w.name}`).sort()).toEqual(['shop/cart', 'web/front']);

    // Other kinds change: the global resourceVersion moves on, and bookmarks carry it.
    for (let i = 0; i < 5; i++) {
      store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'shop' } });
    }
    const global = Number(store.resourceVersion());
    // The server ends the first deployment watch (1 s): the next one resumes, with no list,
    // from a resourceVersion at least as new as those writes (learnt from a bookmark).
    await opened.until((all) => all.filter((o) => o.kind === 'deployment').length >= 3);
    const deploymentWatches = opened.items.filter((o) => o.kind === 'deployment');
    expect(deploymentWatches[0]!.options.resourceVersion).toBeUndefined();
    for (const later of deploymentWatches.slice(1)) {
      expect(Number(later.options.resourceVersion)).toBeGreaterThanOrEqual(global);
    }
    expect(bookmarks.length).toBeGreaterThan(0);

    // Changes while it runs (including across a resumed watch) are told, deletions too.
    const cart = store.get({ apiVersion: 'apps/v1', kind: 'Deployment' }, 'shop', 'cart')!;
    store.update({
      ...cart,
      metadata: { ...cart.metadata, annotations: { 'meshbot.io/proxy-log-level': '{}' } },
    });
    await seen.until((all) =>
      all.some((e) => e.type === 'upsert' && e.w.annotations['meshbot.io/proxy-log-level'] === '{}'),
    );
    store.delete({ apiVersion: 'apps/v1', kind: 'Deployment' }, 'web', 'front');
    await seen.until((all) => all.some((e) => e.type === 'delete' && e.w.name === 'front'));
    expect(reflector.stats().lists).toBe(2); // one per kind, never again
    expect(errors).toEqual([]);

    // A listener that comes later is told what is known now.
    const late: string[] = [];
    const unsubscribe = reflector.subscribe({
      onUpsert: (w) => late.push(w.name),
      onDelete: () => undefined,
    });
    expect(late).toEqual(['cart']);
    unsubscribe();
  }, 30_000);

  it('a watch from a resourceVersion that left the history ends as expired (410)', async () => {
    const from = store.resourceVersion();
    const cart = (): KubeObject => store.get({ apiVersion: 'apps/v1', kind: 'Deployment' }, 'shop', 'cart')!;
    for (let i = 0; i < 5; i++) {
      store.update({ ...cart(), metadata: { ...cart().metadata, labels: { n: String(i) } } });
    }
    const ended = new Promise<Error | undefined>((resolve) => {
      void adapters.scaling
        .watchWorkloads(
          'deployment',
          undefined,
          { onEvent: () => undefined, onEnd: resolve },
          { timeoutSeconds: 5, resourceVersion: from },
        )
        .then((w) => (watch = w));
    });
    let watch: { close(): void } | undefined;
    const err = await ended;
    watch?.close();
    expect(isWatchExpired(err)).toBe(true);
    expect(err?.message).toMatch(/deployments watch's resourceVersion is too old/);
  });
});
