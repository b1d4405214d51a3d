import type { Update } from '../../../../src/sandbox/destination/destination-messages.js';
import { DestinationMetrics } from '../../../../src/sandbox/destination/destination-metrics.js';
import {
  EndpointViews,
  type DestinationCompat,
  type Listener,
} from '../../../../src/sandbox/destination/endpoint-view.js';
import { uint32ToIpv4 } from '../../../../src/sandbox/destination/ip-address.js';
import {
  parseEndpointSlice,
  parsePod,
  parseService,
  type PodInfo,
  type ServiceInfo,
  type SliceInfo,
} from '../../../../src/sandbox/destination/kube-objects.js';
import { DEFAULT_TRANSLATE_OPTIONS } from '../../../../src/sandbox/destination/translate-to-update.js';

const KEY = 'emojivoto/web-svc';

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('did not parse');
  return value;
}

const svc: ServiceInfo = must(
  parseService({
    metadata: { name: 'web-svc', namespace: 'emojivoto' },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  }),
);

function podInfo(name: string): PodInfo {
  return must(
    parsePod({
      metadata: { name, namespace: 'emojivoto', resourceVersion: '1', labels: { app: 'web' } },
      spec: { serviceAccountName: 'web' },
    }),
  );
}

function slice(
  name: string,
  endpoints: Array<[ip: string, pod: string, hostname?: string]>,
  rv = '1',
): SliceInfo {
  return must(
    parseEndpointSlice({
      metadata: {
        name,
        namespace: 'emojivoto',
        resourceVersion: rv,
        labels: { 'kubernetes.io/service-name': 'web-svc' },
      },
      ports: [{ name: 'http', port: 8080 }],
      endpoints: endpoints.map(([ip, pod, hostname]) => ({
        addresses: [ip],
        conditions: { ready: true },
        ...(hostname ? { hostname } : {}),
        targetRef: { kind: 'Pod', name: pod, namespace: 'emojivoto' },
      })),
    }),
  );
}

class Recorder implements Listener {
  readonly got: Update[] = [];
  send(update: Update): void {
    this.got.push(update);
  }
  /** `add 10.0.0.1:8080,...` / `remove ...` / `no_endpoints true` */
  text(): string[] {
    return this.got.map((u) => {
      if ('add' in u) return `add ${u.add.addrs.map((a) => addr(a.addr)).join(',')}`;
      if ('remove' in u) return `remove ${u.remove.addrs.map(addr).join(',')}`;
      return `no_endpoints ${String(u.no_endpoints.exists)}`;
    });
  }
}

function addr(a: { ip: { ipv4: number } | { ipv6: unknown }; port: number }): string {
  return 'ipv4' in a.ip ? `${uint32ToIpv4(a.ip.ipv4)}:${a.port}` : `?:${a.port}`;
}

function setup(opts: { dropRemoves?: boolean; compat?: DestinationCompat } = {}) {
  const metrics = new DestinationMetrics();
  const pods = new Map<string, PodInfo>();
  const views = new EndpointViews({
    ...(opts.compat ? { compat: opts.compat } : {}),
    metrics,
    clusterName: 'local',
    translate: DEFAULT_TRANSLATE_OPTIONS,
    current: { service: () => undefined, slices: () => [], pod: (key) => pods.get(key) },
    nodeZone: () => undefined,
    dropRemoves: () => opts.dropRemoves ?? false,
  });
  return { views, metrics, pods };
}

describe('EndpointViews', () => {
  it.each([
    ['current', []],
    ['legacy', ['no_endpoints false']],
  ] as const)('sends the snapshot on subscribe, then only the differences (%s)', (compat, last) => {
    const { views, pods } = setup({ compat });
    pods.set('emojivoto/a', podInfo('a'));
    pods.set('emojivoto/b', podInfo('b'));
    views.apply(KEY, { kind: 'service', service: svc });
    views.apply(KEY, { kind: 'slice', name: 's1', slice: slice('s1', [['10.0.0.1', 'a']]) });
    const l = new Recorder();
    views.subscribe(KEY, 80, '', '', l);
    views.apply(KEY, {
      kind: 'slice',
      name: 's1',
      slice: slice('s1', [
        ['10.0.0.1', 'a'],
        ['10.0.0.2', 'b'],
      ]),
    });
    views.apply(KEY, { kind: 'slice', name: 's1', slice: slice('s1', [['10.0.0.2', 'b']]) });
    views.apply(KEY, { kind: 'service', service: undefined });
    expect(l.text()).toEqual([
      'add 10.0.0.1:8080',
      'add 10.0.0.2:8080',
      'remove 10.0.0.1:8080',
      'remove 10.0.0.2:8080',
      ...last,
    ]);
  });

  it.each([
    ['current', []],
    ['legacy', ['no_endpoints true']],
  ] as const)('adds an address once the pod it names is seen (%s)', (compat, first) => {
    const { views, pods } = setup({ compat });
    views.apply(KEY, { kind: 'service', service: svc });
    views.apply(KEY, { kind: 'slice', name: 's1', slice: slice('s1', [['10.0.0.1', 'a']]) });
    const l = new Recorder();
    views.subscribe(KEY, 80, '', '', l);
    expect(views.servicesOfPod('emojivoto/a')).toEqual([KEY]);
    pods.set('emojivoto/a', podInfo('a'));
    views.apply(KEY, { kind: 'pod', key: 'emojivoto/a', pod: podInfo('a') });
    expect(l.text()).toEqual([...first, 'add 10.0.0.1:8080']);
  });

  it('re-sends an address whose pod metadata changed', () => {
    const { views, pods } = setup();
    pods.set('emojivoto/a', podInfo('a'));
    views.apply(KEY, { kind: 'service', service: svc });
    views.apply(KEY, { kind: 'slice', name: 's1', slice: slice('s1', [['10.0.0.1', 'a']]) });
    const l = new Recorder();
    views.subscribe(KEY, 80, '', '', l);
    const meshed = { ...podInfo('a'), labels: { 'linkerd.io/control-plane-ns': 'linkerd' } };
    views.apply(KEY, { kind: 'pod', key: 'emojivoto/a', pod: meshed });
    views.apply(KEY, { kind: 'pod', key: 'emojivoto/a', pod: meshed }); // no change: nothing sent
    expect(l.text()).toEqual(['add 10.0.0.1:8080', 'add 10.0.0.1:8080']);
  });

  it('filters by the instance hostname', () => {
    const { views, pods } = setup();
    pods.set('emojivoto/a', podInfo('a'));
    pods.set('emojivoto/b', podInfo('b'));
    views.apply(KEY, { kind: 'service', service: svc });
    views.apply(KEY, {
      kind: 'slice',
      name: 's1',
      slice: slice('s1', [
        ['10.0.0.1', 'a', 'web-0'],
        ['10.0.0.2', 'b', 'web-1'],
      ]),
    });
    const l = new Recorder();
    views.subscribe(KEY, 80, 'web-1', '', l);
    expect(l.text()).toEqual(['add 10.0.0.2:8080']);
  });

  it('keeps removed addresses under drop-removes', () => {
    const { views, pods } = setup({ dropRemoves: true });
    pods.set('emojivoto/a', podInfo('a'));
    views.apply(KEY, { kind: 'service', service: svc });
    views.apply(KEY, { kind: 'slice', name: 's1', slice: slice('s1', [['10.0.0.1', 'a']]) });
    const l = new Recorder();
    views.subscribe(KEY, 80, '', '', l);
    views.apply(KEY, { kind: 'slice', name: 's1', slice: undefined });
    views.apply(KEY, { kind: 'service', service: undefined });
    expect(l.text()).toEqual(['add 10.0.0.1:8080']);
  });

  it('keeps one metrics label set per (service, port, hostname, node) while it has subscribers', async () => {
    const { views, metrics, pods } = setup();
    pods.set('emojivoto/a', podInfo('a'));
    views.apply(KEY, { kind: 'service', service: svc });
    const labels = {
      cluster: 'local',
      namespace: 'emojivoto',
      service: 'web-svc',
      port: '80',
      hostname: '',
      nodename: 'n1',
    };
    const s1 = views.subscribe(KEY, 80, '', 'n1', new Recorder());
    const s2 = views.subscribe(KEY, 80, '', 'n1', new Recorder());
    views.apply(KEY, { kind: 'slice', name: 's1', slice: slice('s1', [['10.0.0.1', 'a']]) });
    const values = async (name: string) =>
      (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
    expect((await values('endpoints_subscribers')).find((v) => v.labels.nodename === 'n1')?.value).toBe(2);
    expect((await values('endpoints_updates')).find((v) => v.labels.nodename === 'n1')?.value).toBe(1);
    expect((await values('endpoints_pods')).find((v) => v.labels.nodename === 'n1')).toMatchObject({
      labels,
      value: 1,
    });
    s1.unsubscribe();
    s1.unsubscribe(); // twice is harmless
    expect((await values('endpoints_subscribers')).find((v) => v.labels.nodename === 'n1')?.value).toBe(1);
    s2.unsubscribe();
    expect(await values('endpoints_subscribers')).toEqual([]);
    expect(await values('endpoints_updates')).toEqual([]);
    expect(views.keys()).toEqual([KEY]); // the service itself stays
  });

  it('forgets a view with nothing left in it', () => {
    const { views } = setup();
    const s = views.subscribe('emojivoto/nope', 80, '', '', new Recorder());
    expect(views.keys()).toEqual(['emojivoto/nope']);
    s.unsubscribe();
    expect(views.keys()).toEqual([]);
  });
});
