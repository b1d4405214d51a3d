/**
 * The tap API's wire, as linkerd2 speaks it (pkg/protohttp, viz/tap/proto/viz_tap.proto):
 * a protobuf `TapByResourceRequest` as the POST body; the answer a stream of protobuf
 * `TapEvent`s, each preceded by its length as 4 bytes little-endian; an error answer carries
 * the `linkerd-error` header and a length-prefixed `ApiError`. Shared by meshbot's tap client
 * and the sandbox's tap server, so both see the same shapes. Protos from `proto/viz/`.
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import * as z from 'zod';
import { protoDir } from '../../project-paths.js';
import { formatAddress, ipv4FromUint32, ipv6FromHalves } from '../destination/decode-ip.js';

/** The header a tap server sets on an error answer (its value is the HTTP status text). */
export const TAP_ERROR_HEADER = 'linkerd-error';
/** Content type of the events and of a protobuf error. */
export const TAP_CONTENT_TYPE = 'application/octet-stream';
/** The largest message meshbot accepts (a real event is well under 64 KiB). */
export const MAX_TAP_MESSAGE_BYTES = 4 * 1024 * 1024;

interface TapTypes {
  request: protobuf.Type;
  event: protobuf.Type;
  apiError: protobuf.Type;
}

let types: TapTypes | undefined;

function tapTypes(): TapTypes {
  if (!types) {
    const dir = join(protoDir(), 'viz');
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(dir, target);
    root.loadSync('viz_tap.proto', { keepCase: true });
    types = {
      request: root.lookupType('linkerd2.tap.TapByResourceRequest'),
      event: root.lookupType('linkerd2.tap.TapEvent'),
      apiError: root.lookupType('linkerd2.viz.ApiError'),
    };
  }
  return types;
}

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  oneofs: true,
  defaults: false,
};

// ---------------------------------------------------------------------------------------------
// Messages in meshbot's terms (the protobuf JSON shapes, keepCase)

/** A Kubernetes resource as the tap API names it: singular type, e.g. `deployment`. */
export interface TapResource {
  namespace: string;
  type: string;
  name: string;
}

export interface TapHttpMatch {
  scheme?: string;
  method?: string;
  authority?: string;
  /** A path prefix. */
  path?: string;
}

/** What meshbot asks: the flat `all` list the server accepts, as the linkerd CLI builds it. */
export interface TapRequestSpec {
  target: TapResource;
  /** Only requests sent to this resource. */
  to?: TapResource;
  http?: TapHttpMatch;
  /** Requests per second inspected at most, over the target's pods (0: the server's 100). */
  maxRps?: number;
}

export function encodeTapRequest(spec: TapRequestSpec): Uint8Array {
  const matches: unknown[] = [];
  if (spec.to) matches.push({ destinations: { resource: spec.to } });
  for (const key of ['scheme', 'method', 'authority', 'path'] as const) {
    const value = spec.http?.[key];
    if (value !== undefined && value !== '') matches.push({ http: { [key]: value } });
  }
  const { request } = tapTypes();
  const message = request.fromObject({
    target: { resource: spec.target },
    match: { all: { matches } },
    maxRps: spec.maxRps ?? 0,
    extract: {},
  });
  return request.encode(message).finish();
}

const resourceSchema = z.object({
  namespace: z.string().default(''),
  type: z.string().default(''),
  name: z.string().default(''),
});
const httpMatchSchema = z.object({
  scheme: z.string().optional(),
  method: z.string().optional(),
  authority: z.string().optional(),
  path: z.string().optional(),
});
type RawMatch = {
  all?: { matches?: RawMatch[] };
  any?: { matches?: RawMatch[] };
  not?: RawMatch;
  destinations?: { resource?: z.infer<typeof resourceSchema>; label_selector?: string };
  http?: z.infer<typeof httpMatchSchema>;
};
const matchSchema: z.ZodType<RawMatch> = z.lazy(() =>
  z.object({
    all: z.object({ matches: z.array(matchSchema).optional() }).optional(),
    any: z.object({ matches: z.array(matchSchema).optional() }).optional(),
    not: matchSchema.optional(),
    destinations: z
      .object({ resource: resourceSchema.optional(), label_selector: z.string().optional() })
      .optional(),
    http: httpMatchSchema.optional(),
  }),
);
const requestSchema = z.object({
  target: z.object({ resource: resourceSchema.optional(), label_selector: z.string().optional() }).optional(),
  match: matchSchema.optional(),
  maxRps: z.number().optional(),
});

/** A request as the tap server reads it (the raw shape: the server judges what it supports). */
export type DecodedTapRequest = z.infer<typeof requestSchema>;

/** @throws Error when the bytes are not a TapByResourceRequest. */
export function decodeTapRequest(bytes: Uint8Array): DecodedTapRequest {
  const { request } = tapTypes();
  return requestSchema.parse(request.toObject(request.decode(bytes), TO_OBJECT));
}

const durationSchema = z
  .object({ seconds: z.union([z.string(), z.number()]).optional(), nanos: z.number().optional() })
  .transform((d) => Number(d.seconds ?? 0) * 1000 + (d.nanos ?? 0) / 1e6);
const streamIdSchema = z
  .object({ base: z.number().optional(), stream: z.union([z.string(), z.number()]).optional() })
  .transform((s) => `${s.base ?? 0}:${s.stream ?? 0}`);
const methodSchema = z
  .object({ registered: z.string().optional(), unregistered: z.string().optional() })
  .transform((m) => m.unregistered ?? m.registered ?? 'GET');
const schemeSchema = z
  .object({ registered: z.string().optional(), unregistered: z.string().optional() })
  .transform((m) => (m.unregistered ?? m.registered ?? 'HTTP').toLowerCase());
const eosSchema = z.object({
  grpc_status_code: z.number().optional(),
  reset_error_code: z.number().optional(),
});
const labelsSchema = z
  .object({ labels: z.record(z.string(), z.string()).optional() })
  .transform((m) => m.labels ?? {});
const ipSchema = z.object({
  ipv4: z.number().optional(),
  ipv6: z
    .object({ first: z.union([z.string(), z.number()]), last: z.union([z.string(), z.number()]) })
    .optional(),
});
const addressSchema = z
  .object({ ip: ipSchema.optional(), port: z.number().optional() })
  .transform((a) => formatTcpAddress(a.ip, a.port ?? 0));

const httpEventSchema = z.object({
  request_init: z
    .object({
      id: streamIdSchema.optional(),
      method: methodSchema.optional(),
      scheme: schemeSchema.optional(),
      authority: z.string().optional(),
      path: z.string().optional(),
    })
    .optional(),
  response_init: z
    .object({
      id: streamIdSchema.optional(),
      since_request_init: durationSchema.optional(),
      http_status: z.number().optional(),
    })
    .optional(),
  response_end: z
    .object({
      id: streamIdSchema.optional(),
      since_request_init: durationSchema.optional(),
      since_response_init: durationSchema.optional(),
      response_bytes: z.union([z.string(), z.number()]).optional(),
      eos: eosSchema.optional(),
    })
    .optional(),
});

const eventSchema = z.object({
  source: addressSchema.optional(),
  source_meta: labelsSchema.optional(),
  destination: addressSchema.optional(),
  destination_meta: labelsSchema.optional(),
  route_meta: labelsSchema.optional(),
  proxy_direction: z.enum(['UNKNOWN', 'INBOUND', 'OUTBOUND']).optional(),
  http: httpEventSchema.optional(),
});

/** One decoded TapEvent (the protobuf JSON shape, with durations in ms and ids as `base:stream`). */
export type TapEvent = z.infer<typeof eventSchema>;

function rawTapEvent(bytes: Uint8Array): Record<string, unknown> {
  const { event } = tapTypes();
  return event.toObject(event.decode(bytes), TO_OBJECT);
}

/** @throws Error when the bytes are not a TapEvent. */
export function decodeTapEvent(bytes: Uint8Array): TapEvent {
  return eventSchema.parse(rawTapEvent(bytes));
}

/**
 * A TapEvent both ways at once (one protobuf decode): meshbot's shape, and the shape
 * `linkerd viz tap -o json` prints. @throws Error when the bytes are not a TapEvent.
 */
export function decodeTapEventWithJson(bytes: Uint8Array): { event: TapEvent; json: TapEventJson } {
  const raw = rawTapEvent(bytes);
  return { event: eventSchema.parse(raw), json: eventJsonSchema.parse(raw) };
}

// ---------------------------------------------------------------------------------------------
// The event as `linkerd viz tap -o json` prints it (viz/cmd/tap.go: tapEvent,
// mapPublicToDisplayTapEvent): Go's encoding/json of its display structs (map keys sorted). Absent messages and
// empty label maps are null; durations are protobuf Durations as Go marshals the struct
// (`seconds` and `nanos`, each left out when zero); `grpcStatusCode` is always there (0 when the
// stream carried none), `resetErrorCode` only when set. meshbot never asks tap to extract
// headers (they may carry credentials), so `headers` and `trailers` are null.

/** A protobuf Duration as Go's encoding/json writes `*duration.Duration`. */
export interface GoDuration {
  seconds?: number;
  nanos?: number;
}

export interface TapEventJsonEndpoint {
  ip: string;
  port: number;
  metadata: Record<string, string> | null;
}

export interface TapEventJsonId {
  base: number;
  stream: number;
}

export interface TapEventJson {
  source: TapEventJsonEndpoint;
  destination: TapEventJsonEndpoint;
  routeMeta: Record<string, string> | null;
  proxyDirection: 'UNKNOWN' | 'INBOUND' | 'OUTBOUND';
  requestInitEvent?: {
    id: TapEventJsonId;
    method: string;
    scheme: string;
    authority: string;
    path: string;
    headers: null;
  };
  responseInitEvent?: {
    id: TapEventJsonId;
    sinceRequestInit: GoDuration | null;
    httpStatus: number;
    headers: null;
  };
  responseEndEvent?: {
    id: TapEventJsonId;
    sinceRequestInit: GoDuration | null;
    sinceResponseInit: GoDuration | null;
    responseBytes: number;
    trailers: null;
    grpcStatusCode: number;
    resetErrorCode?: number;
  };
}

const jsonIdSchema = z
  .object({ base: z.number().optional(), stream: z.union([z.string(), z.number()]).optional() })
  .optional()
  .transform((s): TapEventJsonId => ({ base: s?.base ?? 0, stream: Number(s?.stream ?? 0) }));
const goDurationSchema = z
  .object({ seconds: z.union([z.string(), z.number()]).optional(), nanos: z.number().optional() })
  .optional()
  .transform((d): GoDuration | null => {
    if (!d) return null;
    const seconds = Number(d.seconds ?? 0);
    return { ...(seconds ? { seconds } : {}), ...(d.nanos ? { nanos: d.nanos } : {}) };
  });
const jsonNameSchema = z
  .object({ registered: z.string().optional(), unregistered: z.string().optional() })
  .optional()
  .transform((m) => m?.registered ?? m?.unregistered ?? '');
const jsonLabelsSchema = z
  .object({ labels: z.record(z.string(), z.string()).optional() })
  .optional()
  // Go's encoding/json writes a map's keys sorted.
  .transform((m) =>
    m?.labels && Object.keys(m.labels).length > 0
      ? Object.fromEntries(Object.entries(m.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : null,
  );
const jsonAddressSchema = z
  .object({ ip: ipSchema.optional(), port: z.number().optional() })
  .optional()
  .transform((a) => ({ ip: formatIp(a?.ip), port: a?.port ?? 0 }));

const eventJsonSchema = z
  .object({
    source: jsonAddressSchema,
    source_meta: jsonLabelsSchema,
    destination: jsonAddressSchema,
    destination_meta: jsonLabelsSchema,
    route_meta: jsonLabelsSchema,
    proxy_direction: z.enum(['UNKNOWN', 'INBOUND', 'OUTBOUND']).optional(),
    http: z
      .object({
        request_init: z
          .object({
            id: jsonIdSchema,
            method: jsonNameSchema,
            scheme: jsonNameSchema,
            authority: z.string().optional(),
            path: z.string().optional(),
          })
          .optional(),
        response_init: z
          .object({
            id: jsonIdSchema,
            since_request_init: goDurationSchema,
            http_status: z.number().optional(),
          })
          .optional(),
        response_end: z
          .object({
            id: jsonIdSchema,
            since_request_init: goDurationSchema,
            since_response_init: goDurationSchema,
            response_bytes: z.union([z.string(), z.number()]).optional(),
            eos: eosSchema.optional(),
          })
          .optional(),
      })
      .optional(),
  })
  .transform((e): TapEventJson => {
    const init = e.http?.request_init;
    const rsp = e.http?.response_init;
    const end = e.http?.response_end;
    return {
      source: { ...e.source, metadata: e.source_meta },
      destination: { ...e.destination, metadata: e.destination_meta },
      routeMeta: e.route_meta,
      proxyDirection: e.proxy_direction ?? 'UNKNOWN',
      ...(init
        ? {
            requestInitEvent: {
              id: init.id,
              method: init.method,
              scheme: init.scheme,
              authority: init.authority ?? '',
              path: init.path ?? '',
              headers: null,
            },
          }
        : {}),
      ...(rsp
        ? {
            responseInitEvent: {
              id: rsp.id,
              sinceRequestInit: rsp.since_request_init,
              httpStatus: rsp.http_status ?? 0,
              headers: null,
            },
          }
        : {}),
      ...(end
        ? {
            responseEndEvent: {
              id: end.id,
              sinceRequestInit: end.since_request_init,
              sinceResponseInit: end.since_response_init,
              responseBytes: Number(end.response_bytes ?? 0),
              trailers: null,
              grpcStatusCode: end.eos?.grpc_status_code ?? 0,
              ...(end.eos?.reset_error_code ? { resetErrorCode: end.eos.reset_error_code } : {}),
            },
          }
        : {}),
    };
  });

/** A TapEvent from its protobuf JSON shape (the sandbox's tap server writes these). */
export function encodeTapEvent(value: Record<string, unknown>): Uint8Array {
  const { event } = tapTypes();
  return event.encode(event.fromObject(value)).finish();
}

export function encodeApiError(error: string): Uint8Array {
  const { apiError } = tapTypes();
  return apiError.encode(apiError.fromObject({ error })).finish();
}

export function decodeApiError(bytes: Uint8Array): string {
  const { apiError } = tapTypes();
  const parsed = z
    .object({ error: z.string().optional() })
    .parse(apiError.toObject(apiError.decode(bytes), TO_OBJECT));
  return parsed.error ?? '';
}

// ---------------------------------------------------------------------------------------------
// Framing

/** A message with its 4-byte little-endian length in front (protohttp's SerializeAsPayload). */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + message.length);
  out.writeUInt32LE(message.length, 0);
  out.set(message, 4);
  return out;
}

/**
 * Splits a byte stream into length-prefixed messages: feed it chunks as they arrive, it calls
 * `onMessage` for each whole message. A length above MAX_TAP_MESSAGE_BYTES throws.
 */
export function createFrameReader(onMessage: (message: Buffer) => void): {
  push(chunk: Buffer): void;
  /** Bytes of an unfinished message still held. */
  pending(): number;
} {
  let buffered: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const length = buffered.readUInt32LE(0);
        if (length > MAX_TAP_MESSAGE_BYTES) {
          throw new Error(`a tap message of ${length} bytes is larger than ${MAX_TAP_MESSAGE_BYTES}`);
        }
        if (buffered.length < 4 + length) break;
        const message = buffered.subarray(4, 4 + length);
        buffered = buffered.subarray(4 + length);
        onMessage(message);
      }
    },
    pending: () => buffered.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** `10.0.0.7`, or `fd00::7` (addr.PublicIPToString); an absent address is empty. */
function formatIp(ip: z.infer<typeof ipSchema> | undefined): string {
  if (ip?.ipv6) return ipv6FromHalves(ip.ipv6.first, ip.ipv6.last);
  return ip?.ipv4 !== undefined ? ipv4FromUint32(ip.ipv4) : '';
}

/** `10.0.0.7:8080`, or `[fd00::7]:8080` for IPv6 (the destination adapter's decoding). */
function formatTcpAddress(ip: z.infer<typeof ipSchema> | undefined, port: number): string {
  if (ip?.ipv6) return formatAddress(ipv6FromHalves(ip.ipv6.first, ip.ipv6.last), port);
  return formatAddress(ipv4FromUint32(ip?.ipv4 ?? 0), port);
}
