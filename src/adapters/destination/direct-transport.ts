import { UsageError } from '../../errors.js';
import { printable } from '../../grammar/targets.js';
import type { DestinationTransport } from './destination-transport.js';

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/** Validates `HOST:PORT` (`[v6]:PORT` too) for --destination. */
export function parseDestinationAddress(raw: string): string {
  const m = HOST_PORT.exec(raw.trim());
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) {
    throw new UsageError(
      `destination address "${printable(raw)}" is not HOST:PORT`,
      'Give it as 127.0.0.1:8086 or linkerd-dst.linkerd.svc.cluster.local:8086 (port 1-65535).',
    );
  }
  return raw.trim();
}

/** gRPC straight to an address (--destination, or the in-cluster service). */
export function directTransport(address: string): DestinationTransport {
  const target = parseDestinationAddress(address);
  return {
    describe: () => target,
    connect: () => Promise.resolve(target),
    lastError: () => undefined,
    close: () => Promise.resolve(),
  };
}
