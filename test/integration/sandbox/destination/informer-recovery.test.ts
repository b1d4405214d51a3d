import * as grpc from '@grpc/grpc-js';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { destinationServiceClient } from '../../../../src/adapters/destination/load-destination-proto.js';
import { startDestinationController } from '../../../../src/sandbox/destination/start-destination-controller.js';
import { startApiServer } from '../../../../src/sandbox/kube/api-server.js';
import { createObjectStore } from '../../../../src/sandbox/kube/object-store.js';
import { writeKubeconfig } from '../../../../src/sandbox/kube/write-kubeconfig.js';
import {
  addressesOf,
  endpointSlice,
  namespace,
  NS,
  pod,
  service,
  UpdateStream,
  updateSlice,
} from './destination-harness.js';

describe('sandbox destination controller: informers', () => {
  it('rewatches after the API server went away and catches up with what changed meanwhile', async () => {
    const store = createObjectStore();
    store.create(namespace(NS));
    store.create(pod('web-a', '10.244.0.5'));
    store.create(pod('web-b', '10.244.0.6'));
    store.create(service('web-svc'));
    store.create(endpointSlice('web-svc-1', 'web-svc', [{ ip: '10.244.0.5', pod: 'web-a' }]));
    let api = await startApiServer({ store });
    const kubeconfigPath = await writeKubeconfig({ server: api.url });
    const controller = await startDestinationController({ kubeconfigPath });
    const Client = destinationServiceClient();
    const client = new Client(controller.address, grpc.credentials.createInsecure()) as grpc.Client &
      Record<string, unknown>;
    try {
      await controller.ready();
      const stream = new UpdateStream(client, `web-svc.${NS}.svc.cluster.local:80`, '');
      expect(addressesOf(await stream.next())).toEqual(['10.244.0.5:8080']);

      const port = api.port;
      await api.close();
      updateSlice(store, 'web-svc-1', 'web-svc', [
        { ip: '10.244.0.5', pod: 'web-a' },
        { ip: '10.244.0.6', pod: 'web-b' },
      ]);
      api = await startApiServer({ store, port });

      const msg = await stream.next(15_000);
      expect(msg.update).toBe('add');
      expect(addressesOf(msg)).toEqual(['10.244.0.6:8080']);
      stream.cancel();
    } finally {
      client.close();
      await controller.close();
      await api.close();
      store.close();
      await rm(dirname(kubeconfigPath), { recursive: true, force: true });
    }
  }, 30_000);

  it('is not ready while the API server cannot be reached, and close() still ends cleanly', async () => {
    const kubeconfigPath = await writeKubeconfig({ server: 'http://127.0.0.1:1' });
    const controller = await startDestinationController({ kubeconfigPath });
    const ready = controller.ready();
    const outcome = await Promise.race([
      ready.then(() => 'ready'),
      new Promise((resolve) => setTimeout(() => resolve('waiting'), 300)),
    ]);
    expect(outcome).toBe('waiting');
    const metrics = await fetch(controller.metricsUrl.replace('/metrics', '/ready'));
    expect(metrics.status).toBe(503);
    await controller.close();
    await expect(ready).rejects.toThrow(/closed before its informers synced/);
    await rm(dirname(kubeconfigPath), { recursive: true, force: true });
  });
});
