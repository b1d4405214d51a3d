/**
 * The gates in front of one sandbox cluster's servers (API server, destination gRPC and
 * metrics, proxy metrics): shut together to make the cluster unreachable, opened together to
 * bring it back on the same addresses. See port-gate.ts.
 */
import { openPortGate, type PortGate, type ShutMode } from './port-gate.js';

export interface GateSet {
  /**
   * Puts a gate in front of a server's address (`127.0.0.1:PORT` or a URL on 127.0.0.1) and
   * returns the same address with the gate's port (`port`, or a free one).
   */
  expose(address: string, port?: number): Promise<string>;
  isOpen(): boolean;
  /** Every gate refuses connections (`refuse`, default) or holds them unanswered (`silent`). */
  shut(mode?: ShutMode): Promise<void>;
  open(): Promise<void>;
  close(): Promise<void>;
}

const HOST_PORT = /^(\w+:\/\/)?127\.0\.0\.1:(\d+)(.*)$/;

export function createGateSet(): GateSet {
  const gates: PortGate[] = [];
  let open = true;
  return {
    async expose(address, port) {
      const m = HOST_PORT.exec(address);
      if (!m?.[2]) throw new Error(`cannot put a gate in front of ${address}: not an address on 127.0.0.1`);
      const gate = await openPortGate({ target: Number(m[2]), ...(port !== undefined ? { port } : {}) });
      gates.push(gate);
      return `${m[1] ?? ''}127.0.0.1:${gate.port}${m[3] ?? ''}`;
    },
    isOpen: () => open,
    async shut(mode) {
      open = false;
      await Promise.all(gates.map((g) => g.shut(mode)));
    },
    async open() {
      await Promise.all(gates.map((g) => g.open()));
      open = true;
    },
    async close() {
      open = false;
      await Promise.all(gates.map((g) => g.close()));
    },
  };
}
