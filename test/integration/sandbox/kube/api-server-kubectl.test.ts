/**
 * Real `kubectl` against the sandbox API server, with the kubeconfig it writes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { startApiServer, type RunningApiServer } from '../../../../src/sandbox/kube/api-server.js';
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import type { KubeObject, ObjectStore } from '../../../../src/sandbox/kube/store-types.js';
import { writeKubeconfig } from '../../../../src/sandbox/kube/write-kubeconfig.js';
import { EventLog } from './event-log.js';
import { podObject, seedEmojivoto } from './seed-objects.js';

const NS = 'emojivoto';
const PODS = { group: '', plural: 'pods' };

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('sandbox API server with kubectl', () => {
  let dir: string;
  let store: ObjectStore;
  let server: RunningApiServer;
  let kubeconfig: string;

  function kubectlArgs(args: string[]): string[] {
    return ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args];
  }

  function kubectl(...args: string[]): Promise<Result> {
    return new Promise((resolve) => {
      execFile('kubectl', kubectlArgs(args), { timeout: 20_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  let echo: net.Server;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshbot-kubectl-'));
    echo = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => echo.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    store = createObjectStore();
    seedEmojivoto(store);
    server = await startApiServer({
      store,
      portForward: (_ns, _pod, port) =>
        port === 8080 ? { host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port } : undefined,
    });
    kubeconfig = await writeKubeconfig({ server: server.url, path: path.join(dir, 'kubeconfig') });
  });

  afterEach(async () => {
    await server.close();
    store.close();
  });

  it('writes a kubeconfig with the meshbot-sandbox context', async () => {
    const current = await kubectl('config', 'current-context');
    expect(current.stdout.trim()).toBe('meshbot-sandbox');
    const version = await kubectl('version', '-o', 'json');
    expect(version.code).toBe(0);
    expect(
      (JSON.parse(version.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion,
    ).toBe('v1.31.0');
  });

  it('gets pods, services, endpoints and endpointslices in all namespaces', async () => {
    const res = await kubectl('get', 'pods,svc,endpoints,endpointslices', '-A');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.split('\n').map((l) => l.trim().split(/\s+/));
    expect(lines).toContainEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(lines).toContainEqual(expect.arrayContaining([NS, 'pod/web-5f7d9-abcde', '1/1', 'Running', '0']));
    expect(lines).toContainEqual([
      'NAMESPACE',
      'NAME',
      'TYPE',
      'CLUSTER-IP',
      'EXTERNAL-IP',
      'PORT(S)',
      'AGE',
    ]);
    expect(lines).toContainEqual(
      expect.arrayContaining([NS, 'service/web-svc', 'ClusterIP', '10.96.0.20', '<none>', '80/TCP']),
    );
    expect(lines).toContainEqual(
      expect.arrayContaining([NS, 'endpoints/web-svc', '10.244.0.11:8080,10.244.0.12:8080']),
    );
    expect(lines).toContainEqual(
      expect.arrayContaining([
        NS,
        'endpointslice.discovery.k8s.io/web-svc-x7k2p',
        'IPv4',
        '8080',
        '10.244.0.11,10.244.0.12',
      ]),
    );

    const wide = await kubectl('get', 'pods', '-n', NS, '-o', 'wide');
    expect(wide.stdout).toMatch(/web-5f7d9-fghij\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.0\.12\s+node-2/);
  });

  it('prints an object as YAML', async () => {
    const res = await kubectl('get', 'endpoints', 'web-svc', '-n', NS, '-o', 'yaml');
    expect(res.code).toBe(0);
    const ep = YAML.parse(res.stdout) as KubeObject & {
      subsets: Array<{ addresses: Array<{ ip: string }>; ports: Array<{ port: number }> }>;
    };
    expect(ep.kind).toBe('Endpoints');
    expect(ep.metadata.name).toBe('web-svc');
    expect(ep.subsets[0]?.addresses.map((a) => a.ip)).toEqual(['10.244.0.11', '10.244.0.12']);
    expect(ep.subsets[0]?.ports[0]?.port).toBe(8080);
  });

  it('creates a Service and a Deployment from a file', async () => {
    const file = path.join(dir, 'emoji.yaml');
    await writeFile(
      file,
      [
        YAML.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'emoji-svc', namespace: NS },
          spec: { selector: { app: 'emoji-svc' }, ports: [{ name: 'grpc', port: 8080, targetPort: 8080 }] },
        }),
        YAML.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'emoji', namespace: NS },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'emoji-svc' } },
            template: {
              metadata: { labels: { app: 'emoji-svc' } },
              spec: { containers: [{ name: 'emoji-svc', image: 'buoyantio/emojivoto-emoji-svc:v11' }] },
            },
          },
        }),
      ].join('---\n'),
    );
    const res = await kubectl('create', '-f', file);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('service/emoji-svc created\ndeployment.apps/emoji created\n');
    expect(store.get({ group: '', plural: 'services' }, NS, 'emoji-svc')).toBeDefined();
    expect(store.get({ group: 'apps', plural: 'deployments' }, NS, 'emoji')?.['spec']).toMatchObject({
      replicas: 1,
    });

    const again = await kubectl('create', '-f', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error from server (AlreadyExists): error when creating');
  });

  it('applies, then re-applies a changed manifest client-side', async () => {
    const file = path.join(dir, 'voting.yaml');
    const manifest = (replicas: number): string =>
      YAML.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'voting', namespace: NS },
        spec: {
          replicas,
          selector: { matchLabels: { app: 'voting-svc' } },
          template: {
            metadata: { labels: { app: 'voting-svc' } },
            spec: { containers: [{ name: 'voting-svc', image: 'buoyantio/emojivoto-voting-svc:v11' }] },
          },
        },
      });
    await writeFile(file, manifest(1));
    expect((await kubectl('apply', '-f', file)).stdout.trim()).toBe('deployment.apps/voting created');
    expect((await kubectl('apply', '-f', file)).stdout.trim()).toBe('deployment.apps/voting unchanged');
    await writeFile(file, manifest(4));
    expect((await kubectl('apply', '-f', file)).stdout.trim()).toBe('deployment.apps/voting configured');
    expect(store.get({ group: 'apps', plural: 'deployments' }, NS, 'voting')?.['spec']).toMatchObject({
      replicas: 4,
    });
  });

  it('applies server-side: field managers, conflicts as the real server words them, --force-conflicts', async () => {
    const file = path.join(dir, 'emoji.yaml');
    const manifest = (replicas: number, image = 'buoyantio/emojivoto-emoji-svc:v11'): string =>
      YAML.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'emoji', namespace: NS, labels: { app: 'emoji-svc' } },
        spec: {
          replicas,
          selector: { matchLabels: { app: 'emoji-svc' } },
          template: {
            metadata: { labels: { app: 'emoji-svc' } },
            spec: { containers: [{ name: 'emoji-svc', image }] },
          },
        },
      });
    const deployment = () => store.get({ group: 'apps', plural: 'deployments' }, NS, 'emoji')!;
    await writeFile(file, manifest(1));
    const created = await kubectl('apply', '--server-side', '-f', file);
    expect(created.stderr).toBe('');
    expect(created.stdout.trim()).toBe('deployment.apps/emoji serverside-applied');
    const managers = () =>
      (deployment().metadata['managedFields'] as Array<{ manager: string; operation: string }>).map(
        (m) => `${m.manager}/${m.operation}`,
      );
    expect(managers()).toEqual(['kubectl/Apply']);
    const shown = await kubectl(
      'get',
      'deployment',
      'emoji',
      '-n',
      NS,
      '-o',
      'yaml',
      '--show-managed-fields',
    );
    expect(shown.stdout).toContain('f:replicas: {}');
    expect(shown.stdout).toContain('k:{"name":"emoji-svc"}:');

    // Another writer changes replicas: it now owns them.
    expect(
      (
        await kubectl(
          'patch',
          'deployment',
          'emoji',
          '-n',
          NS,
          '--type=merge',
          '-p',
          '{"spec":{"replicas":3}}',
        )
      ).code,
    ).toBe(0);
    expect(managers()).toEqual(['kubectl/Apply', 'kubectl-patch/Update']);

    // Applying a different value for a field another manager owns is a conflict.
    await writeFile(file, manifest(2, 'buoyantio/emojivoto-emoji-svc:v12'));
    const conflict = await kubectl('apply', '--server-side', '-f', file);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(
      /Apply failed with 1 conflict: conflict with "kubectl-patch" using apps\/v1 at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: \.spec\.replicas/,
    );
    expect(conflict.stderr).toContain('Please review the fields above--they currently have other managers.');
    expect(deployment()['spec']).toMatchObject({ replicas: 3 });

    // Applying the owner's value, or forcing, succeeds; forcing takes the field over.
    const forced = await kubectl('apply', '--server-side', '--force-conflicts', '-f', file);
    expect(forced.stderr).toBe('');
    expect(deployment()['spec']).toMatchObject({ replicas: 2 });
    expect(managers()).toEqual(['kubectl/Apply']);

    // A field dropped from the applied config is removed (nobody else owns it).
    const trimmed = YAML.parse(manifest(2, 'buoyantio/emojivoto-emoji-svc:v12')) as {
      metadata: { labels?: unknown };
    };
    delete trimmed.metadata.labels;
    await writeFile(file, YAML.stringify(trimmed));
    expect((await kubectl('apply', '--server-side', '-f', file)).stderr).toBe('');
    expect(deployment().metadata.labels).toBeUndefined();
  });

  it('scales a deployment through the scale subresource', async () => {
    const res = await kubectl('scale', 'deployment/web', '--replicas=3', '-n', NS);
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('deployment.apps/web scaled');
    expect(store.get({ group: 'apps', plural: 'deployments' }, NS, 'web')?.['spec']).toMatchObject({
      replicas: 3,
    });
  });

  it('deletes a pod without waiting', async () => {
    const res = await kubectl('delete', 'pod', 'web-5f7d9-abcde', '-n', NS, '--wait=false');
    expect(res.stdout.trim()).toBe('pod "web-5f7d9-abcde" deleted');
    expect(store.get(PODS, NS, 'web-5f7d9-abcde')?.metadata.deletionTimestamp).toBeDefined();
  });

  it('deletes a pod and waits on a watch until it is gone', async () => {
    // Play the kubelet: once the pod is marked for deletion, finish it.
    const stop = store.watch(PODS, { namespace: NS, resourceVersion: store.resourceVersion() }, (ev) => {
      if (ev.type === 'MODIFIED' && ev.object.metadata.deletionTimestamp) {
        queueMicrotask(() => store.delete(PODS, NS, ev.object.metadata.name, { gracePeriodSeconds: 0 }));
      }
    });
    try {
      const res = await kubectl('delete', 'pod', 'web-5f7d9-fghij', '-n', NS);
      expect(res.code).toBe(0);
      expect(res.stdout.trim()).toBe('pod "web-5f7d9-fghij" deleted');
      expect(store.get(PODS, NS, 'web-5f7d9-fghij')).toBeUndefined();
    } finally {
      stop();
    }
  });

  it('streams changes with get -w', async () => {
    const child: ChildProcess = spawn('kubectl', kubectlArgs(['get', 'pods', '-n', NS, '-w']), {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    const lines = new EventLog<string>();
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) lines.push(line);
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      await lines.waitFor((l) => l.startsWith('web-5f7d9-fghij'), 'the listed pods', 15_000);
      store.create(podObject('web-5f7d9-later', '10.244.0.40'));
      const added = await lines.waitFor((l) => l.startsWith('web-5f7d9-later'), 'the new pod', 15_000);
      expect(added).toMatch(/^web-5f7d9-later\s+1\/1\s+Running\s+0\s+\S+$/);
      expect(lines.items.filter((l) => l.startsWith('NAME'))).toHaveLength(1);
    } finally {
      child.kill();
      await exited;
    }
  });

  /** Runs `kubectl port-forward`, sends a line through the forwarded port and reads the echo. */
  async function portForwardRoundTrip(env: NodeJS.ProcessEnv): Promise<string> {
    const child = spawn(
      'kubectl',
      kubectlArgs(['port-forward', '-n', NS, 'pod/web-5f7d9-abcde', ':8080', '--address', '127.0.0.1']),
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000, env: { ...process.env, ...env } },
    );
    const out = new EventLog<string>();
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      out.push(text);
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      const ready = await out.waitFor(
        (t) => /Forwarding from 127\.0\.0\.1:\d+ -> 8080/.test(t),
        'forwarding',
        15_000,
      );
      const localPort = Number(/127\.0\.0\.1:(\d+)/.exec(ready)?.[1]);
      return await new Promise<string>((resolve, reject) => {
        const socket = net.connect(localPort, '127.0.0.1', () => socket.write('ping through kubectl\n'));
        let echoed = '';
        socket.on('data', (chunk: Buffer) => {
          echoed += chunk.toString();
          if (echoed.endsWith('\n')) socket.end();
        });
        socket.on('close', () => resolve(echoed));
        socket.on('error', reject);
      });
    } finally {
      child.kill();
      await exited;
    }
  }

  it('port-forwards with kubectl over its WebSocket tunnel and over plain SPDY', async () => {
    expect(await portForwardRoundTrip({})).toBe('ping through kubectl\n');
    expect(await portForwardRoundTrip({ KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' })).toBe(
      'ping through kubectl\n',
    );
  });

  it('gives kubectl its usual errors for unknown types, missing objects and denied requests', async () => {
    const unknown = await kubectl('get', 'widgets');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('error: the server doesn\'t have a resource type "widgets"');

    const missing = await kubectl('get', 'pod', 'nope', '-n', NS);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');

    server.setAccessRules([
      { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace: 'payments' },
    ]);
    const denied = await kubectl('get', 'endpointslices', '-n', 'payments');
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toBe(
      'Error from server (Forbidden): endpointslices.discovery.k8s.io is forbidden: User ' +
        '"system:serviceaccount:linkerd:meshbot" cannot list resource "endpointslices" in API group ' +
        '"discovery.k8s.io" in the namespace "payments"',
    );

    const canI = await kubectl('auth', 'can-i', 'list', 'endpointslices', '-n', 'payments');
    expect([canI.code, canI.stdout.trim()]).toEqual([1, 'no']);
    const canIElsewhere = await kubectl('auth', 'can-i', 'list', 'endpointslices', '-n', NS);
    expect([canIElsewhere.code, canIElsewhere.stdout.trim()]).toEqual([0, 'yes']);
  });
});
