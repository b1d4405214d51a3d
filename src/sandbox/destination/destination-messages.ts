/**
 * Plain-object shapes of the `io.linkerd.proxy.destination` messages the sandbox sends,
 * as @grpc/proto-loader serializes them (keepCase field names, fixed64 as strings).
 */
import type { ProtoIpAddress } from './ip-address.js';

export interface TcpAddress {
  ip: ProtoIpAddress;
  port: number;
}

export interface DnsLikeIdentity {
  name: string;
}

export interface TlsIdentity {
  dns_like_identity: DnsLikeIdentity;
  server_name: DnsLikeIdentity;
}

export interface ProtocolHint {
  h2?: Record<string, never>;
  opaque?: Record<string, never>;
}

export interface ResourceRef {
  resource: { group: string; kind: string; name: string; namespace: string };
}

export interface WeightedAddr {
  addr: TcpAddress;
  weight: number;
  metric_labels: Record<string, string>;
  tls_identity?: TlsIdentity;
  protocol_hint?: ProtocolHint;
  resource_ref?: ResourceRef;
}

export type Update =
  | { add: { addrs: WeightedAddr[]; metric_labels: Record<string, string> } }
  | { remove: { addrs: TcpAddress[] } }
  | { no_endpoints: { exists: boolean } };

export interface DestinationProfile {
  fully_qualified_name: string;
}

export interface GetDestination {
  scheme: string;
  path: string;
  context_token: string;
}
