/**
 * What steps see of the Linkerd destination API. Behind it sit transports (a direct address,
 * a port-forward through the Kubernetes API), as bolt-js's receivers sit behind `Receiver`:
 * a step never knows which one carried its request.
 */

/** Protocol hint the destination attaches to an address. */
export type ProtocolHint = 'h2' | 'opaque';

/** One address as the destination serves it. */
export interface DestinationAddress {
  /** `IP:PORT` (IPv6 in brackets). */
  address: string;
  ip: string;
  port: number;
  weight?: number;
  /** Per-address metric labels: `pod`, `deployment`, `serviceaccount`, `zone`, ... */
  labels: Record<string, string>;
  protocolHint?: ProtocolHint;
  /** Inbound port of the opaque transport, when the hint carries one. */
  opaqueTransportPort?: number;
  /** The TLS identity the proxy expects, e.g. `web.emojivoto.serviceaccount.identity.linkerd.cluster.local`. */
  identity?: string;
  authorityOverride?: string;
}

/** A decoded `Update`, in the order the stream delivered it. */
export type DestinationUpdate =
  | { kind: 'add'; addresses: DestinationAddress[]; setLabels: Record<string, string> }
  | { kind: 'remove'; addresses: string[] }
  | { kind: 'no_endpoints'; exists: boolean };

/** One update of the stream, timed from the moment the stream was opened. */
export interface UpdateLogEntry {
  atMs: number;
  kind: DestinationUpdate['kind'];
  /** Addresses added or removed (`IP:PORT`). */
  addresses: string[];
  /** For `no_endpoints`. */
  exists?: boolean;
}

/** How a resolve decided the view was complete. */
export type ViewCompletion =
  /** The stream was quiet for the settle window after the first add / no_endpoints. */
  | 'settled'
  /** The address count reached what Kubernetes says. */
  | 'count-matched'
  /** The server ended the stream after the first add / no_endpoints. */
  | 'stream-ended'
  /** Updates kept arriving until the overall timeout. */
  | 'timeout'
  /**
   * The controller answered gRPC NotFound: no such service (today's linkerd2; older ones send
   * `no_endpoints {exists: false}`). The view is empty with `noEndpoints: {exists: false}`.
   */
  | 'not-found'
  /**
   * Nothing arrived within `emptyAfterMs` while no address was expected: today's linkerd2 sends
   * nothing for a service without endpoints. The view is empty.
   */
  | 'quiet';

/** The endpoint set of one authority, as the destination serves it. */
export interface DestinationView {
  authority: string;
  addresses: DestinationAddress[];
  /** Labels of the last add (the service's: `namespace`, `service`). */
  setLabels: Record<string, string>;
  /** Set when the last state-changing message was `no_endpoints`. */
  noEndpoints?: { exists: boolean };
  /** Every message, in order. */
  updates: UpdateLogEntry[];
  /** Time to the first add / no_endpoints. */
  firstUpdateMs: number;
  /** Time to completion. */
  completedMs: number;
  completion: ViewCompletion;
  /** Where the view came from, e.g. `127.0.0.1:8086` or `port-forward linkerd/linkerd-destination-abc:8086`. */
  source: string;
}

export interface ResolveOptions {
  /** Overall limit: no add / no_endpoints by then is a `timeout` MeshbotError. */
  timeoutMs: number;
  /** Quiet time after the last message that ends the wait. */
  settleMs: number;
  /** The address count Kubernetes expects; reaching it ends the wait at once. */
  expectedCount?: number;
  /**
   * With `expectedCount` 0: a stream silent this long is an empty answer (completion `quiet`)
   * rather than a timeout, as today's linkerd2 sends nothing for a service without endpoints.
   */
  emptyAfterMs?: number;
  /** JSON context token, e.g. {"ns":"emojivoto","nodeName":"node-1"}. */
  contextToken?: string;
}

export interface WatchOptions {
  contextToken?: string;
  /** A MeshbotError (unreachable, timeout, ...) that ended the stream. */
  onError?: (err: Error) => void;
  /** The server ended the stream normally. */
  onEnd?: () => void;
}

/** Stops a watch; safe to call more than once. */
export type CloseWatch = () => void;

export interface DestinationClient {
  /** Where requests go, for messages (`127.0.0.1:8086`, `port-forward to linkerd/<pod>:8086`). */
  describe(): string;
  /**
   * Opens the transport and the gRPC channel ahead of the first request, so that a step can
   * overlap it with its Kubernetes reads. Optional to call; never rejects (errors surface on
   * the next resolve or watch).
   */
  warmUp(): Promise<void>;
  /**
   * Asks `Get` for one authority (`SVC.NS.svc.cluster.local:PORT`) and returns the endpoint set
   * once it is complete. Throws MeshbotError: `unreachable`, `timeout`, `usage` (invalid authority),
   * `forbidden` (port-forward refused).
   */
  resolve(authority: string, options: ResolveOptions): Promise<DestinationView>;
  /** Streams every update of one authority until closed (scale tests, drift). */
  watch(
    authority: string,
    onUpdate: (update: DestinationUpdate, atMs: number) => void,
    options?: WatchOptions,
  ): CloseWatch;
  /** Closes streams, the channel and any port-forward. */
  close(): Promise<void>;
}

/**
 * Streams open at once per client, resolves and watches alike (one per service port; sweeps and
 * scale tests must not flood the controller). A scale test watches at most this many authorities.
 */
export const MAX_DESTINATION_STREAMS = 8;
