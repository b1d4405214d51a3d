/**
 * Decoding of the destination's `Update` messages (as proto-loader hands them over) and the
 * in-order application of add / remove / no_endpoints to an endpoint set. Pure: no I/O.
 */
import * as z from 'zod';
import type { DestinationAddress, DestinationUpdate, ProtocolHint } from './destination-client.js';
import { formatAddress, ipv4FromUint32, ipv6FromHalves } from './decode-ip.js';

const long = z.union([z.string(), z.number(), z.bigint()]);
const labels = z.record(z.string(), z.string()).nullish();

const tcpAddress = z.object({
  ip: z
    .object({
      ipv4: z.number().nullish(),
      ipv6: z.object({ first: long.nullish(), last: long.nullish() }).nullish(),
    })
    .nullish(),
  port: z.number().nullish(),
});

const weightedAddr = z.object({
  addr: tcpAddress.nullish(),
  weight: z.number().nullish(),
  metric_labels: labels,
  tls_identity: z
    .object({
      dns_like_identity: z.object({ name: z.string().nullish() }).nullish(),
      uri_like_identity: z.object({ uri: z.string().nullish() }).nullish(),
    })
    .nullish(),
  protocol_hint: z
    .object({
      h2: z.object({}).nullish(),
      opaque: z.object({}).nullish(),
      opaque_transport: z.object({ inbound_port: z.number().nullish() }).nullish(),
    })
    .nullish(),
  authority_override: z.object({ authority_override: z.string().nullish() }).nullish(),
});

export const updateWireSchema = z.object({
  add: z.object({ addrs: z.array(weightedAddr).nullish(), metric_labels: labels }).nullish(),
  remove: z.object({ addrs: z.array(tcpAddress).nullish() }).nullish(),
  no_endpoints: z.object({ exists: z.boolean().nullish() }).nullish(),
});

type TcpAddressWire = z.infer<typeof tcpAddress>;

/** `{ip, port}` of a wire TcpAddress; undefined when it carries no IP. */
export function decodeTcpAddress(
  a: TcpAddressWire | null | undefined,
): { ip: string; port: number } | undefined {
  if (!a?.ip) return undefined;
  const port = a.port ?? 0;
  if (a.ip.ipv4 !== null && a.ip.ipv4 !== undefined) return { ip: ipv4FromUint32(a.ip.ipv4), port };
  if (a.ip.ipv6) return { ip: ipv6FromHalves(a.ip.ipv6.first ?? 0, a.ip.ipv6.last ?? 0), port };
  return undefined;
}

function decodeWeighted(w: z.infer<typeof weightedAddr>): DestinationAddress | undefined {
  const a = decodeTcpAddress(w.addr);
  if (!a) return undefined;
  const out: DestinationAddress = {
    address: formatAddress(a.ip, a.port),
    ip: a.ip,
    port: a.port,
    labels: { ...(w.metric_labels ?? {}) },
  };
  if (w.weight !== null && w.weight !== undefined) out.weight = w.weight;
  const hint: ProtocolHint | undefined = w.protocol_hint?.h2
    ? 'h2'
    : w.protocol_hint?.opaque
      ? 'opaque'
      : undefined;
  if (hint) out.protocolHint = hint;
  const inbound = w.protocol_hint?.opaque_transport?.inbound_port;
  if (inbound) out.opaqueTransportPort = inbound;
  const identity = w.tls_identity?.dns_like_identity?.name ?? w.tls_identity?.uri_like_identity?.uri;
  if (identity) out.identity = identity;
  const override = w.authority_override?.authority_override;
  if (override) out.authorityOverride = override;
  return out;
}

/** Decodes one wire message; undefined when it is none of add / remove / no_endpoints. */
export function decodeUpdate(message: unknown): DestinationUpdate | undefined {
  const parsed = updateWireSchema.safeParse(message);
  if (!parsed.success) return undefined;
  const m = parsed.data;
  if (m.add) {
    return {
      kind: 'add',
      addresses: (m.add.addrs ?? [])
        .map(decodeWeighted)
        .filter((a): a is DestinationAddress => a !== undefined),
      setLabels: { ...(m.add.metric_labels ?? {}) },
    };
  }
  if (m.remove) {
    return {
      kind: 'remove',
      addresses: (m.remove.addrs ?? [])
        .map(decodeTcpAddress)
        .filter((a): a is { ip: string; port: number } => a !== undefined)
        .map((a) => formatAddress(a.ip, a.port)),
    };
  }
  if (m.no_endpoints) return { kind: 'no_endpoints', exists: m.no_endpoints.exists ?? false };
  return undefined;
}

/** The endpoint set as updates have left it. */
export interface EndpointSetState {
  addresses: Map<string, DestinationAddress>;
  setLabels: Record<string, string>;
  /** Set while the last state-changing message is a no_endpoints. */
  noEndpoints?: { exists: boolean };
}

export function emptyEndpointSet(): EndpointSetState {
  return { addresses: new Map(), setLabels: {} };
}

/**
 * Applies one update in place, as the proxy does: add upserts (a redundant add refreshes the
 * metadata), remove deletes (unknown addresses are ignored), no_endpoints clears the set.
 */
export function applyUpdate(state: EndpointSetState, update: DestinationUpdate): EndpointSetState {
  switch (update.kind) {
    case 'add':
      for (const a of update.addresses) state.addresses.set(a.address, a);
      if (Object.keys(update.setLabels).length > 0) state.setLabels = update.setLabels;
      delete state.noEndpoints;
      break;
    case 'remove':
      for (const a of update.addresses) state.addresses.delete(a);
      break;
    case 'no_endpoints':
      state.addresses.clear();
      state.noEndpoints = { exists: update.exists };
      break;
  }
  return state;
}

/** The addresses of a state, sorted for stable output. */
export function addressesOf(state: EndpointSetState): DestinationAddress[] {
  return [...state.addresses.values()].sort((a, b) => compareAddresses(a.address, b.address));
}

/** Orders `IP:PORT` strings numerically by IP, then port. */
export function compareAddresses(a: string, b: string): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function sortKey(address: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+):(\d+)$/.exec(address);
  if (!m) return `~${address}`;
  return [m[1], m[2], m[3], m[4], m[5]].map((x) => x!.padStart(5, '0')).join('.');
}
