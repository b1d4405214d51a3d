/**
 * The sweep's control-plane findings judge certificate expiry against the report's threshold
 * (`thresholds.certificateWarningDays`, default 60 as linkerd check): the sandbox's issuer
 * expires in 10 days.
 */
import { openAdapters, type Adapters } from '../../../src/adapters/open-adapters.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { controlPlaneDrift } from '../../../src/steps/sweep/control-plane-drift.js';

describe('control-plane drift thresholds', () => {
  let sandbox: RunningSandbox;
  let adapters: Adapters;
  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'check-issuer-expiring', podReadyDelayMs: 0 });
    adapters = await openAdapters({ kubeconfig: sandbox.kubeconfig });
  });
  afterAll(async () => {
    await adapters?.close();
    await sandbox?.stop();
  });

  const issuerFinding = async (certificateWarningDays?: number) =>
    (
      await controlPlaneDrift('sandbox', adapters, {
        ...(certificateWarningDays !== undefined ? { certificateWarningDays } : {}),
      })
    ).findings.find((f) => f.kind === 'l5d-identity-issuer-not-expiring-soon');

  it('finds the issuer expiring within the default 60 days', async () => {
    expect((await issuerFinding())?.message).toMatch(/: 1 issuer certificate expires within 60 days \(/);
  });

  it('follows the configured threshold, either way', async () => {
    expect(await issuerFinding(7)).toBeUndefined();
    expect((await issuerFinding(30))?.message).toMatch(/: 1 issuer certificate expires within 30 days \(/);
  });
});
