/**
 * The step's control flow over small in-memory adapters (our own interfaces, not client
 * libraries): Prometheus missing or down, Kubernetes unreadable, the workloads found.
 * The numbers themselves are exercised against a real Prometheus in test/integration/metrics/.
 */
import type { KubePod, KubeService } from '../../../../src/adapters/kube/kube-adapter.js';
import type { PrometheusClient } from '../../../../src/adapters/prometheus/prometheus-client.js';
import { MeshbotError } from '../../../../src/errors.js';
import {
  deploymentOf,
  runMetricsStep,
  type MetricsAdapters,
} from '../../../../src/steps/metrics/run-metrics-step.js';

const target = { service: 'web-svc', namespace: 'emojivoto' };

function prometheus(
  answer: (promql: string) => number | undefined | Error,
): PrometheusClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    url: 'http://prom:9090',
    asked,
    async query(promql) {
      asked.push(promql);
      const v = answer(promql);
      if (v instanceof Error) throw v;
      return {
        samples: v === undefined ? [] : [{ metric: {}, value: v, timestamp: 0 }],
        series: [],
        warnings: [],
      };
    },
    async queryRange(promql) {
      asked.push(promql);
      const v = answer(promql);
      if (v instanceof Error) throw v;
      return { series: [], warnings: [] };
    },
    async close() {},
  };
}

const service: KubeService = {
  name: 'web-svc',
  namespace: 'emojivoto',
  type: 'ClusterIP',
  headless: false,
  selector: { app: 'web-svc' },
  ports: [],
  labels: {},
};

function pod(name: string, labels: Record<string, string>, owner?: { kind: string; name: string }): KubePod {
  return {
    name,
    namespace: 'emojivoto',
    phase: 'Running',
    ready: true,
    ips: [],
    deleting: false,
    labels,
    containerPorts: [],
    ...(owner ? { owner } : {}),
  };
}

const kube: MetricsAdapters['kube'] = {
  getService: async () => service,
  listPods: async () => [pod('web-1', { 'linkerd.io/proxy-deployment': 'web' })],
};

describe('runMetricsStep', () => {
  it('is an error result when no Prometheus is configured', async () => {
    const r = await runMetricsStep({ target, windowSeconds: 1800 }, { kube });
    expect(r.status).toBe('error');
    expect(r.findings[0]?.code).toBe('prometheus-not-configured');
  });

  it('asks nothing more once Prometheus does not answer the first query', async () => {
    const prom = prometheus(
      () =>
        new MeshbotError(
          'unreachable',
          'Prometheus at http://prom:9090 could not be reached (ECONNREFUSED)',
          'hint',
        ),
    );
    const r = await runMetricsStep({ target, windowSeconds: 1800 }, { prometheus: prom, kube });
    expect(r.status).toBe('error');
    expect(r.summary).toBe('Prometheus at http://prom:9090 could not be reached (ECONNREFUSED)');
    expect(r.findings[0]).toMatchObject({
      code: 'prometheus-unreachable',
      hint: 'hint',
      subject: 'http://prom:9090',
    });
    expect(prom.asked).toEqual(['count(endpoints_updates)']);
  });

  it('reads the destination without Kubernetes, and says what it left out', async () => {
    const prom = prometheus((q) =>
      q === 'count(endpoints_updates)' ? 3 : q.startsWith('sum(endpoints_subscribers') ? 2 : undefined,
    );
    const failing: MetricsAdapters['kube'] = {
      getService: async () => {
        throw new MeshbotError('forbidden', 'Kubernetes refused: get services', 'grant get on services');
      },
      listPods: async () => [],
    };
    const r = await runMetricsStep({ target, windowSeconds: 600 }, { prometheus: prom, kube: failing });
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['kubernetes-unreadable', 'warn']]);
    expect(r.data.destination.subscribers).toBe(2);
    expect(r.data.workloads).toBeNull();
    // Golden metrics need the workloads: they were not asked.
    expect(prom.asked.some((q) => q.includes('response_total'))).toBe(false);
  });

  it("scopes the golden metrics to the deployments of the service's pods", async () => {
    const prom = prometheus((q) => (q === 'count(endpoints_updates)' ? 1 : undefined));
    const r = await runMetricsStep({ target, windowSeconds: 600 }, { prometheus: prom, kube });
    expect(r.data.workloads).toEqual({ deployments: ['web'], pods: 1, readyPods: 1 });
    expect(prom.asked).toContain(
      'sum(rate(request_total{direction="inbound",namespace="emojivoto",deployment=~"web"}[600s]))',
    );
  });

  it("names a pod's deployment from the proxy label or its ReplicaSet", () => {
    expect(deploymentOf(pod('a', { 'linkerd.io/proxy-deployment': 'web' }))).toBe('web');
    expect(
      deploymentOf(
        pod('b', { 'pod-template-hash': '7f9c' }, { kind: 'ReplicaSet', name: 'web-canary-7f9c' }),
      ),
    ).toBe('web-canary');
    expect(deploymentOf(pod('c', {}, { kind: 'StatefulSet', name: 'db' }))).toBeUndefined();
  });
});
