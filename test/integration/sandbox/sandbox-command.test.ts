/**
 * The `meshbot sandbox` command's handler, in process: --json prints one line of addresses
 * once ready, the addresses work, it stops cleanly when told to; bad scenarios and flags
 * exit 2 with the message and no stack. (The built binary is exercised by .ci/run.)
 */
import * as k8s from '@kubernetes/client-node';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSandboxCommand } from '../../../src/cli/commands/sandbox.js';
import { capture, startSandboxCommand } from '../../support/sandbox-command-run.js';

describe('meshbot sandbox (handler)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'meshbot-sandbox-cmd-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--json prints one JSON line of working addresses once ready, and stops with exit 0', async () => {
    const { stdout, stderr, ready, exitCode, stop } = startSandboxCommand({
      scenario: 'emojivoto-stale',
      json: true,
      kubeconfigOut: path.join(dir, 'kubeconfig'),
      podReadyDelay: '0',
      kubeconfigAs: ['meshbot/bot', path.join(dir, 'bot.kubeconfig')],
    });
    const addresses = await ready;

    const lines = stdout.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0]!) as Record<string, string>;
    expect(Object.keys(printed)).toEqual([
      'apiServer',
      'kubeconfig',
      'destination',
      'metrics',
      'admin',
      'proxyMetrics',
      'prometheusConfig',
    ]);
    expect(printed).toEqual(addresses);
    expect(printed['destination']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(printed['kubeconfig']).toBe(path.join(dir, 'kubeconfig'));

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(printed['kubeconfig']!);
    const pods = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'emojivoto' });
    expect(pods.items).toHaveLength(4);
    const faults = await (await fetch(`${printed['admin']}/faults`)).json();
    expect(faults).toEqual({ faults: [{ type: 'freeze', service: 'web-svc.emojivoto' }] });
    const metrics = await fetch(printed['metrics']!);
    expect(metrics.status).toBe(200);
    // The Prometheus scrape config, written to a temporary file (removed on exit).
    const config = readFileSync(printed['prometheusConfig']!, 'utf8');
    expect(config).toContain('job_name: linkerd-controller');
    expect(config).toContain(`targets: ["${new URL(printed['metrics']!).host}"]`);
    expect(config).toContain(`targets: ["${new URL(printed['proxyMetrics']!).host}"]`);

    // --kubeconfig-as: the ServiceAccount (created) has no bindings, so RBAC refuses it.
    const bot = new k8s.KubeConfig();
    bot.loadFromFile(path.join(dir, 'bot.kubeconfig'));
    expect(bot.getCurrentCluster()?.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await expect(
      bot.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'emojivoto' }),
    ).rejects.toMatchObject({ code: 403 });
    // The admin API mints one for an existing ServiceAccount, and says so when there is none.
    const minted = await fetch(`${printed['admin']}/kubeconfigs/meshbot/bot`, { method: 'POST' });
    expect(minted.status).toBe(200);
    expect(minted.headers.get('content-type')).toBe('application/yaml');
    expect(await minted.text()).toMatch(/current-context: meshbot-sandbox-meshbot-bot/);
    const missing = await fetch(`${printed['admin']}/kubeconfigs/meshbot/nobody`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'serviceaccount meshbot/nobody does not exist' });

    stop();
    expect(await exitCode).toBe(0);
    expect(stderr.text()).toBe('');
    await expect(fetch(`${printed['admin']}/healthz`)).rejects.toThrow();
    // A kubeconfig written where the user asked stays; the temporary scrape config does not.
    expect(existsSync(printed['kubeconfig']!)).toBe(true);
    expect(existsSync(printed['prometheusConfig']!)).toBe(false);
  });

  it('prints the addresses as text without --json', async () => {
    const stdout = capture();
    const stderr = capture();
    const code = await runSandboxCommand(
      { podReadyDelay: '0' },
      { stdout, stderr, until: Promise.resolve() },
    );
    expect(code).toBe(0);
    expect(stdout.text()).toMatch(
      /meshbot sandbox is running \(scenario emojivoto\)\n {2}API server: +http:\/\/127\.0\.0\.1:\d+\n {2}kubeconfig: +\S+\n {2}destination: +127\.0\.0\.1:\d+\n {2}metrics: +http:\/\/127\.0\.0\.1:\d+\/metrics\n {2}admin: +http:\/\/127\.0\.0\.1:\d+\n/,
    );
    // The scrape config a user can paste, after where it was written.
    expect(stdout.text()).toMatch(/Prometheus scrape config \(written to \S+prometheus\.yml\):\n/);
    expect(stdout.text()).toMatch(
      /scrape_configs:\n {2}- job_name: linkerd-controller\n[\s\S]*- job_name: linkerd-proxy\n/,
    );
  });

  it('exits 2 with the validation message and no stack for a bad scenario file', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'name: bad\ndeployments:\n  - name: web\n    namespace: emojivoto\n    replicas: three\n',
    );
    const stdout = capture();
    const stderr = capture();
    const code = await runSandboxCommand(
      { scenario: file, json: true },
      { stdout, stderr, until: Promise.resolve() },
    );
    expect(code).toBe(2);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toBe(
      `Error: scenario file ${file} is not a valid scenario:\n  deployments[0].replicas: expected a whole number >= 0, got "three"\nHint: See docs/sandbox.md for the scenario format.\n`,
    );
    expect(stderr.text()).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for an unknown scenario name and for a bad port', async () => {
    const stderr = capture();
    expect(
      await runSandboxCommand({ scenario: 'nope' }, { stdout: capture(), stderr, until: Promise.resolve() }),
    ).toBe(2);
    expect(stderr.text()).toMatch(/^Error: unknown scenario "nope"; built-in scenarios: .*emojivoto/);
    const stderr2 = capture();
    expect(
      await runSandboxCommand(
        { apiPort: 'http' },
        { stdout: capture(), stderr: stderr2, until: Promise.resolve() },
      ),
    ).toBe(2);
    expect(stderr2.text()).toMatch(/^Error: --api-port: expected a port number from 0 to 65535, got "http"/);
    const stderr3 = capture();
    expect(
      await runSandboxCommand(
        { kubeconfigAs: ['meshbot'] },
        { stdout: capture(), stderr: stderr3, until: Promise.resolve() },
      ),
    ).toBe(2);
    expect(stderr3.text()).toMatch(
      /^Error: --kubeconfig-as: expected a ServiceAccount NAMESPACE\/NAME and a PATH/,
    );
  });
});
