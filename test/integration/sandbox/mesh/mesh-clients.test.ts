/**
 * The living mesh: emojivoto's meshed clients hold Get streams for the services they call (from
 * the scenario's traffic edges), so the destination controller's subscribers and updates look
 * like a real cluster's; pods that come and go subscribe and unsubscribe; freeze stops updates.
 */
import { POD } from '../../../../src/sandbox/cluster/kube-refs.js';
import { waitUntil } from '../../../../src/sandbox/cluster/wait-until.js';
import type { KubeObject } from '../../../../src/sandbox/kube/store-types.js';
import { startSandbox, type RunningSandbox } from '../../../../src/sandbox/start-sandbox.js';
import { scale, waitForReadyEndpoints } from '../../endpoints/endpoints-sandbox.js';
import { scrapeText, sumSamples, waitForMeshEvent } from './mesh-wait.js';

const NS = 'emojivoto';
const svcLabels = (service: string): Record<string, string> => ({ namespace: NS, service });
const authority = (svc: string, port: number): string => `${svc}.${NS}.svc.cluster.local:${port}`;

function podsOf(store: RunningSandbox['store'], app: string): KubeObject[] {
  return store.list(POD, { namespace: NS, labelSelector: `app=${app}` }).items;
}

describe('meshed clients in emojivoto', () => {
  let sb: RunningSandbox;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: 'emojivoto', podReadyDelayMs: 0 });
  }, 60_000);

  afterAll(async () => {
    await sb?.stop();
  });

  it('subscribe as the call graph says: one stream per calling pod and service', async () => {
    expect(sb.mesh.openStreams()).toBe(3); // vote-bot -> web-svc, web -> emoji-svc, voting-svc
    const text = await scrapeText(sb.metrics);
    expect(sumSamples(text, 'endpoints_subscribers', svcLabels('web-svc'))).toBe(1);
    expect(sumSamples(text, 'endpoints_subscribers', svcLabels('emoji-svc'))).toBe(1);
    expect(sumSamples(text, 'endpoints_subscribers', svcLabels('voting-svc'))).toBe(1);
    expect(sumSamples(text, 'endpoints_pods', { ...svcLabels('web-svc'), port: '80' })).toBe(1);
    expect(sumSamples(text, 'endpoints_exists', svcLabels('emoji-svc'))).toBe(1);
    // The subscriptions carry the proxy's node: the label set is the calling pod's node.
    const [voteBot] = podsOf(sb.store, 'vote-bot');
    const node = (voteBot!.spec as { nodeName: string }).nodeName;
    expect(sumSamples(text, 'endpoints_subscribers', { ...svcLabels('web-svc'), nodename: node })).toBe(1);
    expect(sumSamples(text, 'grpc_server_started_total', { grpc_method: 'Get' })).toBeGreaterThanOrEqual(3);
  });

  it('new pods subscribe, deleted pods unsubscribe; endpoints_updates moves with the endpoints', async () => {
    const before = sumSamples(await scrapeText(sb.metrics), 'endpoints_updates', svcLabels('web-svc')) ?? 0;
    // vote-bot's proxy is told of web's new pod ...
    const told = waitForMeshEvent(
      sb,
      'vote-bot to get an add for web-svc',
      (e) => e.type === 'update' && e.authority === authority('web-svc', 80) && 'add' in e.update,
    );
    scale(sb.store, 'web', 3);
    await waitForReadyEndpoints(sb.store, 'web-svc', 3);
    await told;
    // ... and web's new pods call emoji-svc and voting-svc.
    await waitUntil(sb.store, [POD], () => sb.mesh.openStreams() === 7, { timeoutMs: 20_000 });
    let text = await scrapeText(sb.metrics);
    expect(sumSamples(text, 'endpoints_subscribers', svcLabels('emoji-svc'))).toBe(3);
    expect(sumSamples(text, 'endpoints_subscribers', svcLabels('voting-svc'))).toBe(3);
    expect(sumSamples(text, 'endpoints_subscribers', svcLabels('web-svc'))).toBe(1);
    expect(sumSamples(text, 'endpoints_updates', svcLabels('web-svc'))).toBeGreaterThan(before);

    scale(sb.store, 'web', 1);
    await waitUntil(sb.store, [POD], () => sb.mesh.openStreams() === 3, { timeoutMs: 20_000 });
    text = await scrapeText(sb.metrics);
    expect(sumSamples(text, 'endpoints_subscribers', svcLabels('emoji-svc'))).toBe(1);
  }, 60_000);
});

describe('meshed clients in emojivoto-stale (web-svc frozen)', () => {
  let sb: RunningSandbox;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: 'emojivoto-stale', podReadyDelayMs: 0 });
  }, 60_000);

  afterAll(async () => {
    await sb?.stop();
  });

  it("holds web-svc's subscribers while its updates stop, and catches up when the freeze is lifted", async () => {
    const [oldWeb] = podsOf(sb.store, 'web-svc');
    // The replacement pod subscribes to emoji-svc once it runs, and gets emoji's address.
    const replaced = waitForMeshEvent(
      sb,
      "the new web pod's emoji-svc stream",
      (e) =>
        e.type === 'update' &&
        e.authority === authority('emoji-svc', 8080) &&
        e.pod !== `${NS}/${oldWeb!.metadata.name}`,
    );
    sb.store.delete(POD, NS, oldWeb!.metadata.name);
    await replaced;
    await waitUntil(sb.store, [POD], () => podsOf(sb.store, 'web-svc').length === 1, {
      timeoutMs: 20_000,
    });
    await waitForReadyEndpoints(sb.store, 'web-svc', 1);

    const text = await scrapeText(sb.metrics);
    expect(sumSamples(text, 'endpoints_subscribers', svcLabels('web-svc'))).toBe(1);
    expect(sumSamples(text, 'endpoints_updates', svcLabels('web-svc'))).toBe(0);
    expect(sumSamples(text, 'endpoints_pods', { ...svcLabels('web-svc'), port: '80' })).toBe(1);

    const caughtUp = waitForMeshEvent(
      sb,
      'vote-bot to be told of the new web pod',
      (e) => e.type === 'update' && e.authority === authority('web-svc', 80) && 'add' in e.update,
    );
    sb.clearFaults('web-svc.emojivoto');
    await caughtUp;
    expect(
      sumSamples(await scrapeText(sb.metrics), 'endpoints_updates', svcLabels('web-svc')),
    ).toBeGreaterThan(0);
  }, 60_000);
});
