/**
 * The tap step keeps the raw events as linkerd's JSON, bounded by the sample's own limit
 * (three per request of --max), counting what it leaves out. The tap client here is a stand-in
 * for meshbot's own TapClient interface, fed encoded TapEvents through the real wire decoder.
 */
import type { TapClient } from '../../../../src/adapters/tap/tap-client.js';
import { decodeTapEventWithJson, encodeTapEvent } from '../../../../src/adapters/tap/tap-wire.js';
import { parseCommand } from '../../../../src/grammar/parse-command.js';
import { runTapStep } from '../../../../src/steps/tap/run-tap-step.js';

function events(streams: number): Uint8Array[] {
  const common = {
    source: { ip: { ipv4: 0x0a000105 }, port: 41000 },
    destination: { ip: { ipv4: 0x0a000207 }, port: 8080 },
    destination_meta: { labels: { deployment: 'voting', namespace: 'emojivoto' } },
    proxy_direction: 'OUTBOUND',
  };
  const id = (n: number) => ({ base: 1, stream: n });
  const out: Uint8Array[] = [];
  // Every request starts before any ends: the in-flight ones come first.
  for (let n = 1; n <= streams; n++) {
    out.push(
      encodeTapEvent({
        ...common,
        http: { request_init: { id: id(n), method: { registered: 'GET' }, path: `/r${n}` } },
      }),
    );
  }
  for (let n = 1; n <= streams; n++) {
    out.push(encodeTapEvent({ ...common, http: { response_init: { id: id(n), http_status: 200 } } }));
    out.push(
      encodeTapEvent({
        ...common,
        http: { response_end: { id: id(n), since_request_init: { nanos: 1_000_000 } } },
      }),
    );
  }
  return out;
}

/** Sends the messages, then waits until the step stops the tap. */
function replay(messages: Uint8Array[]): TapClient {
  return {
    watch: (_request, onEvent, signal) => {
      for (const m of messages) {
        const { event, json } = decodeTapEventWithJson(m);
        onEvent(event, json);
      }
      return new Promise((resolve) => {
        if (signal.aborted) resolve('aborted');
        else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
      });
    },
    close: () => undefined,
  };
}

function tapCommand(text: string) {
  const c = parseCommand(text);
  if (c.name !== 'tap') throw new Error('not a tap');
  return c;
}

describe('runTapStep: the raw events', () => {
  it('keeps every event of a sample within --max, in linkerd viz tap -o json’s shape', async () => {
    const result = await runTapStep(tapCommand('tap deploy/web.emojivoto --max 4'), {
      tap: replay(events(4)),
    });
    expect(result.data?.ended).toBe('count');
    expect(result.data?.events).toHaveLength(12);
    expect(result.data?.eventsDropped).toBe(0);
    expect(result.data?.events[0]).toMatchObject({
      source: { ip: '10.0.1.5', port: 41000, metadata: null },
      destination: { ip: '10.0.2.7', metadata: { deployment: 'voting' } },
      proxyDirection: 'OUTBOUND',
      requestInitEvent: { id: { base: 1, stream: 1 }, method: 'GET', path: '/r1' },
    });
    expect(result.data?.events[11]?.responseEndEvent).toMatchObject({
      id: { base: 1, stream: 4 },
      sinceRequestInit: { nanos: 1_000_000 },
    });
  });

  it('keeps at most three events per request of --max, and counts the rest', async () => {
    // Ten requests in flight before the first ends; --max 2 keeps the first six events.
    const result = await runTapStep(tapCommand('tap deploy/web.emojivoto --max 2'), {
      tap: replay(events(10)),
    });
    expect(result.data?.requestCount).toBe(2);
    expect(result.data?.events).toHaveLength(6);
    // 4 more request_inits, then the two requests' response events, up to the count.
    expect(result.data?.eventsDropped).toBe(8);
  });
});
