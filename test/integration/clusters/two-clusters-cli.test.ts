/**
 * The CLI over two clusters named in a config file's `clusters:` (two in-process sandboxes):
 * --cluster picks one, results name it (text header, JSON field), several clusters and no
 * --cluster is a usage error listing them, an unknown name gets a did-you-mean, proxy-logs, tap
 * and proxy-log-level (plan and result) name the cluster they ran on, `meshbot
 * clusters` lists reachability and versions, and a cluster that is down fails its own commands
 * with exit 3 and a message naming it while the other answers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runClustersCommand, type ClustersFlagValues } from '../../../src/cli/commands/clusters.js';
import { runProxyLogLevelCommand } from '../../../src/cli/commands/proxy-log-level.js';
import { runProxyLogsCommand } from '../../../src/cli/commands/proxy-logs.js';
import { runTapCommand } from '../../../src/cli/commands/tap.js';
import { replacePod } from '../../../src/demo/replace-pod.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import type { ClustersData } from '../../../src/steps/clusters/run-clusters-step.js';
import type { StepResult } from '../../../src/domain/step-result.js';
import { runCli } from '../endpoints/endpoints-sandbox.js';

describe('the CLI over two configured clusters', () => {
  let east: RunningSandbox;
  let west: RunningSandbox;
  const dir = mkdtempSync(join(tmpdir(), 'meshbot-clusters-cli-'));
  const config = join(dir, 'meshbot.yaml');
  let eastOldIp: string;

  beforeAll(async () => {
    [east, west] = await Promise.all([
      startSandbox({ scenario: 'emojivoto-stale', podReadyDelayMs: 0, kubeconfigOut: join(dir, 'east') }),
      startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0, kubeconfigOut: join(dir, 'west') }),
    ]);
    writeFileSync(
      config,
      stringify({
        clusters: [
          { name: 'east', kubeconfig: east.kubeconfig, destination: east.destination },
          { name: 'west', kubeconfig: west.kubeconfig, destination: west.destination },
        ],
      }),
    );
    eastOldIp = (
      await replacePod(east.store, { namespace: 'emojivoto', service: 'web-svc', podSelector: 'app=web-svc' })
    ).oldIp;
    await replacePod(west.store, { namespace: 'emojivoto', service: 'web-svc', podSelector: 'app=web-svc' });
  });
  afterAll(async () => {
    await east?.stop();
    await west?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function clusters(flags: ClustersFlagValues) {
    let stdout = '';
    let stderr = '';
    const code = await runClustersCommand(
      { timeout: '3s', ...flags },
      {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: (t) => (stderr += t) },
        env: {},
      },
    );
    return { code, stdout, stderr };
  }

  it('runs where --cluster says, and the result names its cluster', async () => {
    const e = await runCli('web-svc.emojivoto', { config, cluster: 'east', output: 'json' });
    expect(e.code).toBe(1);
    expect(e.result?.cluster).toBe('east');
    expect(e.stdout).toContain(`${eastOldIp}:8080`);
    const w = await runCli('web-svc.emojivoto', { config, cluster: 'west' });
    expect(w.code).toBe(0);
    expect(w.stdout.split('\n')[0]).toMatch(/endpoints web-svc\.emojivoto:?\S* \[cluster west\]/);
  });

  it('asks which cluster when the file lists several and none is named (exit 2)', async () => {
    const r = await runCli('web-svc.emojivoto', { config });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lists 2 clusters; say which with --cluster/);
    expect(r.stderr).toMatch(/Clusters: east, west/);
  });

  it('answers an unknown cluster name with a did-you-mean (exit 2)', async () => {
    const r = await runCli('web-svc.emojivoto', { config, cluster: 'wset' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown cluster "wset"; did you mean "west"\?/);
  });

  it('lists the clusters with their reachability and versions', async () => {
    const r = await clusters({ config, output: 'json' });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as StepResult<ClustersData>;
    expect(result.data.clusters.map((c) => [c.cluster, c.reachable, c.linkerdVersion])).toEqual([
      ['east', true, 'stable-2.14.10'],
      ['west', true, expect.any(String)],
    ]);
    expect(result.data.clusters[0]!.kubernetesVersion).toMatch(/^v1\./);
  });

  /** Runs a CLI command's function with captured output. */
  async function cli(
    run: (io: {
      stdout: { write(t: string): boolean | void; isTTY: boolean };
      stderr: { write(t: string): boolean | void };
      env: Record<string, string>;
    }) => Promise<number>,
  ) {
    let stdout = '';
    let stderr = '';
    const code = await run({
      stdout: { write: (t: string) => void (stdout += t), isTTY: false },
      stderr: { write: (t: string) => void (stderr += t) },
      env: {},
    });
    return { code, stdout, stderr };
  }

  it('proxy-logs, tap and proxy-log-level with --cluster west name west in their JSON', async () => {
    const logs = await cli((io) =>
      runProxyLogsCommand('deploy/web.emojivoto', { config, cluster: 'west', output: 'json' }, io),
    );
    expect(logs.stderr).toBe('');
    expect((JSON.parse(logs.stdout) as StepResult).cluster).toBe('west');

    const tapped = await cli((io) =>
      runTapCommand(
        'deploy/web.emojivoto',
        { config, cluster: 'west', duration: '1s', max: '10', timeout: '8s', output: 'json' },
        io,
      ),
    );
    const tapResult = JSON.parse(tapped.stdout) as StepResult;
    expect(tapResult.cluster).toBe('west');
    expect(tapResult.summary).toMatch(/requests of deploy\/web\.emojivoto/);

    // Without --yes: the plan names west; with it (--for 10s, stopped at once): the result does.
    const planned = await cli((io) =>
      runProxyLogLevelCommand('deploy/web.emojivoto', 'debug', { config, cluster: 'west' }, io),
    );
    expect(planned.code).toBe(2);
    expect(planned.stderr).toMatch(/This would change cluster "west"/);
    const stop = new AbortController();
    const changed = await cli((io) =>
      runProxyLogLevelCommand(
        'deploy/web.emojivoto',
        'debug',
        { config, cluster: 'west', for: '10s', yes: true, output: 'json' },
        {
          ...io,
          signal: stop.signal,
          requestedBy: 'tester',
          stderr: {
            // Every pod set: stop now, which puts them back.
            write: (t: string) => {
              if (/set \d+ pod\(s\)/.test(t)) stop.abort('stopped');
              return io.stderr.write(t);
            },
          },
        },
      ),
    );
    expect(changed.stdout).not.toBe('');
    expect((JSON.parse(changed.stdout) as StepResult).cluster).toBe('west');
  });

  it('west down: its commands exit 3 naming it, east answers, clusters says west is unreachable', async () => {
    await west.stop();
    const w = await runCli('web-svc.emojivoto', { config, cluster: 'west' });
    expect(w.code).toBe(3);
    expect(w.stdout).toMatch(/\[cluster west\]/);
    expect(w.stdout).toMatch(/could not be reached/);
    const e = await runCli('web-svc.emojivoto', { config, cluster: 'east' });
    expect(e.code).toBe(1);
    const r = await clusters({ config });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/west\s+no/);
    expect(r.stdout).toMatch(/east\s+yes/);
  });
});
