import type { KubePod } from '../../../../src/adapters/kube/kube-adapter.js';
import { openPrometheus, PROMETHEUS_POD_LABEL } from '../../../../src/adapters/prometheus/open-prometheus.js';
import { MeshbotError } from '../../../../src/errors.js';

const apiServer = {
  server: 'http://127.0.0.1:1',
  connection: () => ({ headers: { Authorization: 'Bearer t' } }),
};

describe('openPrometheus', () => {
  it("uses the configured URL, else linkerd-viz's in-cluster Prometheus", () => {
    const deps = { apiServer, kube: { listPods: async () => [] }, timeoutMs: 1000 };
    expect(openPrometheus({ prometheusUrl: 'http://prom:9090/' }, deps).url).toBe('http://prom:9090');
    expect(openPrometheus({}, deps).url).toBe('http://prometheus.linkerd-viz.svc.cluster.local:9090');
  });

  it('with the port-forward, looks for a ready Prometheus pod in linkerd-viz and says when there is none', async () => {
    const asked: Array<{ ns: string | undefined; selector: unknown }> = [];
    const pending: KubePod = {
      name: 'prometheus-0',
      namespace: 'linkerd-viz',
      phase: 'Pending',
      ready: false,
      ips: [],
      deleting: false,
      labels: { component: 'prometheus' },
      containerPorts: [],
    };
    const client = openPrometheus(
      { prometheusPortForward: true },
      {
        apiServer,
        kube: {
          listPods: async (ns, opts) => {
            asked.push({ ns, selector: opts?.labelSelector });
            return [pending];
          },
        },
        timeoutMs: 1000,
      },
    );
    expect(client.url).toBe('port-forward to linkerd-viz/prometheus:9090');
    const err = await client.query('up').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MeshbotError);
    expect((err as MeshbotError).kind).toBe('unreachable');
    expect((err as MeshbotError).message).toBe(
      `no running, ready Prometheus pod (${PROMETHEUS_POD_LABEL}) in namespace linkerd-viz to port-forward to`,
    );
    expect(asked).toEqual([{ ns: 'linkerd-viz', selector: PROMETHEUS_POD_LABEL }]);
    await client.close();
  });
});
