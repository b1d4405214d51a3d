/**
 * The faults in force: per service (`NAME.NAMESPACE`) or for every service. A service's own
 * fault of a type wins over the global one of the same type. Setting a fault replaces the one
 * of the same type and scope.
 */
import * as z from 'zod';
import type { Fault, FaultType } from '../fault-types.js';

const serviceKey = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected NAME.NAMESPACE');
const ms = z.number().int().min(0).max(3_600_000);

/** Validates a fault from outside (scenario, admin API). */
export const faultSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('freeze'), service: serviceKey.optional() }),
  z.object({ type: z.literal('lag'), ms, service: serviceKey.optional() }),
  z.object({ type: z.literal('drop-removes'), service: serviceKey.optional() }),
  z.object({ type: z.literal('unavailable'), service: serviceKey.optional() }),
  z.object({ type: z.literal('slow-first'), ms, service: serviceKey.optional() }),
  z.object({
    type: z.literal('reset'),
    afterMessages: z.number().int().min(0),
    service: serviceKey.optional(),
  }),
]);

export function parseFault(input: unknown): Fault {
  const fault: Fault = faultSchema.parse(input);
  return fault;
}

export type FaultOf<T extends FaultType> = Extract<Fault, { type: T }>;

export class FaultBook {
  private readonly list: Fault[] = [];

  constructor(initial: readonly Fault[] = []) {
    for (const fault of initial) this.set(fault);
  }

  /** Adds `fault`, replacing one of the same type and scope; returns the one replaced. */
  set(fault: Fault): Fault | undefined {
    const i = this.list.findIndex((f) => f.type === fault.type && f.service === fault.service);
    const copy = { ...fault };
    if (i >= 0) {
      const [old] = this.list.splice(i, 1, copy);
      return old;
    }
    this.list.push(copy);
    return undefined;
  }

  /** Removes the faults of `service`, or every fault when absent; returns those removed. */
  clear(service?: string): Fault[] {
    const removed: Fault[] = [];
    for (let i = this.list.length - 1; i >= 0; i--) {
      const fault = this.list[i];
      if (fault && (service === undefined || fault.service === service)) {
        removed.unshift(fault);
        this.list.splice(i, 1);
      }
    }
    return removed;
  }

  all(): Fault[] {
    return this.list.map((f) => ({ ...f }));
  }

  /** The fault of `type` that applies to `service` (`NAME.NAMESPACE`): its own, else the global one. */
  find<T extends FaultType>(service: string, type: T): FaultOf<T> | undefined {
    let global: Fault | undefined;
    for (const fault of this.list) {
      if (fault.type !== type) continue;
      if (fault.service === service) return fault as FaultOf<T>;
      if (fault.service === undefined) global = fault;
    }
    return global as FaultOf<T> | undefined;
  }

  has(service: string, type: FaultType): boolean {
    return this.find(service, type) !== undefined;
  }
}
