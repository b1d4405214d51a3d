import type { MeshbotError } from '../../errors.js';

/**
 * How gRPC reaches the destination controller: a direct address, or a local listener that
 * port-forwards through the Kubernetes API. The client never knows which.
 */
export interface DestinationTransport {
  /** For messages: `127.0.0.1:8086`, `port-forward to linkerd/linkerd-destination-abc:8086`. */
  describe(): string;
  /** Opens the transport (once) and returns the `HOST:PORT` gRPC should dial. */
  connect(): Promise<string>;
  /** The last failure beneath gRPC (a refused port-forward), which explains an UNAVAILABLE. */
  lastError(): MeshbotError | undefined;
  close(): Promise<void>;
}
