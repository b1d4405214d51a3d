import { jest } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import type { GetDestination } from '../../../../src/sandbox/destination/destination-messages.js';
import type { UpdateSink } from '../../../../src/sandbox/destination/get-stream.js';
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import type { KubeObject, ObjectStore } from '../../../../src/sandbox/kube/store-types.js';
import {
  MAX_RECONNECT_MS,
  reconnectDelay,
  startMeshClients,
  type RunningMeshClients,
} from '../../../../src/sandbox/mesh/mesh-clients.js';

const POD = { apiVersion: 'v1', kind: 'Pod' };

function pod(name: string, workload: string, phase = 'Running'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'emojivoto', labels: { 'linkerd.io/proxy-deployment': workload } },
    spec: { nodeName: 'node-1', containers: [{ name: 'app' }] },
    status: { phase },
  };
}

/** A destination that records the Gets it is asked for and lets the test drive the streams. */
function fakeDestination(): {
  opened: Array<{ request: GetDestination; sink: UpdateSink; cancelled: boolean }>;
  onOpen(fn: () => void): void;
  openGet(request: GetDestination, sink: UpdateSink): void;
} {
  const opened: Array<{ request: GetDestination; sink: UpdateSink; cancelled: boolean }> = [];
  const waiters: Array<() => void> = [];
  return {
    opened,
    onOpen: (fn) => waiters.push(fn),
    openGet(request, sink) {
      const entry = { request, sink, cancelled: false };
      sink.onCancelled(() => (entry.cancelled = true));
      opened.push(entry);
      for (const fn of waiters.splice(0)) fn();
    },
  };
}

const WEB_TO_EMOJI = new Map([
  ['emojivoto/web', [{ namespace: 'emojivoto', name: 'emoji-svc', port: 8080 }]],
]);

describe('meshed clients', () => {
  let store: ObjectStore;
  let mesh: RunningMeshClients | undefined;

  beforeEach(() => {
    store = createObjectStore();
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'emojivoto' } });
  });

  afterEach(() => {
    mesh?.stop();
    store.close();
  });

  it('opens a Get with the proxy context token for running pods of calling workloads, and cancels it on deletion', () => {
    const dst = fakeDestination();
    store.create(pod('web-1', 'web'));
    store.create(pod('web-2', 'web', 'Pending'));
    store.create(pod('emoji-1', 'emoji'));
    mesh = startMeshClients({ store, destination: dst, calls: WEB_TO_EMOJI });
    expect(dst.opened.map((o) => o.request)).toEqual([
      {
        scheme: 'http:',
        path: 'emoji-svc.emojivoto.svc.cluster.local:8080',
        context_token: '{"ns":"emojivoto","nodeName":"node-1","pod":"web-1"}',
      },
    ]);
    expect(mesh.openStreams()).toBe(1);
    store.delete(POD, 'emojivoto', 'web-1', { gracePeriodSeconds: 0 });
    expect(dst.opened[0]!.cancelled).toBe(true);
    expect(mesh.openStreams()).toBe(0);
  });

  it('reopens a stream the controller ended, after reconnectMs', async () => {
    const dst = fakeDestination();
    store.create(pod('web-1', 'web'));
    mesh = startMeshClients({ store, destination: dst, calls: WEB_TO_EMOJI, reconnectMs: 1 });
    const ends: number[] = [];
    mesh.onEvent((e) => {
      if (e.type === 'end') ends.push(e.code);
    });
    const reopened = new Promise<void>((resolve) => dst.onOpen(resolve));
    dst.opened[0]!.sink.end();
    expect(ends).toEqual([status.OK]);
    expect(mesh.openStreams()).toBe(0);
    await reopened;
    expect(dst.opened).toHaveLength(2);
    expect(mesh.openStreams()).toBe(1);
  });

  it('reconnects after NotFound with a wait that doubles per failure in a row', () => {
    jest.useFakeTimers();
    try {
      const dst = fakeDestination();
      store.create(pod('web-1', 'web'));
      mesh = startMeshClients({ store, destination: dst, calls: WEB_TO_EMOJI, reconnectMs: 10 });
      // Failures 1, 2, 3: reopened after 20, 40, 80 ms, not a millisecond sooner.
      for (const [i, wait] of [20, 40, 80].entries()) {
        dst.opened[i]!.sink.fail(status.NOT_FOUND, 'Service emoji-svc.emojivoto not found');
        jest.advanceTimersByTime(wait - 1);
        expect(dst.opened).toHaveLength(i + 1);
        jest.advanceTimersByTime(1);
        expect(dst.opened).toHaveLength(i + 2);
      }
      // An update resets the count: the next end waits the base again.
      dst.opened[3]!.sink.write({ add: { addrs: [], metric_labels: {} } });
      dst.opened[3]!.sink.end();
      jest.advanceTimersByTime(10);
      expect(dst.opened).toHaveLength(5);
      expect(reconnectDelay(500, 30)).toBe(MAX_RECONNECT_MS);
    } finally {
      mesh?.stop();
      mesh = undefined;
      jest.useRealTimers();
    }
  });

  it("queues updates past the destination's send capacity: the stream's writableLength", () => {
    const dst = fakeDestination();
    store.create(pod('web-1', 'web'));
    mesh = startMeshClients({ store, destination: dst, calls: WEB_TO_EMOJI, messagesPerSecond: 1 });
    const { sink } = dst.opened[0]!;
    for (let i = 0; i < 5; i++) sink.write({ no_endpoints: { exists: true } });
    expect(sink.writableLength).toBe(5);
  });

  it('takes every update at once without a capacity', () => {
    const dst = fakeDestination();
    store.create(pod('web-1', 'web'));
    mesh = startMeshClients({ store, destination: dst, calls: WEB_TO_EMOJI });
    const { sink } = dst.opened[0]!;
    sink.write({ no_endpoints: { exists: true } });
    expect(sink.writableLength).toBe(0);
  });
});
