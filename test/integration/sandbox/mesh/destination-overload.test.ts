/**
 * The destination-overload scenario: 2,000 meshed clients subscribed to one hot service whose
 * pods churn ten times a second, and a controller that gets 4,000 updates a second out. The
 * controller's metrics show it: 2,000 subscribers, then stream queues overflowing
 * (endpoint_updates_queue_overflow) and Get streams ending (grpc_server_handling_seconds).
 * Waits on the meshed clients' own events (streams the controller closed).
 */
import { startSandbox, type RunningSandbox } from '../../../../src/sandbox/start-sandbox.js';
import { scrapeText, sumSamples, waitForMeshEvent } from './mesh-wait.js';

const HOT = { namespace: 'hot', service: 'hot-svc' };
const GET = { grpc_method: 'Get' };

describe('destination-overload: a hot service with 2,000 subscribers and steady churn', () => {
  let sb: RunningSandbox;

  beforeAll(async () => {
    sb = await startSandbox({ scenario: 'destination-overload' });
  }, 120_000);

  afterAll(async () => {
    await sb?.stop();
  });

  it('shows queue overflow and Get streams ending rising under the load', async () => {
    const before = await scrapeText(sb.metrics);
    expect(sumSamples(before, 'endpoints_subscribers', HOT)).toBe(2000);
    const overflowBefore = sumSamples(before, 'endpoint_updates_queue_overflow') ?? 0;
    const endedBefore = sumSamples(before, 'grpc_server_handling_seconds_count', GET) ?? 0;

    // Streams the controller closes (code OK) are the overflowing ones.
    let closed = 0;
    await waitForMeshEvent(
      sb,
      '50 hot-svc streams closed by the controller',
      (e) => e.type === 'end' && e.code === 0 && ++closed >= 50,
      90_000,
    );

    const after = await scrapeText(sb.metrics);
    const overflow = sumSamples(after, 'endpoint_updates_queue_overflow', {
      service: 'hot-svc.hot.svc.cluster.local:80',
    });
    expect(overflow).toBeGreaterThanOrEqual(50);
    expect(overflow!).toBeGreaterThan(overflowBefore);
    const ended = sumSamples(after, 'grpc_server_handling_seconds_count', GET) ?? 0;
    expect(ended).toBeGreaterThanOrEqual(endedBefore + 50);
    // The streams lived seconds, not the lifetime of their pods: most ended above 1 s.
    const underOneSecond = sumSamples(after, 'grpc_server_handling_seconds_bucket', { ...GET, le: '1' }) ?? 0;
    expect(ended - underOneSecond).toBeGreaterThan(0);
    expect(sumSamples(after, 'endpoints_updates', HOT)).toBeGreaterThan(0);
  }, 120_000);
});
