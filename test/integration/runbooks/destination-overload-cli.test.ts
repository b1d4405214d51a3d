/**
 * The destination-overload runbook through the sandbox: emojivoto whose destination controller
 * applies web-svc's updates a minute late (a `lag` fault) while web churns from 1 to 6 pods.
 * The destination pods themselves are healthy, so the run goes on to the cluster-wide load and
 * the failing service, and concludes that the destination controller is the bottleneck.
 */
import { runRunbookCommand } from '../../../src/cli/commands/runbook.js';
import type { RunbookReport } from '../../../src/runbooks/drive-runbook.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { scale, waitForReadyEndpoints } from '../endpoints/endpoints-sandbox.js';

describe('the destination-overload runbook under churn with a lagging destination', () => {
  let sb: RunningSandbox;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0 });
    sb.setFault({ type: 'lag', ms: 60_000, service: 'web-svc.emojivoto' });
    scale(sb.store, 'web', 6);
    await waitForReadyEndpoints(sb.store, 'web-svc', 6);
  }, 60_000);

  afterAll(async () => {
    await sb?.stop();
  });

  it('names the destination controller as the bottleneck, with the change to make', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runRunbookCommand(
      'destination-overload',
      'web-svc.emojivoto',
      {
        kubeconfig: sb.kubeconfig,
        destination: sb.destination,
        // No Prometheus here: the load step says it could not ask, and the run goes on.
        prometheus: 'http://127.0.0.1:9',
        timeout: '8s',
        output: 'json',
      },
      {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: (t: string) => (stderr += t) },
        env: {},
        requestedBy: 'cli:oncall',
      },
    );
    expect(stderr).not.toContain('Error:');
    const report = JSON.parse(stdout) as RunbookReport;
    expect(report.entries.map((e) => `${e.stepId}:${e.outcome}`)).toEqual([
      'destination-pods:pass',
      expect.stringMatching(/^destination-load:(warn|error)$/),
      'endpoints:fail',
    ]);
    expect(report.entries[0]!.command).toBe('events deploy/linkerd-destination.linkerd');
    expect(report.entries[1]!.command).toBe('metrics');
    expect(report.entries[2]!.result?.summary).toMatch(/5 addresses missing from the destination/);
    expect(report.stop.conclusion).toMatch(/Bottleneck: the destination controller/);
    expect(report.stop.conclusion).toMatch(/Add destination replicas/);
    expect(code).toBe(3); // the worst verdict: the load step could not ask Prometheus
  }, 60_000);
});
