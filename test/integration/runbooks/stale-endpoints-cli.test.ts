/**
 * `meshbot runbook stale-endpoints` through the sandbox (emojivoto-stale: the destination's view
 * of web-svc is frozen) and a real Prometheus: the web pod is replaced, so the destination
 * serves a stale address. Without --yes the run stops short of any change; with --yes it goes
 * endpoints fail -> metrics -> scale test -> restart of the destination -> endpoints pass, and
 * the incident notes name the stale IP, the restart and the passing verification.
 */
import { runRunbookCommand, type RunbookFlagValues } from '../../../src/cli/commands/runbook.js';
import { replacePod } from '../../../src/demo/replace-pod.js';
import type { RunbookReport } from '../../../src/runbooks/drive-runbook.js';
import { startMetricsRig, type MetricsRig } from '../metrics/metrics-rig.js';
import { ownResources } from '../../support/owned-resources.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the stale-endpoints runbook on the command line', () => {
  let rig: MetricsRig;
  const owned = ownResources();
  let oldIp: string;
  let newIp: string;
  const flags = (extra: Partial<RunbookFlagValues> = {}): RunbookFlagValues => ({
    kubeconfig: rig.sandbox.kubeconfig,
    destination: rig.sandbox.destination,
    prometheus: rig.prometheus.url,
    timeout: '8s',
    stageTimeout: '3s',
    overallTimeout: '30s',
    restartTimeout: '30s',
    ...extra,
  });
  async function run(
    name: string | undefined,
    target: string | undefined,
    f: RunbookFlagValues,
  ): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const code = await runRunbookCommand(name, target, f, {
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: (t: string) => (stderr += t) },
      env: {},
      requestedBy: 'cli:oncall',
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    rig = await owned.own(startMetricsRig('emojivoto-stale'), (r) => r.stop());
    const r = await replacePod(rig.sandbox.store, {
      namespace: 'emojivoto',
      service: 'web-svc',
      podSelector: 'app=web-svc',
    });
    oldIp = r.oldIp;
    newIp = r.newIp;
  }, 60_000);

  afterAll(async () => {
    await owned.stopAll();
  });

  it('lists the runbooks', async () => {
    const r = await run(undefined, undefined, flags());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stale-endpoints SERVICE.NAMESPACE');
    expect(r.stdout).toContain('destination-overload SERVICE.NAMESPACE');
  });

  it('without --yes stops short of every change and says so', async () => {
    const r = await run('stale-endpoints', 'web-svc.emojivoto', flags({ output: 'json' }));
    const report = JSON.parse(r.stdout) as RunbookReport;
    expect(report.entries.map((e) => `${e.stepId}:${e.outcome}`)).toEqual([
      'destination-health:pass',
      'endpoints:fail',
      // Its verdict depends on what Prometheus scraped yet; the runbook goes on whatever it is.
      expect.stringMatching(/^destination-metrics:(pass|warn|fail)$/),
      'scale-test:skipped',
      'restart-destination:skipped',
      'verify-endpoints:fail',
    ]);
    expect(report.entries[3]!.note).toBe(
      'skipped: `scale-test web-svc.emojivoto` changes the cluster and --yes was not given',
    );
    expect(r.stderr).toContain('run again with --yes');
    expect(r.code).toBe(1);
    expect(report.cluster).toBeTruthy();
  }, 60_000);

  it('with --yes restarts the destination and verifies; the notes tell the story', async () => {
    const r = await run('stale-endpoints', 'web-svc.emojivoto', flags({ yes: true, output: 'markdown' }));
    const notes = r.stdout;
    expect(r.stderr).not.toContain('Error:');
    expect(r.code).toBe(1); // the worst verdict: endpoints failed before the fix
    expect(notes).toMatch(/^# Incident notes: Stale endpoints on web-svc\.emojivoto/);
    // The path taken, in the timeline.
    const timeline = notes.slice(notes.indexOf('## Timeline'), notes.indexOf('## Changes made'));
    const verdicts = [...timeline.matchAll(/\| `([^`]+)` \| (PASS|WARN|FAIL|ERROR|SKIPPED) \|/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(verdicts).toEqual([
      'check PASS',
      'endpoints web-svc.emojivoto FAIL',
      expect.stringMatching(/^metrics web-svc\.emojivoto (PASS|WARN|FAIL)$/),
      'scale-test web-svc.emojivoto FAIL',
      'restart deploy/linkerd-destination.linkerd PASS',
      'endpoints web-svc.emojivoto PASS',
    ]);
    expect(timeline).toContain('confirmed by cli:oncall (--yes)');
    // The stale IP, the restart and the verification.
    expect(notes).toContain(oldIp);
    expect(notes).toMatch(
      /\n- \S+ `restart deploy\/linkerd-destination\.linkerd`, confirmed by cli:oncall \(--yes\): PASS, Restarted deploy\/linkerd-destination\.linkerd/,
    );
    const verification = notes.slice(
      notes.indexOf('## Verification'),
      notes.indexOf('## Steps and evidence'),
    );
    expect(verification).toMatch(/`endpoints web-svc\.emojivoto`: PASS/);
    expect(notes).toContain('Fixed: after the destination controller restarted');
    expect(notes).toContain(newIp);
    // The sandbox's destination forgot its fault with its old pods.
    expect(rig.sandbox.destinationController.faults()).toEqual([]);
  }, 120_000);

  it('validates a file and names the file and field of a malformed one', async () => {
    const good = await run('validate', 'runbooks/stale-endpoints.yaml', flags());
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(
      /runbook stale-endpoints is valid \(6 steps, 2 that change the cluster; content [0-9a-f]{16}\)/,
    );
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/rb-`);
    try {
      const file = `${dir}/bad.yaml`;
      writeFileSync(file, 'id: bad\ntitle: Bad\nsummary: S.\ntarget: pod\nsteps: []\n');
      const bad = await run('validate', file, flags());
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`Error: ${file} is not a valid runbook:`);
      expect(bad.stderr).toContain('target: service (SERVICE.NAMESPACE) or workload (deploy/NAME.NAMESPACE)');
      expect(bad.stderr).toContain('steps: a runbook has at least one step');
      // The same file in --runbooks-dir stops every run before it starts.
      const blocked = await run('stale-endpoints', 'web-svc.emojivoto', flags({ runbooksDir: dir }));
      expect(blocked.code).toBe(2);
      expect(blocked.stderr).toContain(`${file} is not a valid runbook`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
