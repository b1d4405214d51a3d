/**
 * `metrics` against emojivoto-stale (the destination controller's view of web-svc is frozen) and
 * a real Prometheus: web scales up, Kubernetes and the proxies move on, endpoints_updates does
 * not, and the step fails with the stale-discovery finding.
 */
import { scale, waitForReadyEndpoints } from '../endpoints/endpoints-sandbox.js';
import { queryValues, waitForQuery } from '../../support/start-prometheus.js';
import { runMetricsStep } from '../../../src/steps/metrics/run-metrics-step.js';
import { NS, runMetricsCli, startMetricsRig, WEB, type MetricsRig } from './metrics-rig.js';
import { nextCommands } from '../../support/next-commands.js';
import { ownResources } from '../../support/owned-resources.js';

describe('metrics against emojivoto-stale and a real Prometheus', () => {
  let rig: MetricsRig;
  const owned = ownResources();

  beforeAll(async () => {
    rig = await owned.own(startMetricsRig('emojivoto-stale'), (r) => r.stop());
    scale(rig.sandbox.store, 'web', 2);
    await waitForReadyEndpoints(rig.sandbox.store, 'web-svc', 2);
    // Prometheus has seen the new pod's proxy (the data plane moved on) ...
    await waitForQuery(
      rig.prometheus.url,
      `count(process_start_time_seconds{namespace="${NS}",deployment="web"})`,
      (v) => v >= 2,
    );
  }, 60_000);

  afterAll(async () => {
    await owned.stopAll();
  });

  it('fails: pods of web-svc changed but endpoints_updates did not move', async () => {
    // ... and the controller's counter, scraped since, is still where it started.
    expect(await queryValues(rig.prometheus.url, `sum(endpoints_updates${WEB})`)).toEqual([0]);

    const r = await runMetricsStep(
      { target: { service: 'web-svc', namespace: NS }, windowSeconds: 60, settleSeconds: 0 },
      rig.adapters,
    );
    expect(r.status).toBe('fail');
    const f = r.findings.find((x) => x.code === 'updates-not-moving');
    expect(f?.severity).toBe('fail');
    expect(f?.message).toBe(
      'Pods of web-svc.emojivoto changed 1 time in the last 1m but endpoints_updates did not move',
    );
    expect(r.summary).toBe(f?.message);
    expect(r.data.destination.updatesIncrease).toBe(0);
    expect(r.data.destination.updatesLastMovedAt).toBeNull();
    expect(r.data.destination.pods).toBe(1); // the controller still holds the old set
    expect(r.data.podChanges?.changes).toEqual([
      expect.objectContaining({ change: 'started', pod: expect.stringMatching(/^web-/) as unknown }),
    ]);
    expect(nextCommands(r.next)).toEqual(['endpoints web-svc.emojivoto', 'scale-test web-svc.emojivoto']);
    expect(r.evidence.map((t) => t.title)).toContain(
      "Pod changes in the window (from the proxies' process_start_time_seconds)",
    );
  });

  it('exits 1 on the CLI', async () => {
    const run = await runMetricsCli('web-svc.emojivoto', {
      kubeconfig: rig.sandbox.kubeconfig,
      destination: rig.sandbox.destination,
      prometheus: rig.prometheus.url,
      window: '1m',
      settle: '0s',
    });
    expect(run.code).toBe(1);
    expect(run.result?.status).toBe('fail');
    expect(run.result?.findings[0]?.code).toBe('updates-not-moving');
  });
});
