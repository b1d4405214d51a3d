import {
  createFrameReader,
  decodeApiError,
  decodeTapEvent,
  decodeTapEventWithJson,
  decodeTapRequest,
  encodeApiError,
  encodeTapEvent,
  encodeTapRequest,
  frame,
} from '../../../../src/adapters/tap/tap-wire.js';
import { tapPath } from '../../../../src/adapters/tap/tap-client.js';

describe('the tap wire', () => {
  it('frames a message with its length as 4 bytes little-endian (protohttp.SerializeAsPayload)', () => {
    const framed = frame(new Uint8Array(300).fill(7));
    expect([...framed.subarray(0, 4)]).toEqual([0x2c, 0x01, 0, 0]);
    expect(framed.length).toBe(304);
  });

  it('splits a stream into messages whatever the chunking', () => {
    const messages = [encodeApiError('one'), encodeApiError(''), encodeApiError('three'.repeat(100))];
    const stream = Buffer.concat(messages.map((m) => frame(m)));
    for (const size of [1, 3, 7, stream.length]) {
      const seen: string[] = [];
      const reader = createFrameReader((m) => seen.push(decodeApiError(m)));
      for (let i = 0; i < stream.length; i += size) reader.push(stream.subarray(i, i + size));
      expect(seen).toEqual(['one', '', 'three'.repeat(100)]);
      expect(reader.pending()).toBe(0);
    }
  });

  it('refuses a length beyond the limit instead of buffering it', () => {
    const reader = createFrameReader(() => undefined);
    const huge = Buffer.alloc(4);
    huge.writeUInt32LE(0xffffffff, 0);
    expect(() => reader.push(huge)).toThrow(/larger than/);
  });

  it('encodes the request as the linkerd CLI builds it: target, a flat all match, maxRps', () => {
    const bytes = encodeTapRequest({
      target: { namespace: 'emojivoto', type: 'deployment', name: 'web' },
      to: { namespace: 'emojivoto', type: 'service', name: 'voting-svc' },
      http: { method: 'POST', path: '/emojivoto.v1' },
      maxRps: 100,
    });
    expect(decodeTapRequest(bytes)).toEqual({
      target: { resource: { namespace: 'emojivoto', type: 'deployment', name: 'web' } },
      match: {
        all: {
          matches: [
            { destinations: { resource: { namespace: 'emojivoto', type: 'service', name: 'voting-svc' } } },
            { http: { method: 'POST' } },
            { http: { path: '/emojivoto.v1' } },
          ],
        },
      },
      maxRps: 100,
    });
  });

  it('decodes an event: addresses, labels, method, durations in ms, eos', () => {
    const id = { base: 7, stream: '12345678901' };
    const common = {
      source: { ip: { ipv4: 0x0a000105 }, port: 41000 },
      destination: { ip: { ipv6: { first: '18302628885633695744', last: '1' } }, port: 8080 },
      destination_meta: { labels: { deployment: 'voting', namespace: 'emojivoto' } },
      proxy_direction: 'OUTBOUND',
    };
    const init = decodeTapEvent(
      encodeTapEvent({
        ...common,
        http: { request_init: { id, method: { registered: 'POST' }, path: '/x' } },
      }),
    );
    expect(init).toMatchObject({
      source: '10.0.1.5:41000',
      destination: '[fe00::1]:8080',
      destination_meta: { deployment: 'voting' },
      proxy_direction: 'OUTBOUND',
      http: { request_init: { id: '7:12345678901', method: 'POST', path: '/x' } },
    });
    const end = decodeTapEvent(
      encodeTapEvent({
        ...common,
        http: {
          response_end: {
            id,
            since_request_init: { seconds: 1, nanos: 500_000_000 },
            eos: { grpc_status_code: 14 },
            response_bytes: 10,
          },
        },
      }),
    );
    expect(end.http?.response_end).toMatchObject({ since_request_init: 1500, eos: { grpc_status_code: 14 } });
  });

  it('gives each event as linkerd viz tap -o json prints it (viz/cmd/tap.go tapEvent)', () => {
    const id = { base: 7, stream: '42' };
    const common = {
      source: { ip: { ipv4: 0x0a000105 }, port: 41000 },
      source_meta: { labels: { namespace: 'emojivoto', deployment: 'web' } },
      destination: { ip: { ipv6: { first: '18302628885633695744', last: '1' } }, port: 8080 },
      proxy_direction: 'OUTBOUND',
    };
    const init = decodeTapEventWithJson(
      encodeTapEvent({
        ...common,
        http: {
          request_init: {
            id,
            method: { registered: 'POST' },
            scheme: { registered: 'HTTPS' },
            authority: 'voting-svc.emojivoto.svc.cluster.local:8080',
            path: '/x',
          },
        },
      }),
    );
    expect(init.event.http?.request_init?.id).toBe('7:42');
    // Labels in Go's order: a map's keys sorted.
    expect(Object.keys(init.json.source.metadata!)).toEqual(['deployment', 'namespace']);
    expect(init.json).toEqual({
      source: { ip: '10.0.1.5', port: 41000, metadata: { deployment: 'web', namespace: 'emojivoto' } },
      destination: { ip: 'fe00::1', port: 8080, metadata: null },
      routeMeta: null,
      proxyDirection: 'OUTBOUND',
      requestInitEvent: {
        id: { base: 7, stream: 42 },
        method: 'POST',
        scheme: 'HTTPS',
        authority: 'voting-svc.emojivoto.svc.cluster.local:8080',
        path: '/x',
        headers: null,
      },
    });
    const rsp = decodeTapEventWithJson(
      encodeTapEvent({
        ...common,
        http: { response_init: { id, since_request_init: { nanos: 900_000 }, http_status: 200 } },
      }),
    ).json;
    expect(rsp.responseInitEvent).toEqual({
      id: { base: 7, stream: 42 },
      sinceRequestInit: { nanos: 900_000 },
      httpStatus: 200,
      headers: null,
    });
    const reset = decodeTapEventWithJson(
      encodeTapEvent({
        ...common,
        http: {
          response_end: {
            id,
            since_request_init: { seconds: 2, nanos: 5 },
            since_response_init: { seconds: 1 },
            response_bytes: 64,
            eos: { reset_error_code: 8 },
          },
        },
      }),
    ).json;
    expect(reset.responseEndEvent).toEqual({
      id: { base: 7, stream: 42 },
      sinceRequestInit: { seconds: 2, nanos: 5 },
      sinceResponseInit: { seconds: 1 },
      responseBytes: 64,
      trailers: null,
      grpcStatusCode: 0,
      resetErrorCode: 8,
    });
    // Without eos: grpcStatusCode 0 is still written, resetErrorCode is left out (omitempty).
    const plain = decodeTapEventWithJson(
      encodeTapEvent({ ...common, http: { response_end: { id, response_bytes: 1 } } }),
    ).json;
    expect(plain.responseEndEvent).toEqual({
      id: { base: 7, stream: 42 },
      sinceRequestInit: null,
      sinceResponseInit: null,
      responseBytes: 1,
      trailers: null,
      grpcStatusCode: 0,
    });
  });

  it('addresses a workload or a namespace as protohttp.TapReqToURL does', () => {
    expect(tapPath({ namespace: 'emojivoto', type: 'deployment', name: 'web' })).toBe(
      '/apis/tap.linkerd.io/v1alpha1/watch/namespaces/emojivoto/deployments/web/tap',
    );
    expect(tapPath({ namespace: '', type: 'namespace', name: 'emojivoto' })).toBe(
      '/apis/tap.linkerd.io/v1alpha1/watch/namespaces/emojivoto/tap',
    );
  });
});
