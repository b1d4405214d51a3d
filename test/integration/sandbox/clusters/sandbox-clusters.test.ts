/**
 * Two sandbox clusters in one process (the built-in set `east-west`: emojivoto in both, web-svc
 * frozen in west only) through their real servers: kubectl with a context per cluster sees only
 * that cluster's objects and addresses; the same service answers differently per cluster's
 * destination; west taken down refuses connections while east answers, and comes back on the
 * same addresses. State changes are awaited on watches and destination streams.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openAdapters, type Adapters } from '../../../../src/adapters/open-adapters.js';
import { readClusterSet } from '../../../../src/sandbox/scenario/load-cluster-set.js';
import { startSandboxClusters, type RunningClusters } from '../../../support/start-sandbox-clusters.js';
import {
  authority,
  runCli,
  waitForDestinationCount,
  waitForReadyEndpoints,
} from '../../endpoints/endpoints-sandbox.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

interface PodList {
  items: Array<{ metadata: { namespace: string; name: string }; status: { podIP?: string } }>;
}
interface ServiceList {
  items: Array<{ metadata: { namespace: string; name: string }; spec: { clusterIP?: string } }>;
}

describe('sandbox with two clusters (east-west)', () => {
  let dir: string;
  let sb: RunningClusters;
  const adapters: Adapters[] = [];

  const kubectl = (context: string, ...args: string[]): Promise<Result> =>
    new Promise((resolve) => {
      execFile(
        'kubectl',
        [
          '--kubeconfig',
          sb.kubeconfig,
          '--context',
          context,
          '--cache-dir',
          path.join(dir, 'cache'),
          ...args,
        ],
        { timeout: 20_000 },
        (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
        },
      );
    });
  const destinationOf = async (context: string): Promise<Adapters> => {
    const a = await openAdapters({ kubeconfig: sb.kubeconfig, context });
    adapters.push(a);
    return a;
  };
  const admin = async (cluster: string, method: string, what: string): Promise<unknown> => {
    const res = await fetch(`${sb.cluster(cluster).admin}${what}`, { method });
    expect(res.status).toBe(200);
    return res.json();
  };
  const refused = (address: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const [host, port] = [
        address.slice(0, address.lastIndexOf(':')),
        address.slice(address.lastIndexOf(':') + 1),
      ];
      const socket = net.connect(Number(port), host);
      socket.once('connect', () => {
        socket.destroy();
        reject(new Error(`${address} accepted a connection`));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshbot-clusters-'));
    const specs = readClusterSet('east-west');
    if (!specs) throw new Error('east-west is a set of clusters');
    sb = await startSandboxClusters(specs);
  });

  afterAll(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await sb?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('one kubeconfig, a context per cluster: each sees only its own objects, from its own address ranges', async () => {
    expect(sb.names).toEqual(['east', 'west']);
    expect(Object.keys(sb.addresses)).toEqual(['east', 'west']);
    expect(sb.addresses['west']).toMatchObject({
      context: 'west',
      podCidr: '10.2.0.0/16',
      admin: sb.cluster('west').admin,
    });
    const contexts = await kubectl('east', 'config', 'get-contexts', '-o', 'name');
    expect(contexts.stdout.split('\n').filter(Boolean)).toEqual(['east', 'west']);
    expect((await kubectl('east', 'config', 'current-context')).stdout.trim()).toBe('east');

    const ranges = { east: { pod: '10.1.', svc: '10.96.' }, west: { pod: '10.2.', svc: '10.97.' } };
    for (const cluster of ['east', 'west'] as const) {
      const pods = await kubectl(cluster, 'get', 'pods', '-A', '-o', 'json');
      expect(pods.stderr).toBe('');
      const items = (JSON.parse(pods.stdout) as PodList).items;
      const emojivoto = items.filter((p) => p.metadata.namespace === 'emojivoto');
      expect(emojivoto).toHaveLength(4);
      for (const p of emojivoto) expect(p.status.podIP?.startsWith(ranges[cluster].pod)).toBe(true);
      const services = (
        JSON.parse((await kubectl(cluster, 'get', 'svc', '-A', '-o', 'json')).stdout) as ServiceList
      ).items;
      const ips = services.map((s) => s.spec.clusterIP ?? '').filter((ip) => ip !== 'None');
      expect(ips.length).toBeGreaterThan(3);
      for (const ip of ips) expect(ip.startsWith(ranges[cluster].svc)).toBe(true);
      // kubectl's table also works per context
      expect((await kubectl(cluster, 'get', 'pods', '-n', 'emojivoto')).stdout).toMatch(
        /^NAME\s+READY\s+STATUS/,
      );
    }

    expect((await kubectl('west', 'create', 'configmap', 'only-in-west', '-n', 'default')).code).toBe(0);
    expect((await kubectl('west', 'get', 'configmap', 'only-in-west', '-n', 'default')).code).toBe(0);
    const inEast = await kubectl('east', 'get', 'configmap', 'only-in-west', '-n', 'default');
    expect(inEast.code).not.toBe(0);
    expect(inEast.stderr).toContain('configmaps "only-in-west" not found');
  });

  it('each cluster has nodes of its own (names and InternalIPs), and its pods run on them', async () => {
    interface NodeList {
      items: Array<{
        metadata: { name: string; labels: Record<string, string> };
        status: { addresses: Array<{ type: string; address: string }> };
      }>;
    }
    const nodeIps = { east: '172.18.0.', west: '172.18.1.' };
    for (const cluster of ['east', 'west'] as const) {
      const nodes = (JSON.parse((await kubectl(cluster, 'get', 'nodes', '-o', 'json')).stdout) as NodeList)
        .items;
      const names = nodes.map((n) => n.metadata.name);
      expect(names).toEqual([`${cluster}-node-1`, `${cluster}-node-2`, `${cluster}-node-3`]);
      for (const n of nodes) {
        expect(n.metadata.labels['kubernetes.io/hostname']).toBe(n.metadata.name);
        const ip = n.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
        expect(ip.startsWith(nodeIps[cluster])).toBe(true);
      }
      const pods = (
        JSON.parse((await kubectl(cluster, 'get', 'pods', '-A', '-o', 'json')).stdout) as {
          items: Array<{ spec: { nodeName?: string }; status: { hostIP?: string } }>;
        }
      ).items;
      expect(pods.length).toBeGreaterThan(0);
      for (const p of pods) {
        expect(names).toContain(p.spec.nodeName);
        expect(p.status.hostIP?.startsWith(nodeIps[cluster])).toBe(true);
      }
    }
  });

  it('the same service answers per cluster: its own addresses, and the fault of west only (meshbot endpoints per context)', async () => {
    const [east, west] = [await destinationOf('east'), await destinationOf('west')];
    const web = authority('web-svc');
    const [eastIps, westIps] = await Promise.all([
      waitForDestinationCount(east.destination, web, 1),
      waitForDestinationCount(west.destination, web, 1),
    ]);
    expect(eastIps[0]).toMatch(/^10\.1\.\d+\.\d+:8080$/);
    expect(westIps[0]).toMatch(/^10\.2\.\d+\.\d+:8080$/);
    expect(await admin('east', 'GET', '/faults')).toEqual({ faults: [] });
    expect(await admin('west', 'GET', '/faults')).toEqual({
      faults: [{ type: 'freeze', service: 'web-svc.emojivoto' }],
    });

    for (const cluster of ['east', 'west']) {
      expect(
        (await kubectl(cluster, 'scale', 'deployment/web', '--replicas=2', '-n', 'emojivoto')).code,
      ).toBe(0);
    }
    await Promise.all([
      waitForReadyEndpoints(sb.cluster('east').store, 'web-svc', 2),
      waitForReadyEndpoints(sb.cluster('west').store, 'web-svc', 2),
    ]);
    // east follows Kubernetes; west's frozen view still has the one address it had.
    expect(await waitForDestinationCount(east.destination, web, 2)).toHaveLength(2);
    expect(await waitForDestinationCount(west.destination, web, 1)).toEqual(westIps);
    // meshbot endpoints, per kubeconfig context: east consistent, west missing its new pod.
    const endpoints = (context: string) =>
      runCli('web-svc.emojivoto', { kubeconfig: sb.kubeconfig, context, output: 'json', timeout: '8s' });
    const [eastRun, westRun] = [await endpoints('east'), await endpoints('west')];
    expect(eastRun.code).toBe(0);
    expect(westRun.code).toBe(1);
    expect(westRun.result?.findings.find((f) => f.code === 'missing-from-destination')?.subject).toMatch(
      /^10\.2\.\d+\.\d+:8080$/,
    );
    // Clearing west's fault (its own admin API) lets it catch up.
    await admin('west', 'DELETE', '/faults/web-svc.emojivoto');
    expect(await waitForDestinationCount(west.destination, web, 2)).toHaveLength(2);
  });

  it('west down: its servers refuse connections while east answers; up: back on the same addresses', async () => {
    const west = { ...sb.cluster('west') };
    expect(await admin('west', 'GET', '/reachability')).toEqual({ reachable: true });
    expect(await admin('west', 'POST', '/down')).toEqual({ reachable: false });

    for (const address of [
      new URL(west.apiServer).host,
      west.destination,
      new URL(west.metrics).host,
      new URL(west.proxyMetrics).host,
    ]) {
      expect(await refused(address)).toBe('ECONNREFUSED');
    }
    const down = await kubectl('west', 'get', 'pods', '-A');
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain(`The connection to the server ${new URL(west.apiServer).host} was refused`);
    // east is untouched: kubectl and its destination (through a port-forward) answer.
    expect((await kubectl('east', 'get', 'pods', '-n', 'emojivoto')).code).toBe(0);
    const east = await destinationOf('east');
    expect(await waitForDestinationCount(east.destination, authority('emoji-svc', 8080), 1)).toHaveLength(1);
    // meshbot: west's command cannot ask (exit 3, the refused address named), east's answers.
    const endpoints = (context: string) =>
      runCli('emoji-svc.emojivoto:8080', {
        kubeconfig: sb.kubeconfig,
        context,
        output: 'json',
        timeout: '8s',
      });
    const westDown = await endpoints('west');
    expect(westDown.code).toBe(3);
    expect(`${westDown.stdout}${westDown.stderr}`).toContain(new URL(west.apiServer).host);
    expect((await endpoints('east')).code).toBe(0);
    // Meanwhile west's cluster keeps running inside (its admin API too).
    expect(await admin('west', 'GET', '/reachability')).toEqual({ reachable: false });

    expect(await admin('west', 'POST', '/up')).toEqual({ reachable: true });
    expect(sb.cluster('west').apiServer).toBe(west.apiServer);
    const up = await kubectl('west', 'get', 'pods', '-n', 'emojivoto', '-o', 'name');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('pod/web-');
    const westAgain = await destinationOf('west');
    expect(await waitForDestinationCount(westAgain.destination, authority('emoji-svc', 8080), 1)).toEqual([
      expect.stringMatching(/^10\.2\./),
    ]);
    expect((await fetch(west.metrics)).status).toBe(200);
  });

  it('the library says which clusters exist when asked for another', () => {
    expect(() => sb.cluster('north')).toThrow(
      'no cluster named "north" in this sandbox; its clusters: east, west',
    );
  });
});
