/**
 * The destination client against a scripted gRPC server (a real grpc-js server speaking
 * proto/destination.proto): when the view is complete, ordering, and error translation.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { createDestinationClient } from '../../../../src/adapters/destination/create-destination-client.js';
import { ipv4ToUint32, ipv6ToHalves } from '../../../../src/adapters/destination/decode-ip.js';
import { directTransport } from '../../../../src/adapters/destination/direct-transport.js';
import { PROTO_LOADER_OPTIONS } from '../../../../src/adapters/destination/load-destination-proto.js';
import { MeshbotError } from '../../../../src/errors.js';
import { openPortGate } from '../../../../src/sandbox/clusters/port-gate.js';
import { protoDir } from '../../../../src/project-paths.js';

type Script = (call: grpc.ServerWritableStream<{ path: string; context_token: string }, unknown>) => void;

const addr = (ip: string, port = 8080) => ({ ip: { ipv4: ipv4ToUint32(ip) }, port });
const add = (...ips: string[]) => ({ add: { addrs: ips.map((ip) => ({ addr: addr(ip), weight: 10000 })) } });
const remove = (...ips: string[]) => ({ remove: { addrs: ips.map((ip) => addr(ip)) } });

describe('createDestinationClient', () => {
  let server: grpc.Server;
  let address = '';
  let script: Script = () => undefined;
  const seen: Array<{ path: string; context_token: string }> = [];

  beforeAll(async () => {
    const def = protoLoader.loadSync(join(protoDir(), 'destination.proto'), {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [protoDir()],
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      io: { linkerd: { proxy: { destination: { Destination: grpc.ServiceClientConstructor } } } };
    };
    server = new grpc.Server();
    server.addService(pkg.io.linkerd.proxy.destination.Destination.service, {
      Get: (call: grpc.ServerWritableStream<{ path: string; context_token: string }, unknown>) => {
        seen.push(call.request);
        script(call);
      },
      GetProfile: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    address = `127.0.0.1:${port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));

  const client = () => createDestinationClient(directTransport(address));

  it('applies updates in order and ends once the count matches Kubernetes', async () => {
    script = (call) => {
      call.write(add('10.0.0.1', '10.0.0.2'));
      call.write(remove('10.0.0.1'));
      call.write(add('10.0.0.3'));
      call.write(add('10.0.0.4'));
    };
    const c = client();
    const view = await c.resolve('web.ns.svc.cluster.local:80', {
      timeoutMs: 3000,
      settleMs: 10_000,
      expectedCount: 3,
      contextToken: '{"ns":"ns"}',
    });
    await c.close();
    expect(view.completion).toBe('count-matched');
    expect(view.addresses.map((a) => a.address)).toEqual(['10.0.0.2:8080', '10.0.0.3:8080', '10.0.0.4:8080']);
    expect(view.updates.map((u) => u.kind)).toEqual(['add', 'remove', 'add', 'add']);
    expect(seen.at(-1)).toMatchObject({ path: 'web.ns.svc.cluster.local:80', context_token: '{"ns":"ns"}' });
  });

  it('settles after a quiet window when the count never matches', async () => {
    script = (call) => call.write(add('10.0.0.1'));
    const c = client();
    const view = await c.resolve('a.ns.svc.cluster.local:80', {
      timeoutMs: 3000,
      settleMs: 50,
      expectedCount: 5,
    });
    await c.close();
    expect(view.completion).toBe('settled');
    expect(view.completedMs).toBeGreaterThanOrEqual(view.firstUpdateMs + 45);
  });

  it('waits for the first add or no_endpoints: a leading remove does not start the settle window', async () => {
    script = (call) => {
      call.write(remove('10.0.0.9'));
      setImmediate(() => call.write({ no_endpoints: { exists: true } }));
    };
    const c = client();
    const view = await c.resolve('b.ns.svc.cluster.local:80', { timeoutMs: 3000, settleMs: 30 });
    await c.close();
    expect(view.noEndpoints).toEqual({ exists: true });
    expect(view.updates.map((u) => u.kind)).toEqual(['remove', 'no_endpoints']);
  });

  it('decodes IPv6 addresses', async () => {
    const { first, last } = ipv6ToHalves('fd00:10::7');
    script = (call) =>
      call.write({ add: { addrs: [{ addr: { ip: { ipv6: { first, last } }, port: 80 } }] } });
    const c = client();
    const view = await c.resolve('c.ns.svc.cluster.local:80', {
      timeoutMs: 3000,
      settleMs: 10,
      expectedCount: 1,
    });
    await c.close();
    expect(view.addresses[0]?.address).toBe('[fd00:10::7]:80');
  });

  it('returns a snapshot marked timeout when updates never stop', async () => {
    script = (call) => {
      let n = 0;
      const timer = setInterval(() => call.write(add(`10.0.1.${++n % 250}`)), 10);
      call.on('cancelled', () => clearInterval(timer));
      call.on('close', () => clearInterval(timer));
    };
    const c = client();
    const view = await c.resolve('d.ns.svc.cluster.local:80', { timeoutMs: 300, settleMs: 100 });
    await c.close();
    expect(view.completion).toBe('timeout');
    expect(view.addresses.length).toBeGreaterThan(1);
  });

  it('translates INVALID_ARGUMENT, UNAVAILABLE and silence', async () => {
    const c = client();
    script = (call) =>
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'invalid authority' });
    await expect(c.resolve('bad', { timeoutMs: 2000, settleMs: 10 })).rejects.toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/refused bad as invalid: invalid authority/),
    });
    script = (call) => call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'overloaded' });
    const unavailable = await c
      .resolve('x.ns.svc.cluster.local:80', { timeoutMs: 2000, settleMs: 10 })
      .catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(MeshbotError);
    expect((unavailable as MeshbotError).kind).toBe('unreachable');
    expect((unavailable as MeshbotError).hint).toMatch(/--destination/);
    script = () => undefined;
    await expect(
      c.resolve('y.ns.svc.cluster.local:80', { timeoutMs: 200, settleMs: 10 }),
    ).rejects.toMatchObject({
      kind: 'timeout',
    });
    await c.close();
  });

  // Regression: a channel that failed to connect waited out grpc's reconnect backoff (up to
  // 120 s), failing every call at once, after the controller was back (a cluster back up).
  it('answers as soon as the controller is reachable again after a refused connection', async () => {
    script = (call) => call.write(add('10.0.0.9'));
    const gate = await openPortGate({ target: Number(address.split(':')[1]) });
    const c = createDestinationClient(directTransport(`127.0.0.1:${gate.port}`));
    try {
      await gate.shut();
      await expect(
        c.resolve('r.ns.svc.cluster.local:80', { timeoutMs: 2000, settleMs: 10, expectedCount: 1 }),
      ).rejects.toMatchObject({ kind: 'unreachable' });
      await gate.open();
      // Several calls at once (a sweep's streams): each gets the new channel, none the closed one.
      const views = await Promise.all(
        ['r', 's', 't'].map((svc) =>
          c.resolve(`${svc}.ns.svc.cluster.local:80`, { timeoutMs: 2000, settleMs: 10, expectedCount: 1 }),
        ),
      );
      for (const view of views) expect(view.addresses.map((a) => a.address)).toEqual(['10.0.0.9:8080']);
    } finally {
      await c.close();
      await gate.close();
    }
  });

  it('streams updates to a watcher until closed', async () => {
    script = (call) => {
      call.write(add('10.0.0.1'));
      call.write(remove('10.0.0.1'));
    };
    const c = client();
    const kinds = await new Promise<string[]>((resolve) => {
      const got: string[] = [];
      const close = c.watch('w.ns.svc.cluster.local:80', (u) => {
        got.push(u.kind);
        if (got.length === 2) {
          close();
          resolve(got);
        }
      });
    });
    await c.close();
    expect(kinds).toEqual(['add', 'remove']);
  });
});
