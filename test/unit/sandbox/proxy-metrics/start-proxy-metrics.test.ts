import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import type { KubeObject, ObjectStore } from '../../../../src/sandbox/kube/store-types.js';
import {
  startProxyMetrics,
  type RunningProxyMetrics,
} from '../../../../src/sandbox/proxy-metrics/start-proxy-metrics.js';
import { latencySampler, probit } from '../../../../src/sandbox/proxy-metrics/synthetic-latency.js';

const POD = { apiVersion: 'v1', kind: 'Pod' };

function pod(name: string, ready: boolean, extra: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'emojivoto',
      labels: {
        app: 'web',
        'linkerd.io/proxy-deployment': 'web',
        'linkerd.io/control-plane-ns': 'linkerd',
        ...extra,
      },
    },
    spec: { containers: [{ name: 'web' }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.1',
      startTime: '2026-11-23T12:00:00Z',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

describe('synthetic latency', () => {
  it('inverts the normal CDF', () => {
    expect(probit(0.5)).toBeCloseTo(0, 6);
    expect(probit(0.99)).toBeCloseTo(2.326348, 5);
    expect(probit(0.01)).toBeCloseTo(-2.326348, 5);
  });

  it('draws latencies whose p50 and p99 are the configured ones', () => {
    const sample = latencySampler(20, 200);
    const xs = Array.from({ length: 10_000 }, sample).sort((a, b) => a - b);
    expect(xs[5000]).toBeGreaterThan(18);
    expect(xs[5000]).toBeLessThan(22);
    expect(xs[9900]).toBeGreaterThan(180);
    expect(xs[9900]).toBeLessThan(220);
  });
});

describe('startProxyMetrics', () => {
  let store: ObjectStore;
  let metrics: RunningProxyMetrics;

  beforeEach(async () => {
    store = createObjectStore();
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'emojivoto' } });
    store.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web-svc', namespace: 'emojivoto' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    metrics = await startProxyMetrics({
      store,
      traffic: { 'emojivoto/web': { rps: 10, successRate: 0.9, latencyMs: { p50: 10, p99: 100 } } },
      tickMs: 60_000,
    });
  });

  afterEach(async () => {
    await metrics.stop();
  });

  async function scrape(): Promise<string> {
    const res = await fetch(metrics.url);
    expect(res.status).toBe(200);
    return res.text();
  }

  it('exports inbound request, response and latency series of ready meshed pods, with the real labels', async () => {
    store.create(pod('web-1', true));
    store.create(pod('web-2', true));
    store.create(pod('web-3', false)); // not ready: no traffic, but a running process
    metrics.advance(10);
    const text = await scrape();
    const total = (re: RegExp): number => [...text.matchAll(re)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(total(/^request_total\{[^}]*direction="inbound"[^}]*\} (\d+)$/gm)).toBe(100);
    expect(total(/^response_total\{[^}]*classification="success"[^}]*\} (\d+)$/gm)).toBe(90);
    expect(total(/^response_total\{[^}]*classification="failure"[^}]*\} (\d+)$/gm)).toBe(10);
    expect(text).toMatch(
      /request_total\{direction="inbound",namespace="emojivoto",pod="web-1",deployment="web",statefulset="",authority="web-svc.emojivoto.svc.cluster.local:80",tls="true",target_addr="10.0.0.1:80",control_plane_ns="linkerd"\} 50/,
    );
    expect(text).toMatch(/response_latency_ms_bucket\{le="10",direction="inbound",[^}]*pod="web-1"/);
    expect(text).not.toMatch(/request_total\{[^}]*pod="web-3"/);
    expect(text).toMatch(
      /process_start_time_seconds\{namespace="emojivoto",pod="web-3",deployment="web"[^}]*\} 1795435200/,
    );
  });

  it("drops a deleted pod's series and follows traffic changes", async () => {
    store.create(pod('web-1', true));
    metrics.advance(1);
    store.delete(POD, 'emojivoto', 'web-1', { gracePeriodSeconds: 0 });
    expect(await scrape()).not.toContain('pod="web-1"');
    store.create(pod('web-2', true));
    metrics.setTraffic('emojivoto/web', { rps: 2, successRate: 1, latencyMs: { p50: 5, p99: 5 } });
    metrics.advance(1);
    const text = await scrape();
    expect(text).toMatch(/request_total\{[^}]*pod="web-2"[^}]*\} 2$/m);
    expect(text).not.toMatch(/classification="failure"/);
  });

  it('ignores pods without a proxy', async () => {
    const plain = pod('plain', true);
    plain.metadata.labels = { app: 'other' };
    store.create(plain);
    metrics.advance(5);
    expect(await scrape()).not.toContain('pod="plain"');
  });
});

describe('startProxyMetrics from traffic edges', () => {
  let store: ObjectStore;
  let metrics: RunningProxyMetrics;

  function meshed(name: string, app: string, ip: string): KubeObject {
    const p = pod(name, true, { app, 'linkerd.io/proxy-deployment': app });
    (p.status as { podIP: string }).podIP = ip;
    return p;
  }

  beforeEach(async () => {
    store = createObjectStore();
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'emojivoto' } });
    for (const [name, app] of [
      ['web-svc', 'web'],
      ['emoji-svc', 'emoji'],
    ] as const) {
      store.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'emojivoto' },
        spec: { selector: { app }, ports: [{ port: name === 'web-svc' ? 80 : 8080 }] },
      });
    }
    store.create({
      apiVersion: 'linkerd.io/v1alpha2',
      kind: 'ServiceProfile',
      metadata: { name: 'emoji-svc.emojivoto.svc.cluster.local', namespace: 'emojivoto' },
      spec: { routes: [{ name: 'ListAll', condition: { method: 'POST' } }] },
    });
    metrics = await startProxyMetrics({
      store,
      edges: [
        {
          from: 'emojivoto/web',
          service: { namespace: 'emojivoto', name: 'emoji-svc', port: 8080 },
          route: 'ListAll',
          spec: { rps: 4, successRate: 0.75, latencyMs: { p50: 3, p99: 20 } },
        },
      ],
      tickMs: 60_000,
    });
  });

  afterEach(async () => {
    await metrics.stop();
  });

  it('counts each request once outbound on a caller and once inbound on a server, with the same outcome', async () => {
    store.create(meshed('web-1', 'web', '10.0.0.1'));
    store.create(meshed('web-2', 'web', '10.0.0.2'));
    store.create(meshed('emoji-1', 'emoji', '10.0.0.3'));
    metrics.advance(10);
    const text = await (await fetch(metrics.url)).text();
    const total = (re: RegExp): number => [...text.matchAll(re)].reduce((sum, m) => sum + Number(m[1]), 0);
    const authority = 'authority="emoji-svc.emojivoto.svc.cluster.local:8080"';
    expect(total(/^request_total\{direction="outbound"[^}]*\} (\d+)$/gm)).toBe(40);
    expect(total(/^request_total\{direction="inbound"[^}]*\} (\d+)$/gm)).toBe(40);
    expect(total(/^response_total\{direction="outbound"[^}]*classification="failure"[^}]*\} (\d+)$/gm)).toBe(
      10,
    );
    expect(total(/^response_total\{direction="inbound"[^}]*classification="failure"[^}]*\} (\d+)$/gm)).toBe(
      10,
    );
    expect(text).toContain(
      `request_total{direction="outbound",namespace="emojivoto",pod="web-1",deployment="web",statefulset="",${authority},dst_namespace="emojivoto",dst_service="emoji-svc",dst_deployment="emoji",tls="true",control_plane_ns="linkerd"} 20`,
    );
    expect(text).toMatch(
      new RegExp(`request_total\\{direction="inbound",namespace="emojivoto",pod="emoji-1",[^}]*${authority}`),
    );
    // The service's ServiceProfile route, counted on both sides.
    expect(total(/^route_request_total\{direction="outbound"[^}]*rt_route="ListAll"[^}]*\} (\d+)$/gm)).toBe(
      40,
    );
    expect(total(/^route_request_total\{direction="inbound"[^}]*rt_route="ListAll"[^}]*\} (\d+)$/gm)).toBe(
      40,
    );
    expect(text).toContain(
      'route_request_total{direction="inbound",namespace="emojivoto",pod="emoji-1",deployment="emoji",statefulset="",dst="emoji-svc.emojivoto.svc.cluster.local:8080",rt_route="ListAll",tls="true",control_plane_ns="linkerd"} 40',
    );
    // web has no caller in the model: no inbound traffic of its own.
    expect(text).not.toMatch(/request_total\{direction="inbound",namespace="emojivoto",pod="web-1"/);
  });

  it("counts an HTTPRoute parent's requests as the proxy's outbound_http_route_* series (here the default route: the edge names another)", async () => {
    store.create({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'HTTPRoute',
      metadata: { name: 'list-all', namespace: 'emojivoto' },
      spec: { parentRefs: [{ group: 'core', kind: 'Service', name: 'emoji-svc', port: 8080 }] },
    });
    store.create(meshed('web-1', 'web', '10.0.0.1'));
    store.create(meshed('emoji-1', 'emoji', '10.0.0.3'));
    metrics.advance(10);
    const text = await (await fetch(metrics.url)).text();
    const labels =
      'namespace="emojivoto",pod="web-1",deployment="web",statefulset="",parent_group="core",parent_kind="Service",parent_namespace="emojivoto",parent_name="emoji-svc",parent_port="8080",parent_section_name="",route_group="",route_kind="default",route_namespace="",route_name="http",hostname="emoji-svc.emojivoto.svc.cluster.local"';
    expect(text).toContain(
      `outbound_http_route_request_statuses_total{${labels},http_status="200",error=""} 30`,
    );
    expect(text).toContain(
      `outbound_http_route_request_statuses_total{${labels},http_status="500",error=""} 10`,
    );
    expect(text).toContain(`outbound_http_route_request_duration_seconds_bucket{${labels},le="0.05"} 40`);
    expect(text).toContain(`outbound_http_route_request_duration_seconds_count{${labels}} 40`);
  });

  it("counts a GRPCRoute parent's matched RPCs as outbound_grpc_route_* by grpc_status, and its HTTPRoutes no more", async () => {
    store.create({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'HTTPRoute',
      metadata: { name: 'list-all-http', namespace: 'emojivoto' },
      spec: { parentRefs: [{ group: 'core', kind: 'Service', name: 'emoji-svc', port: 8080 }] },
    });
    // Route names are DNS names: an edge down the GRPCRoute `list-all`.
    await metrics.stop();
    metrics = await startProxyMetrics({
      store,
      edges: [
        {
          from: 'emojivoto/web',
          service: { namespace: 'emojivoto', name: 'emoji-svc', port: 8080 },
          route: 'list-all',
          spec: { rps: 4, successRate: 0.75, latencyMs: { p50: 3, p99: 20 } },
        },
      ],
      tickMs: 60_000,
    });
    store.create({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { name: 'list-all', namespace: 'emojivoto' },
      spec: { parentRefs: [{ group: 'core', kind: 'Service', name: 'emoji-svc', port: 8080 }] },
    });
    store.create(meshed('web-1', 'web', '10.0.0.1'));
    store.create(meshed('emoji-1', 'emoji', '10.0.0.3'));
    metrics.advance(10);
    const text = await (await fetch(metrics.url)).text();
    const labels =
      'namespace="emojivoto",pod="web-1",deployment="web",statefulset="",parent_group="core",parent_kind="Service",parent_namespace="emojivoto",parent_name="emoji-svc",parent_port="8080",parent_section_name="",route_group="gateway.networking.k8s.io",route_kind="GRPCRoute",route_namespace="emojivoto",route_name="list-all",hostname="emoji-svc.emojivoto.svc.cluster.local"';
    expect(text).toContain(
      `outbound_grpc_route_request_statuses_total{${labels},grpc_status="OK",error=""} 30`,
    );
    expect(text).toContain(
      `outbound_grpc_route_request_statuses_total{${labels},grpc_status="UNKNOWN",error=""} 10`,
    );
    expect(text).toContain(`outbound_grpc_route_request_duration_seconds_bucket{${labels},le="0.05"} 40`);
    expect(text).toContain(`outbound_grpc_route_request_duration_seconds_count{${labels}} 40`);
    // The policy controller serves the port as gRPC: the HTTPRoute (and its default route) get nothing.
    expect(text).toContain('# TYPE outbound_http_route_request_statuses_total counter');
    expect(text).not.toMatch(/^outbound_http_route_request_statuses_total\{/m);
  });

  it('sends nothing while the service has no ready pod', async () => {
    store.create(meshed('web-1', 'web', '10.0.0.1'));
    metrics.advance(10);
    expect(await (await fetch(metrics.url)).text()).not.toMatch(/^request_total\{/m);
  });
});
