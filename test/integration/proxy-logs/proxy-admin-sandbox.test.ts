/**
 * The sandbox's proxies seen as a real cluster shows them: each meshed pod's admin server
 * (port 4191) through a port-forward, and the `linkerd-proxy` container's log through
 * `pods/log`, read with meshbot's adapters and with the real kubectl.
 */
import { execFile } from 'node:child_process';
import type { Adapters } from '../../../src/adapters/open-adapters.js';
import { openAdapters } from '../../../src/adapters/open-adapters.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/start-sandbox.js';
import { NS, proxyLogsScenario, runningPods } from './proxy-logs-sandbox.js';

function kubectl(
  kubeconfig: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** A proxy log line: uptime, level, thread, spans, target, message. */
const PROXY_LINE =
  /^\[ *\d+\.\d{6}s\] +(TRACE|DEBUG|INFO|WARN|ERROR) ThreadId\(\d\d\) (\S+: )?[a-z0-9_:]+: .+$/;

describe('the sandbox proxies: admin server and logs', () => {
  let sb: RunningSandbox;
  let adapters: Adapters;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: proxyLogsScenario() });
    adapters = await openAdapters({
      kubeconfig: sb.kubeconfig,
      destination: sb.destination,
      timeoutMs: 8000,
    });
  });
  afterAll(async () => {
    await adapters?.close();
    await sb?.stop();
  });

  it('reads, sets and refuses log filters through a port-forward to port 4191', async () => {
    const [pod] = runningPods(sb.store, 'web-svc');
    expect(await adapters.proxyAdmin.getLogLevel(NS, pod!)).toBe('linkerd=info,hickory=error,warn');
    await adapters.proxyAdmin.setLogLevel(NS, pod!, 'warn,linkerd=debug');
    expect(await adapters.proxyAdmin.getLogLevel(NS, pod!)).toBe('linkerd=debug,warn');
    await expect(adapters.proxyAdmin.setLogLevel(NS, pod!, 'linkerd=loud')).rejects.toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/refused the log filter "linkerd=loud": error parsing level filter/),
    });
    // The other pod of the workload is untouched.
    const other = runningPods(sb.store, 'web-svc')[1]!;
    expect(await adapters.proxyAdmin.getLogLevel(NS, other)).toBe('linkerd=info,hickory=error,warn');
    await adapters.proxyAdmin.setLogLevel(NS, pod!, 'warn,linkerd=info,hickory=error');
  });

  it('starts a workload at its config.linkerd.io/proxy-log-level', async () => {
    const [pod] = runningPods(sb.store, 'voting-svc');
    expect(await adapters.proxyAdmin.getLogLevel(NS, pod!)).toBe('linkerd=debug,warn');
  });

  it('says that a pod without a proxy has no admin server', async () => {
    const plain = runningPods(sb.store, 'plain')[0]!;
    await expect(adapters.proxyAdmin.getLogLevel(NS, plain)).rejects.toMatchObject({
      kind: 'unreachable',
      message: expect.stringMatching(/nothing listens on port 4191/),
      hint: expect.stringMatching(/meshed/),
    });
  });

  it('returns the proxy log in linkerd2-proxy format through pods/log, more of it at debug', async () => {
    const web = runningPods(sb.store, 'web-svc')[0]!;
    const voting = runningPods(sb.store, 'voting-svc')[0]!;
    const read = (pod: string): Promise<string> =>
      adapters.podLogs.readPodLog(NS, pod, {
        container: 'linkerd-proxy',
        tailLines: 500,
        limitBytes: 1 << 20,
      });
    const atInfo = (await read(web)).trimEnd().split('\n');
    const atDebug = (await read(voting)).trimEnd().split('\n');
    for (const line of [...atInfo, ...atDebug]) expect(line).toMatch(PROXY_LINE);
    expect(atInfo.some((l) => / DEBUG /.test(l))).toBe(false);
    expect(atDebug.some((l) => / DEBUG /.test(l))).toBe(true);
    expect(atDebug.length).toBeGreaterThan(atInfo.length);
    expect(atInfo.join('\n')).toMatch(
      / INFO ThreadId\(01\) linkerd2_proxy: Admin interface on 0\.0\.0\.0:4191/,
    );
    // tailLines and limitBytes bound the answer.
    const two = await adapters.podLogs.readPodLog(NS, voting, {
      container: 'linkerd-proxy',
      tailLines: 2,
      limitBytes: 1 << 20,
    });
    expect(two.trimEnd().split('\n')).toHaveLength(2);
    const cut = await adapters.podLogs.readPodLog(NS, voting, {
      container: 'linkerd-proxy',
      tailLines: 500,
      limitBytes: 100,
    });
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(100);
  });

  it('serves kubectl logs -c linkerd-proxy, and refuses a pod of several containers without -c', async () => {
    const pod = runningPods(sb.store, 'voting-svc')[0]!;
    const ok = await kubectl(
      sb.kubeconfig,
      '-n',
      NS,
      'logs',
      pod,
      '-c',
      'linkerd-proxy',
      '--tail',
      '5',
      '--timestamps',
    );
    expect(ok.stderr).toBe('');
    const lines = ok.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\S+Z \[ *\d+\.\d+s\] /);
    const none = await kubectl(sb.kubeconfig, '-n', NS, 'logs', pod, '-c', 'nope');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/container nope is not valid for pod/);
  });
});
