import type {
  ConfigMapClient,
  ConfigMapContent,
  StoredConfigMap,
} from '../../../src/adapters/kube/config-map-client.js';
import {
  createReportStateStore,
  emptyState,
  MANAGED_BY_LABEL,
  STATE_KEY,
} from '../../../src/drift/report-state-store.js';
import { MeshbotError } from '../../../src/errors.js';

/** In-memory ConfigMaps with resourceVersion preconditions; `race` makes the next write lose once. */
function memoryConfigMaps() {
  const stored = new Map<string, StoredConfigMap>();
  let version = 0;
  let races = 0;
  const client: ConfigMapClient = {
    get: async (ns, name) => {
      const cm = stored.get(`${ns}/${name}`);
      return cm && structuredClone(cm);
    },
    create: async (ns, name, c: ConfigMapContent) => {
      if (stored.has(`${ns}/${name}`)) throw new MeshbotError('conflict', 'exists');
      const cm = { name, namespace: ns, ...structuredClone(c), resourceVersion: String(++version) };
      stored.set(`${ns}/${name}`, cm);
      return cm;
    },
    replace: async (ns, name, c, rv) => {
      const cur = stored.get(`${ns}/${name}`);
      if (races > 0) {
        races--;
        if (cur) cur.resourceVersion = String(++version); // someone else wrote in between
        throw new MeshbotError('conflict', 'stale');
      }
      if (!cur || cur.resourceVersion !== rv) throw new MeshbotError('conflict', 'stale');
      const cm = { name, namespace: ns, ...structuredClone(c), resourceVersion: String(++version) };
      stored.set(`${ns}/${name}`, cm);
      return cm;
    },
  };
  return { client, stored, race: () => races++ };
}

describe('report state store', () => {
  it('creates the ConfigMap, then updates it with resourceVersion preconditions, retrying a lost race', async () => {
    const cms = memoryConfigMaps();
    const store = createReportStateStore({ configMaps: cms.client, namespace: 'meshbot' });
    expect(await store.read()).toEqual(emptyState());
    await store.update((s) => ({
      ...s,
      snoozes: { a: { fingerprint: 'a', until: 'x', by: 'U1', at: 'y' } },
    }));
    const cm = cms.stored.get('meshbot/meshbot-report-state')!;
    expect(cm.labels[MANAGED_BY_LABEL]).toBe('meshbot');
    cms.race();
    const next = await store.update((s) => {
      s.reports['daily'] = { open: {}, messages: {} };
      return s;
    });
    expect(Object.keys(next.snoozes)).toEqual(['a']);
    expect(Object.keys((await store.read()).reports)).toEqual(['daily']);
  });

  it('reports a corrupted ConfigMap and replaces it', async () => {
    const cms = memoryConfigMaps();
    await cms.client.create('meshbot', 'meshbot-report-state', {
      labels: { [MANAGED_BY_LABEL]: 'meshbot' },
      annotations: {},
      data: { [STATE_KEY]: '{"version":1,"reports":' },
    });
    const problems: string[] = [];
    const store = createReportStateStore({
      configMaps: cms.client,
      namespace: 'meshbot',
      onProblem: (p) => problems.push(p),
    });
    expect(await store.read()).toEqual(emptyState());
    expect(problems[0]).toMatch(/is not JSON/);
    await store.update((s) => s);
    expect(JSON.parse(cms.stored.get('meshbot/meshbot-report-state')!.data[STATE_KEY]!)).toEqual(
      emptyState(),
    );
  });

  it("reports a foreign ConfigMap (not meshbot's) and replaces it, keeping its other labels", async () => {
    const cms = memoryConfigMaps();
    await cms.client.create('meshbot', 'meshbot-report-state', {
      labels: { team: 'x' },
      annotations: {},
      data: { other: '1' },
    });
    const problems: string[] = [];
    const store = createReportStateStore({
      configMaps: cms.client,
      namespace: 'meshbot',
      onProblem: (p) => problems.push(p),
    });
    await store.update((s) => s);
    expect(problems[0]).toMatch(/is not meshbot's/);
    const cm = cms.stored.get('meshbot/meshbot-report-state')!;
    expect(cm.labels).toEqual({ team: 'x', [MANAGED_BY_LABEL]: 'meshbot' });
    expect(Object.keys(cm.data)).toEqual([STATE_KEY]);
  });

  it('reports valid JSON of another shape', async () => {
    const cms = memoryConfigMaps();
    await cms.client.create('meshbot', 'meshbot-report-state', {
      labels: { [MANAGED_BY_LABEL]: 'meshbot' },
      annotations: {},
      data: { [STATE_KEY]: '{"version":2}' },
    });
    const problems: string[] = [];
    const store = createReportStateStore({
      configMaps: cms.client,
      namespace: 'meshbot',
      onProblem: (p) => problems.push(p),
    });
    await store.read();
    expect(problems[0]).toMatch(/is not meshbot's report state/);
  });

  it('refuses a write from a leader whose term has passed (fencing by leaseTransitions)', async () => {
    const cms = memoryConfigMaps();
    const store = createReportStateStore({ configMaps: cms.client, namespace: 'meshbot' });
    await store.update((s) => s, 3);
    await expect(store.update((s) => s, 2)).rejects.toThrow(/later leader/);
    expect((await store.update((s) => s, 4)).fence).toBe(4);
  });
});
